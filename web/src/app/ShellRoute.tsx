import { createLazyRoute } from '@tanstack/react-router';
import { Shell } from './Shell';
import { loadAppMessages } from '../i18n/i18n';

// The signed-in shell (with the idle lock, step-up and their dialogs) is a chunk of its own: the
// sign-in page's initial JavaScript does not carry it.
// Its messages come with it.
await loadAppMessages();

export const Route = createLazyRoute('/signed-in')({ component: Shell });
