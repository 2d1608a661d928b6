import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type { Address, ContactPreferences, FieldKind, FieldValue, Identifier } from './datamap.types.ts';

/** Longest value any field accepts, in UTF-8 bytes. */
export const MAX_FIELD_BYTES = 64 * 1024;

const boundedText = z
  .string()
  .refine((v) => Buffer.byteLength(v, 'utf8') <= MAX_FIELD_BYTES, `must be at most ${MAX_FIELD_BYTES} bytes`);
const part = z.string().max(500);

/** The channels a client may agree to be contacted by (the `contact_preferences` kind). */
export const CONTACT_CHANNELS = ['email', 'sms', 'phone', 'post'] as const;

/** Input validation per kind. Values are validated, never echoed back in errors. */
export const KIND_SCHEMAS: Record<FieldKind, z.ZodType<FieldValue>> = {
  text: boundedText,
  email: z.string().trim().max(320).pipe(z.email({ error: 'must be an e-mail address' })),
  phone: z
    .string()
    .trim()
    .max(64)
    .refine((v) => (v.match(/\d/g) ?? []).length >= 5 && /^[\d\s()+.\-/x]+$/i.test(v), 'must be a phone number'),
  date: z.iso.date({ error: 'must be a date as YYYY-MM-DD' }),
  address: z.strictObject({ line1: part, line2: part, city: part, region: part, postcode: part, country: part }).partial(),
  identifiers: z
    .array(z.strictObject({ scheme: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'must be a short lower-case scheme name'), value: z.string().trim().min(1).max(100) }))
    .max(20),
  // Every key present (no guessing what a missing one meant), each channel once.
  contact_preferences: z.strictObject({
    reminders: z.boolean(),
    channels: z
      .array(z.enum(CONTACT_CHANNELS))
      .max(CONTACT_CHANNELS.length)
      .refine((c) => new Set(c).size === c.length, 'must name each channel once'),
    voicemail: z.boolean(),
  }),
};

/** Kinds whose values are structures, stored as JSON. */
const STRUCTURED: readonly FieldKind[] = ['address', 'identifiers', 'contact_preferences'];

/** Serialises a value for encryption: strings as UTF-8, structures as JSON. */
export function encodeValue(kind: FieldKind, value: FieldValue): Buffer {
  return Buffer.from(STRUCTURED.includes(kind) ? JSON.stringify(value) : (value as string), 'utf8');
}

/** Inverse of {@link encodeValue}. */
export function decodeValue(kind: FieldKind, bytes: Uint8Array): FieldValue {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  if (!STRUCTURED.includes(kind)) return text;
  return parseStoredJson(text, 'a stored value') as Address | Identifier[] | ContactPreferences;
}

/**
 * Parses JSON that Confidant stored (decrypted details, line items, plain custom values). Its own
 * writes are always JSON, so a failure means damage, reported as INTEGRITY_ERROR naming only `what`:
 * JSON.parse's message quotes its input, which would carry a client value into a log or an answer.
 *
 * ### Examples
 * ```ts
 * const details = parseStoredJson(openField(key, place, DETAILS, row.details_ct) as string, 'activity details');
 * ```
 */
export function parseStoredJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('INTEGRITY_ERROR', `${what} does not have the shape its field declares`);
  }
}

/** Normalisation settings that depend on the deployment. */
export interface NormaliseOptions {
  /** Region used for phone numbers written without an international prefix. */
  phoneRegion: CountryCode;
}

/** E-mail: Unicode NFKC, trimmed, lower-cased (the whole address; providers treat it so in practice). */
export function normaliseEmail(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}

/** Phone: E.164 when the number parses (with `phoneRegion` for national numbers), else its digits. */
export function normalisePhone(value: string, options: NormaliseOptions): string {
  const parsed = parsePhoneNumberFromString(value.trim(), options.phoneRegion);
  if (parsed?.isPossible()) return parsed.number;
  const digits = value.replace(/\D/g, '');
  return value.trim().startsWith('+') ? `+${digits}` : digits;
}

/** Name words: accents folded, case folded, punctuation dropped ("Zoë O'Brien-Smith" → zoe, obrien, smith). */
export function nameTokens(value: string): string[] {
  const folded = value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return folded === '' ? [] : [...new Set(folded.split(' '))];
}

/** Identifier: scheme plus the value upper-cased with spaces, dots and dashes removed. */
export function normaliseIdentifier(identifier: Identifier): string {
  return `${identifier.scheme}:${identifier.value.normalize('NFKC').toUpperCase().replace(/[\s.\-]/g, '')}`;
}

/**
 * The search terms a value contributes to its field's blind index (several for a name or a list of
 * identifiers, one for an e-mail or phone). Search queries go through the same function.
 */
export function searchTerms(kind: FieldKind, value: FieldValue, options: NormaliseOptions): string[] {
  switch (kind) {
    case 'email':
      return [normaliseEmail(value as string)];
    case 'phone':
      return [normalisePhone(value as string, options)];
    case 'text':
      return nameTokens(value as string);
    case 'identifiers':
      return (value as Identifier[]).map(normaliseIdentifier);
    case 'date':
      return [value as string];
    case 'address':
    case 'contact_preferences':
      return [];
  }
}
