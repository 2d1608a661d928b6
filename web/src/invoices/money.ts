import { useLingui } from '@lingui/react';
import type { paths } from '../api/client';

/** An invoice as the API answers it. */
export type Invoice = paths['/api/v1/invoices/{id}']['get']['responses'][200]['content']['application/json'];
export type Issuer = paths['/api/v1/invoices/issuer']['get']['responses'][200]['content']['application/json'];

/** Digits after the decimal point of a currency (2 for GBP, 0 for JPY). */
export function fractionDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Formats an amount in minor units in its currency, in the person's language: "£50.00", "50,00 €". */
export function useMoney(): (minor: number, currency: string) => string {
  const { i18n } = useLingui();
  const locale = i18n.locale === 'de' ? 'de-DE' : 'en-GB';
  return (minor, currency) => new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 10 ** fractionDigits(currency));
}

/** A decimal the person typed ("12.5", "12,50") in minor units of the currency, or null when it is no amount. */
export function minorOf(text: string, currency: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const digits = fractionDigits(currency);
  const [whole, frac = ''] = t.split('.') as [string, string?];
  if (frac.length > digits) return null;
  return Number(whole) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
}

/** Minor units as the decimal an input shows ("50.00"). */
export function decimalOf(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

/** A calendar month, YYYY-MM: its first and last day, and the months either side. */
export function monthPeriod(month: string): { from: string; to: string; previous: string; next: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const pad = (n: number) => String(n).padStart(2, '0');
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const shift = (by: number) => {
    const d = new Date(Date.UTC(y, m - 1 + by, 1));
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
  };
  return { from: `${month}-01`, to: `${month}-${pad(last)}`, previous: shift(-1), next: shift(1) };
}

/** This month, YYYY-MM, on the person's clock. */
export function thisMonth(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
}

/** Formats a date (an ISO instant) in the organisation's time zone: "1 Dec 2026". */
export function useDate(timeZone?: string): (iso: string) => string {
  const { i18n } = useLingui();
  const format = new Intl.DateTimeFormat(i18n.locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', ...(timeZone ? { timeZone } : {}) });
  return (iso) => format.format(new Date(iso));
}
