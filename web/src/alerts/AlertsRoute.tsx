import { createLazyRoute } from '@tanstack/react-router';
import { AlertsPage } from './AlertsPage';

export const Route = createLazyRoute('/signed-in/alerts')({ component: AlertsPage });
