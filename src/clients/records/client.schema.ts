import { z } from 'zod';
import { KIND_SCHEMAS } from '../../platform/datamap/index.ts';
import type { Address, FieldKind, FieldSpec, FieldValue, Identifier } from '../../platform/datamap/index.ts';
import { CLIENT_FIELDS, type ClientFieldName } from '../../datamap/index.ts';
import type { ClientInput } from './client.types.ts';

/** Statuses a client can have (not confidential: segments filter on it without decrypting). */
export const clientStatus = z.enum(['lead', 'active', 'inactive', 'former']);

/** Names and preferred names are short texts (the `text` kind alone allows 64 KiB). */
const shortText = z.string().trim().min(1, 'must not be empty').max(500);
/** A date of birth is no later than today, anywhere on Earth (UTC+14: the last place today ends). */
const dateOfBirth = (KIND_SCHEMAS.date as z.ZodString).refine((value) => value <= new Date(Date.now() + 14 * 3_600_000).toISOString().slice(0, 10), { error: 'must not be in the future' });

const INPUT_OVERRIDES: Partial<Record<ClientFieldName, z.ZodType>> = { name: shortText, preferred_name: shortText, date_of_birth: dateOfBirth };

/** The shape of a value of each kind as it is read back (no input rules: stored values are returned as they are). */
const KIND_VIEWS: Record<FieldKind, z.ZodType> = {
  text: z.string(),
  email: z.string(),
  phone: z.string(),
  date: z.string().meta({ format: 'date' }),
  address: z.object({ line1: z.string(), line2: z.string(), city: z.string(), region: z.string(), postcode: z.string(), country: z.string() }).partial(),
  identifiers: z.array(z.object({ scheme: z.string(), value: z.string() })),
  contact_preferences: z.object({ reminders: z.boolean(), channels: z.array(z.enum(['email', 'sms', 'phone', 'post'])), voicemail: z.boolean() }),
};

/** The documentation of a field is the data map's: its label, and why it is collected. */
const described = <T extends z.ZodType>(schema: T, field: FieldSpec): T => schema.meta({ title: field.label, description: `${field.label}: ${field.purpose}` });

const fieldInput = (field: (typeof CLIENT_FIELDS)[number]): z.ZodType => described(INPUT_OVERRIDES[field.name] ?? (KIND_SCHEMAS[field.kind] as z.ZodType), field);

/** A custom field's name as a key (custom definitions are data, checked by the service). */
const customName = z.string().max(40);
/** A custom value: text (also e-mail, phone or date), an address or identifiers, as the field's definition declares. */
const customValue = z.union([KIND_SCHEMAS.text as z.ZodType<string>, KIND_SCHEMAS.address as z.ZodType<Address>, KIND_SCHEMAS.identifiers as z.ZodType<Identifier[]>]);
const customValues = z.record(customName, customValue);
const customDescription = { description: "Values of the organisation's custom fields, by field name; each is checked against its field's kind" };

/** One schema per built-in field (the map is the list; TypeScript only learns the names). */
type BuiltInShape<T extends z.ZodType = z.ZodType> = Record<ClientFieldName, T>;
const perField = <T extends z.ZodType>(make: (field: (typeof CLIENT_FIELDS)[number]) => T): BuiltInShape<T> =>
  Object.fromEntries(CLIENT_FIELDS.map((f) => [f.name, make(f)])) as unknown as BuiltInShape<T>;

/**
 * A new client as entered, built from the data map: each built-in field with its kind's rules and
 * the map's label and purpose as its documentation; `custom` values are checked against their
 * definitions by the service (they are data, not code). Unknown keys are refused.
 */
export const clientInputShape = {
  ...perField((f) => (f.required ? fieldInput(f) : fieldInput(f).optional())),
  status: clientStatus.optional(),
  custom: customValues.optional().meta(customDescription),
};
export const clientInput = z.strictObject(clientInputShape) as unknown as z.ZodType<Omit<ClientInput, 'custom'> & { custom?: Record<string, FieldValue> | undefined }> & {
  shape: typeof clientInputShape;
};

/**
 * A change to a client: any built-in field (null removes an optional one), the status, custom
 * values to set (null removes one). Unknown keys are refused.
 */
export const clientPatch = z.strictObject({
  ...perField((f) => (f.required ? fieldInput(f) : fieldInput(f).nullable()).optional()),
  status: clientStatus.optional(),
  custom: z.record(customName, customValue.nullable()).optional().meta({ description: `${customDescription.description}; null removes a value` }),
});

const isoTime = z.string().meta({ format: 'date-time' });

/** A client as returned: only the fields the reader may see, so every field is optional. */
export const clientView = z.object({
  id: z.string(),
  status: clientStatus,
  // Documented as date-times, not re-checked: this is the hottest read, and the values are ours.
  created_at: isoTime,
  updated_at: isoTime,
  last_contact_at: isoTime.nullable().meta({ description: 'The latest interaction, attended appointment or note (metadata, in the clear)' }),
  next_appointment_at: isoTime.nullable().meta({ description: 'The next booked appointment (metadata, in the clear)' }),
  fields: z.object(perField((f) => (described(KIND_VIEWS[f.kind], f) as z.ZodType<FieldValue>).optional())),
  custom: z.record(z.string(), z.union([z.string(), KIND_VIEWS.address, KIND_VIEWS.identifiers])).meta({ description: 'Custom field values the reader may see, by field name' }),
  tags: z.array(z.object({ id: z.string(), name: z.string(), sensitive: z.boolean() })).optional(),
});

/** A search query: exactly one searchable field. */
export const clientSearch = z.union([
  z.object({ field: z.literal('email'), value: z.string().trim().min(1).max(320) }),
  z.object({ field: z.literal('phone'), value: z.string().trim().min(1).max(64) }),
  z.object({ field: z.literal('name'), value: z.string().trim().min(1).max(500) }),
  z.object({ field: z.literal('identifiers'), value: z.string().trim().regex(/^[a-z0-9_-]{1,40}:.+$/, 'must be scheme:value').max(150) }),
]);
