import { api, data } from '../api/client';
import { keepPreferences } from './preferences';

/**
 * Ends the session on the server. Its answer tells the browser to clear the site's storage
 * (Clear-Site-Data), which would take the UI preferences with it: they are written back afterwards —
 * they are all the app ever keeps there, and they say nothing about anyone.
 */
export async function endSession(): Promise<void> {
  const restore = keepPreferences();
  try {
    await data(api.POST('/api/v1/auth/logout'));
  } finally {
    restore();
  }
}
