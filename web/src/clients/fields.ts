import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import type { paths } from '../api/client';
import { i18n } from '../i18n/i18n';

export type FormField = paths['/api/v1/clients/fields']['get']['responses'][200]['content']['application/json']['fields'][number];
export type Client = paths['/api/v1/clients/{id}']['get']['responses'][200]['content']['application/json'];
export type Status = Client['status'];
export type Address = NonNullable<Client['fields']['postal_address']>;
export type Identifier = NonNullable<Client['fields']['identifiers']>[number];
export type ContactPreferences = NonNullable<Client['fields']['contact_preferences']>;
export type ContactChannel = ContactPreferences['channels'][number];

/** The channels a client may agree to, in the order the form offers them, with their names. */
export const CONTACT_CHANNELS: { id: ContactChannel; label: MessageDescriptor; word: MessageDescriptor }[] = [
  { id: 'email', label: msg`E-mail`, word: msg`e-mail` },
  { id: 'sms', label: msg`Text message`, word: msg`text` },
  { id: 'phone', label: msg`Phone call`, word: msg`phone` },
  { id: 'post', label: msg`Letter`, word: msg`letter` },
];

/**
 * The built-in fields' labels and help texts in the reader's language. The server's form
 * (GET /api/v1/clients/fields, from the data map) says which fields a role meets and in what order;
 * these only translate them (a test holds the names to the data map). Custom fields bring their own label.
 */
export const FIELD_TEXT: Record<string, { label: MessageDescriptor; help: MessageDescriptor }> = {
  name: { label: msg`Name`, help: msg`Identifies the client in every record and conversation.` },
  preferred_name: { label: msg`Preferred name`, help: msg`How the client wishes to be addressed.` },
  email: { label: msg`E-mail`, help: msg`To contact the client and send the reminders they agreed to.` },
  phone: { label: msg`Phone`, help: msg`To contact the client and confirm appointments.` },
  postal_address: { label: msg`Postal address`, help: msg`For letters and invoices.` },
  date_of_birth: { label: msg`Date of birth`, help: msg`To confirm identity and meet age-related duties of care.` },
  identifiers: { label: msg`External identifiers`, help: msg`To match the client with insurers and public bodies (for example a national or insurance number).` },
  contact_preferences: { label: msg`Contact preferences`, help: msg`Whether and how the client agreed to be contacted (reminders, messages).` },
};

export const GROUP_TEXT: Record<string, MessageDescriptor> = {
  identity: msg`Who they are`,
  contact: msg`How to reach them`,
  official: msg`Official identifiers`,
  custom: msg`Your organisation's fields`,
};

export const STATUS_TEXT: Record<Status, MessageDescriptor> = {
  lead: msg`Lead`,
  active: msg`Active`,
  inactive: msg`Inactive`,
  former: msg`Former`,
};
export const STATUSES: Status[] = ['lead', 'active', 'inactive', 'former'];

export function fieldLabel(field: FormField, _: (d: MessageDescriptor) => string): string {
  const text = field.custom ? undefined : FIELD_TEXT[field.name];
  return text ? _(text.label) : field.label;
}

export function fieldHelp(field: FormField, _: (d: MessageDescriptor) => string): string {
  const text = field.custom ? undefined : FIELD_TEXT[field.name];
  return text ? _(text.help) : field.purpose;
}

/** The name a person is addressed by: the preferred name when there is one. */
export function displayName(c: { fields: { name?: string; preferred_name?: string } }): string {
  return c.fields.preferred_name ?? c.fields.name ?? '';
}

const isContactPreferences = (value: object): value is ContactPreferences => 'reminders' in value && 'channels' in value && 'voicemail' in value;

/** Contact preferences as a plain sentence: "Reminders by e-mail and text; no voicemail", "No reminders; voicemail allowed". */
export function contactPreferencesText(p: ContactPreferences, _: (d: MessageDescriptor) => string = (d) => i18n._(d)): string {
  const ways = CONTACT_CHANNELS.filter((c) => p.channels.includes(c.id)).map((c) => _(c.word));
  const and = _(msg`and`);
  const listed = ways.length <= 1 ? (ways[0] ?? '') : `${ways.slice(0, -1).join(', ')} ${and} ${ways.at(-1)!}`;
  const reminders = !p.reminders ? _(msg`No reminders`) : ways.length ? _(msg`Reminders by ${listed}`) : _(msg`Reminders (no channel chosen)`);
  if (!p.reminders && !p.voicemail) return reminders;
  const voicemail = p.voicemail ? _(msg`voicemail allowed`) : _(msg`no voicemail`);
  return `${reminders}; ${voicemail}`;
}

/** A field's value as one line of text (addresses and identifiers joined, contact preferences as a sentence), or null when absent. */
export function valueText(value: unknown, _?: (d: MessageDescriptor) => string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && isContactPreferences(value)) return contactPreferencesText(value, _);
  if (Array.isArray(value)) return (value as Identifier[]).map((i) => `${i.scheme}: ${i.value}`).join(', ');
  const a = value as Address;
  return [a.line1, a.line2, [a.postcode, a.city].filter(Boolean).join(' '), a.region, a.country].filter(Boolean).join(', ');
}
