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
/** The newest language change asked for: a slower load that an older one started never overrides it. */
let generation = 0;

/** Loads the catalogues (the signed-in screens' too, once the shell has asked for them) and activates the language. */
export async function activate(locale: Locale, remember = false): Promise<void> {
  const mine = ++generation;
  if (remember) writePreference('lang', locale);
  const [own, app] = await Promise.all([publicMessages(locale), withApp ? appMessages(locale) : Promise.resolve({})]);
  if (mine !== generation) return;
  i18n.loadAndActivate({ locale, messages: { ...own, ...app } });
  document.documentElement.lang = locale;
}

/** Adds the signed-in screens' messages in the active language (the shell's chunk calls it before it renders). */
export async function loadAppMessages(): Promise<void> {
  if (withApp) return;
  withApp = true;
  const mine = ++generation;
  const locale = (i18n.locale === 'de' ? 'de' : 'en') as Locale;
  const messages = { ...(await publicMessages(locale)), ...(await appMessages(locale)) };
  // A language chosen meanwhile loaded the app's messages too (withApp is set): it stands.
  if (mine !== generation) return;
  i18n.loadAndActivate({ locale, messages });
}

export { i18n };
