import { useLingui } from '@lingui/react';

/** Formats a time (ms since the epoch, or an ISO string) in the person's language: "1 Dec 2026, 17:20". */
export function useDateTime(): (value: number | string) => string {
  const { i18n } = useLingui();
  // British English for en (the app's English is British), German for de.
  const format = new Intl.DateTimeFormat(i18n.locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  return (value) => format.format(new Date(value));
}
