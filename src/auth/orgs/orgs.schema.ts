import { z } from 'zod';
import { organisationName } from '../setup/index.ts';

/** The organisation's security settings as they stand. */
export const securitySettings = z.object({ require_mfa: z.boolean(), idle_timeout_minutes: z.number(), absolute_timeout_hours: z.number() });

/** Languages of the staff app and of the organisation's mail. */
export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Text without control characters (a display name ends up in a mail header). */
const headerText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max)
    .refine((v) => !/[\u0000-\u001f\u007f"<>]/.test(v), 'must be plain text without line breaks, quotes or angle brackets');

/** A host name or IP address (IPv6 in brackets or bare), no scheme, port or path. */
const relayHost = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'must not be empty')
  .max(253)
  .refine((v) => /^(\[[0-9a-f:.]+\]|[0-9a-f:.]*:[0-9a-f:.]*|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)$/.test(v), 'must be a host name or IP address, without scheme or port');

/** Letters, digits and a few separators, up to 20: what an invoice number begins with. */
export const invoicePrefix = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(20)
  .regex(/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/, 'must start with a letter or digit and hold only letters, digits, -, _, / and .');

/** The organisation's details printed on its invoices (its own data, never a client's). */
export const invoiceDetails = z.strictObject({
  address_lines: z.array(z.string().trim().min(1).max(200)).max(8).default([]).meta({ description: "The organisation's postal address, one line each (at most 8)" }),
  tax_number: z.string().trim().min(1).max(50).nullable().default(null).meta({ description: 'Tax or VAT registration number (null: none printed)' }),
  payment_terms: z.string().trim().min(1).max(1000).nullable().default(null).meta({ description: 'Payment terms printed under the totals, such as "Payable within 14 days by bank transfer to …"' }),
});
export type InvoiceDetails = z.infer<typeof invoiceDetails>;

/** Body of `PATCH /api/v1/organisation`: each field optional; what is absent stays as it is. */
export const organisationPatch = z.object({
  name: organisationName.optional(),
  language: z.enum(LANGUAGES).optional().meta({ description: 'Default language for new staff and for mail' }),
  time_zone: z.string().trim().min(1).max(64).optional().meta({ description: 'IANA time zone name, such as Europe/Berlin' }),
  public_url: z
    .string()
    .trim()
    .max(2000)
    .nullable()
    .optional()
    .meta({ description: 'Base of links sent by mail (http:// or https://); null clears it. A CONFIDANT_PUBLIC_URL of the deployment wins over it.' }),
  sender_name: headerText(100).nullable().optional().meta({ description: 'Neutral display name of outgoing mail, such as "Appointments"; null restores the default' }),
  invoice_prefix: invoicePrefix.nullable().optional().meta({ description: 'Prefix of invoice numbers given from now on (issued numbers keep theirs); null restores the default INV-' }),
  invoice_details: invoiceDetails.nullable().optional().meta({ description: 'What invoices print about the organisation (address lines, tax number, payment terms); null removes them. Card data is refused.' }),
  default_session_price: z
    .strictObject({ unit_minor: z.number().int().min(0).max(100_000_000), currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GBP') })
    .nullable()
    .optional()
    .meta({ description: 'The price (minor units, before tax) of a session billed from an attended appointment when the call names none; null removes it' }),
  mail_relay: z
    .object({
      host: relayHost,
      port: z.number().int().min(1).max(65535).optional().meta({ description: 'Default: 587 (starttls), 465 (tls), 25 (none)' }),
      security: z.enum(['starttls', 'tls', 'none']).meta({ description: '`none` only for a relay on this machine (localhost, 127.x, ::1)' }),
      username: z.string().trim().min(1).max(320).nullable().optional(),
      password: z.string().min(1).max(1024).nullable().optional().meta({ description: 'Absent: keep the stored one (not when the host, port or security change); null: clear it. Never returned.' }),
      from_address: z.email({ error: 'must be an e-mail address' }).max(254),
    })
    .nullable()
    .optional()
    .meta({ description: "The organisation's own SMTP relay; null removes it. The deployment's CONFIDANT_SMTP_URL wins over it." }),
});
export type OrganisationPatch = z.infer<typeof organisationPatch>;

/** The organisation's settings as `GET /api/v1/organisation` answers them (never a password). */
export const organisationSettings = z.object({
  id: z.string(),
  name: z.string(),
  language: z.enum(LANGUAGES),
  time_zone: z.string(),
  public_url: z.string().nullable().meta({ description: "The organisation's own setting (null: none)" }),
  public_url_effective: z.string().meta({ description: 'The base links use: the deployment’s CONFIDANT_PUBLIC_URL when set, else public_url, else the listening address' }),
  public_url_source: z.enum(['deployment', 'organisation', 'listen_address']),
  sender_name: z.string().meta({ description: 'The display name of outgoing mail (the default when none is set)' }),
  invoice_prefix: z.string().meta({ description: 'Prefix of invoice numbers issued from now on (INV- when none is set)' }),
  invoice_details: z.object({ address_lines: z.array(z.string()), tax_number: z.string().nullable(), payment_terms: z.string().nullable() }).nullable().meta({ description: 'What invoices print about the organisation (null: none set)' }),
  default_session_price: z.object({ unit_minor: z.number().int(), currency: z.string() }).nullable().meta({ description: 'The price of a session billed from an attended appointment when the call names none (null: none set)' }),
  mail_relay: z
    .object({ host: z.string(), port: z.number(), security: z.enum(['starttls', 'tls', 'none']), username: z.string().nullable(), password_set: z.boolean(), from_address: z.string() })
    .nullable(),
  mail: z.object({
    source: z.enum(['deployment', 'organisation', 'none']).meta({ description: 'Which relay sends this organisation’s mail' }),
    from: z.string().nullable().meta({ description: 'The From header mail is sent with (null: no mail is sent)' }),
  }),
  security: securitySettings,
});
export type OrganisationSettingsView = z.infer<typeof organisationSettings>;
