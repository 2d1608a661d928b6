import { createLazyRoute } from '@tanstack/react-router';
import { Home } from './Home';

export const Route = createLazyRoute('/signed-in/')({ component: Home });
