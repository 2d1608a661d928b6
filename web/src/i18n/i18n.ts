import { i18n } from '@lingui/core';
import { readPreference, writePreference } from '../app/preferences';

export type Locale = 'en' | 'de';
export const LOCALES: readonly Locale[] = ['en', 'de'];

/** The stored UI preference, else the browser's language, else English. */
export function preferredLocale(): Locale {
  const stored = readPreference('lang');
  if (stored === 'en' || stored === 'de') return stored;
  return navigator.language.toLowerCase().startsWith('de') ? 'de' : 'en';
}

/** Loads one catalogue (a chunk per language, compiled from the .po at build time) and activates it. */
export async function activate(locale: Locale, remember = false): Promise<void> {
  const { messages } = locale === 'de' ? await import('./locales/de/messages.po') : await import('./locales/en/messages.po');
  i18n.loadAndActivate({ locale, messages });
  document.documentElement.lang = locale;
  if (remember) writePreference('lang', locale);
}

export { i18n };
