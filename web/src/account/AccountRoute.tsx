import { createLazyRoute } from '@tanstack/react-router';
import { AccountPage } from './AccountPage';

export const Route = createLazyRoute('/signed-in/account')({ component: AccountPage });
