/**
 * UI preferences: the only things the web app keeps in browser storage (UI.md: nothing about clients,
 * no tokens). Each key is a closed name; values are short enums.
 */
type PreferenceKey = 'theme' | 'lang' | 'privacy';
const PREFIX = 'confidant.pref.';

export function readPreference(key: PreferenceKey): string | null {
  try {
    return localStorage.getItem(PREFIX + key);
  } catch {
    return null;
  }
}

export function writePreference(key: PreferenceKey, value: string): void {
  try {
    localStorage.setItem(PREFIX + key, value);
  } catch {
    // Storage refused (private mode): the preference lasts for this page only.
  }
}

/** Remembers the stored preferences now; the function returned writes them back (after sign-out). */
export function keepPreferences(): () => void {
  const kept = (['theme', 'lang', 'privacy'] as const).map((key) => [key, readPreference(key)] as const);
  return () => {
    for (const [key, value] of kept) if (value !== null) writePreference(key, value);
  };
}

export type Theme = 'system' | 'light' | 'dark';

/** Applies a theme: `system` follows prefers-color-scheme (styles.css), the others force it. */
export function applyTheme(theme: Theme, remember = false): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  if (remember) writePreference('theme', theme);
}

export function storedTheme(): Theme {
  const stored = readPreference('theme');
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

/** Privacy mode: names and notes in lists stay blurred until a row is hovered or focused. */
export function storedPrivacy(): boolean {
  return readPreference('privacy') === 'on';
}

const privacyListeners = new Set<() => void>();

/** Applies privacy mode to every list of the app (`:root[data-privacy]`, styles.css); `remember` stores it. */
export function applyPrivacy(on: boolean, remember = false): void {
  if (on) document.documentElement.dataset.privacy = 'on';
  else delete document.documentElement.dataset.privacy;
  if (remember) writePreference('privacy', on ? 'on' : 'off');
  for (const listener of privacyListeners) listener();
}

/** Whether privacy mode is on now (the page's state, whatever storage allowed). */
export function isPrivacyOn(): boolean {
  return document.documentElement.dataset.privacy === 'on';
}

/** For useSyncExternalStore: every switch of privacy mode (the Clients page's, the palette's) is seen by all. */
export function subscribePrivacy(listener: () => void): () => void {
  privacyListeners.add(listener);
  return () => privacyListeners.delete(listener);
}
