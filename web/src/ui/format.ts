import { createContext, useContext } from 'react';
import { useLingui } from '@lingui/react';

/**
 * The zone signed-in screens show times in (the viewer's own, else the organisation's: the shell
 * provides it); undefined before sign-in, where the browser's is used.
 */
export const DisplayZone = createContext<string | undefined>(undefined);

/**
 * Formats a time (ms since the epoch, or an ISO string) in the person's language and on the viewer's
 * clock: "1 Dec 2026, 17:20" — with the zone's short name after it ("1 Dec 2026, 12:20 GMT-5") when
 * that clock is not the browser's, so a time is never read on the wrong one.
 */
export function useDateTime(): (value: number | string) => string {
  const { i18n } = useLingui();
  const zone = useContext(DisplayZone);
  // British English for en (the app's English is British), German for de.
  const locale = i18n.locale === 'de' ? 'de-DE' : 'en-GB';
  const format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(zone ? { timeZone: zone } : {}) });
  const named = zone !== undefined && zone !== Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zoneName = named ? new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short', hour: 'numeric' }) : null;
  return (value) => {
    const date = new Date(value);
    const text = format.format(date);
    const short = zoneName?.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value;
    return short ? `${text} ${short}` : text;
  };
}
