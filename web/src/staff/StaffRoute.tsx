import { createLazyRoute } from '@tanstack/react-router';
import { StaffPage } from './StaffPage';

export const Route = createLazyRoute('/signed-in/staff')({ component: StaffPage });
