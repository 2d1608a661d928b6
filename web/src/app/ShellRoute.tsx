import { createLazyRoute } from '@tanstack/react-router';
import { Shell } from './Shell';

// The signed-in shell (with the idle lock, step-up and their dialogs) is a chunk of its own: the
// sign-in page's initial JavaScript does not carry it.
export const Route = createLazyRoute('/signed-in')({ component: Shell });
