import { createLazyRoute } from '@tanstack/react-router';
import { OrganisationPage } from './OrganisationPage';

export const Route = createLazyRoute('/signed-in/organisation')({ component: OrganisationPage });
