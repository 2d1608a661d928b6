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

/** The pages before sign-in: a chunk per language, compiled from the .po at build time. */
const publicMessages = (locale: Locale) => (locale === 'de' ? import('./locales/de/public.po') : import('./locales/en/public.po')).then((m) => m.messages);
/** The signed-in screens: loaded with the shell (outside the sign-in page's initial JavaScript). */
const appMessages = (locale: Locale) => (locale === 'de' ? import('./locales/de/app.po') : import('./locales/en/app.po')).then((m) => m.messages);
let withApp = false;

/** Loads the catalogues (the signed-in screens' too, once the shell has asked for them) and activates the language. */
export async function activate(locale: Locale, remember = false): Promise<void> {
  const [own, app] = await Promise.all([publicMessages(locale), withApp ? appMessages(locale) : Promise.resolve({})]);
  i18n.loadAndActivate({ locale, messages: { ...own, ...app } });
  document.documentElement.lang = locale;
  if (remember) writePreference('lang', locale);
}

/** Adds the signed-in screens' messages in the active language (the shell's chunk calls it before it renders). */
export async function loadAppMessages(): Promise<void> {
  if (withApp) return;
  withApp = true;
  const locale = (i18n.locale === 'de' ? 'de' : 'en') as Locale;
  i18n.loadAndActivate({ locale, messages: { ...(await publicMessages(locale)), ...(await appMessages(locale)) } });
}

export { i18n };
