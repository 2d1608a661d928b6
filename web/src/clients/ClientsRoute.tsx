import { createLazyRoute } from '@tanstack/react-router';
import { ClientsPage } from './ClientsPage';

export const Route = createLazyRoute('/signed-in/clients')({ component: ClientsPage });
