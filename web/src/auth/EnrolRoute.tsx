import { createLazyRoute } from '@tanstack/react-router';
import { EnrolPage } from './EnrolPage';

export const Route = createLazyRoute('/sign-in/enrol')({ component: EnrolPage });
