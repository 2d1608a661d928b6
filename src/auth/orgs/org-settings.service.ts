import type { Actor } from '../../access/roles/index.ts';
import { requirePermission } from '../../access/gate/index.ts';
import type { AuditLog } from '../../audit/log/index.ts';
import { type AccessContext, actorOf } from '../../audit/log/index.ts';
import type { Keyring } from '../../platform/crypto/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { DEFAULT_RELAY_PORT, type MailSource, isLoopbackHost } from '../../platform/mail/index.ts';
import { canonicalTimeZone } from '../../platform/time/index.ts';
import { type DeploymentMail, formatFrom, mailFromOf, mailSendError, mailSourceOf, sealRelayPassword } from './org-mail.service.ts';
import { DEFAULT_SENDER_NAME } from './org-mail.service.ts';
import { type InvoiceDetails, type Language, type OrganisationPatch, type OrganisationSettingsView, invoiceDetails } from './orgs.schema.ts';
import { type OrganisationRow, type SettingsChange, findOrganisationRow, findStaffAddress, updateOrganisationName, upsertOrganisationSettings } from './org-settings.store.ts';
import { readSecuritySettings } from './security-settings.service.ts';

/** What the deployment decides over every organisation's settings (from its configuration). */
export interface DeploymentSettings {
  /** The deployment's base URL: `CONFIDANT_PUBLIC_URL`, or the listening address. */
  publicUrl: string;
  /** Whether `publicUrl` was configured (`CONFIDANT_PUBLIC_URL`): it then wins over the organisation's. */
  publicUrlConfigured: boolean;
  /** The deployment's relay (`CONFIDANT_SMTP_URL`): it then wins over the organisation's. */
  mail: DeploymentMail | undefined;
}

export interface OrgSettingsDeps {
  db: Db;
  audit: AuditLog;
  keyring: Keyring;
  deployment: DeploymentSettings;
}

/** The base of links in the organisation's mail, and where it comes from (the one precedence rule). */
export function effectivePublicUrl(row: Pick<OrganisationRow, 'public_url'> | undefined, deployment: DeploymentSettings): { url: string; source: 'deployment' | 'organisation' | 'listen_address' } {
  if (deployment.publicUrlConfigured) return { url: deployment.publicUrl, source: 'deployment' };
  if (row?.public_url) return { url: row.public_url, source: 'organisation' };
  return { url: deployment.publicUrl, source: 'listen_address' };
}

/**
 * What a message of the organisation is written with: the base of its links and its language.
 * For mail other folders send (an invitation); reads no secret.
 */
/** The organisation's time zone (UTC until the owner sets one): the day staff see unless they choose their own. */
export async function organisationTimeZone(db: Db, orgId: string): Promise<string> {
  return (await findOrganisationRow(db, orgId))?.time_zone ?? 'UTC';
}

/** The organisation's language (its collation orders names where the list sorts them), `en` until set. */
export async function organisationLanguage(db: Db, orgId: string): Promise<Language> {
  return (await findOrganisationRow(db, orgId))?.language ?? 'en';
}

/** The prefix of invoice numbers when the organisation set none. */
export const DEFAULT_INVOICE_PREFIX = 'INV-';

/** The prefix the organisation's next invoice number is issued with (`INV-` until set). */
export async function invoicePrefixOf(db: Db, orgId: string): Promise<string> {
  return (await findOrganisationRow(db, orgId))?.invoice_prefix ?? DEFAULT_INVOICE_PREFIX;
}

const issuerDetails = invoiceDetails.nullable();

/** The stored invoice details of the organisation, parsed (null when none are set). */
const detailsOf = (row: Pick<OrganisationRow, 'invoice_details'>): InvoiceDetails | null => (row.invoice_details === null ? null : issuerDetails.parse(JSON.parse(row.invoice_details)));

/**
 * What an invoice prints about its issuer: the organisation's name and invoice details (null when
 * none are set). The organisation's own data, no client's: the caller's route decides who may read it.
 *
 * @throws AppError NOT_FOUND when there is no such organisation.
 */
export async function invoiceIssuerOf(db: Db, orgId: string): Promise<{ name: string; invoice_details: InvoiceDetails | null }> {
  const row = await findOrganisationRow(db, orgId);
  if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
  return { name: row.name, invoice_details: detailsOf(row) };
}

export async function messageContextOf(db: Db, deployment: DeploymentSettings, orgId: string): Promise<{ publicUrl: string; language: Language }> {
  const row = await findOrganisationRow(db, orgId);
  return { publicUrl: effectivePublicUrl(row, deployment).url, language: row?.language ?? 'en' };
}

/**
 * The organisation's settings: name, language, time zone, public URL (its own and the one in effect),
 * sender name, its relay (never the password: `password_set` says whether one is stored), which relay
 * is in effect, and the security settings. Caller holds `org.settings`.
 *
 * @throws AppError FORBIDDEN (audited).
 */
export async function getOrganisationSettings(deps: OrgSettingsDeps, actor: Actor, ctx: AccessContext): Promise<OrganisationSettingsView> {
  await requirePermission(deps.audit, actor, ctx, 'org.settings');
  return view(deps, actor.orgId);
}

const priceOf = (row: Pick<OrganisationRow, 'default_session_price_minor' | 'default_session_currency'>) =>
  row.default_session_price_minor !== null && row.default_session_currency !== null ? { unit_minor: Number(row.default_session_price_minor), currency: row.default_session_currency } : null;

/** The organisation's default session price (billing an attended appointment that names none), or null. */
export async function defaultSessionPriceOf(db: Db, orgId: string): Promise<{ unit_minor: number; currency: string } | null> {
  const row = await findOrganisationRow(db, orgId);
  return row ? priceOf(row) : null;
}

async function view(deps: Pick<OrgSettingsDeps, 'db' | 'deployment'>, orgId: string): Promise<OrganisationSettingsView> {
  const row = await findOrganisationRow(deps.db, orgId);
  if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
  const url = effectivePublicUrl(row, deps.deployment);
  const from = mailFromOf(row, deps.deployment.mail);
  const relay = row.mail_host && row.mail_port && row.mail_security && row.mail_from_address;
  return {
    id: row.id,
    name: row.name,
    language: row.language ?? 'en',
    time_zone: row.time_zone ?? 'UTC',
    public_url: row.public_url,
    public_url_effective: url.url,
    public_url_source: url.source,
    sender_name: row.sender_name ?? DEFAULT_SENDER_NAME,
    invoice_prefix: row.invoice_prefix ?? DEFAULT_INVOICE_PREFIX,
    default_session_price: priceOf(row),
    invoice_details: detailsOf(row),
    mail_relay: relay ? { host: row.mail_host!, port: row.mail_port!, security: row.mail_security!, username: row.mail_username, password_set: row.mail_password_ct !== null, from_address: row.mail_from_address! } : null,
    mail: { source: mailSourceOf(row, deps.deployment.mail), from: from ? formatFrom(from) : null },
    security: await readSecuritySettings(deps.db, orgId),
  };
}

/**
 * Words a sender name must not hold: it shows in every recipient's inbox, so it must not say what
 * kind of practice writes (English and German stems).
 */
const REVEALING = /therap|psych|\bcounsel|clinic|klinik|\bmental|addict|\bsucht|rehab|trauma|abortion|\b(hiv|std|sti)\b/i;

/**
 * Changes the organisation's settings (only the fields given; `null` clears), seals a new relay
 * password, and records one `config.change` event naming the settings changed — never a value.
 * Change and event commit in one transaction. Caller holds `org.settings` (the route asks for a
 * recent sign-in).
 *
 * @throws AppError FORBIDDEN (audited); VALIDATION_FAILED naming the field (an unknown time zone, a
 *   public URL that is not http(s), a sender name that names the practice, a password without a
 *   user name, or a stored password kept for a changed host); MAIL_RELAY_INSECURE for `security:
 *   none` to a host other than this machine.
 */
export async function updateOrganisationSettings(deps: OrgSettingsDeps, actor: Actor, ctx: AccessContext, patch: OrganisationPatch, now = Date.now()): Promise<OrganisationSettingsView> {
  await requirePermission(deps.audit, actor, ctx, 'org.settings');
  const current = await findOrganisationRow(deps.db, actor.orgId);
  if (!current) throw new AppError('NOT_FOUND', 'no such organisation');
  const set: SettingsChange = {};
  const changed: string[] = [];
  if (patch.language !== undefined) set.language = patch.language;
  if (patch.time_zone !== undefined) set.time_zone = timeZone(patch.time_zone);
  if (patch.public_url !== undefined) set.public_url = patch.public_url === null ? null : publicUrl(patch.public_url);
  if (patch.sender_name !== undefined) set.sender_name = patch.sender_name === null ? null : senderName(patch.sender_name, patch.name ?? current.name);
  if (patch.invoice_prefix !== undefined) {
    refuseCardData({ invoice_prefix: patch.invoice_prefix });
    set.invoice_prefix = patch.invoice_prefix;
  }
  if (patch.invoice_details !== undefined) {
    refuseCardData({ invoice_details: patch.invoice_details });
    set.invoice_details = patch.invoice_details === null ? null : JSON.stringify(patch.invoice_details);
  }
  if (patch.default_session_price !== undefined) {
    set.default_session_price_minor = patch.default_session_price?.unit_minor ?? null;
    set.default_session_currency = patch.default_session_price?.currency ?? null;
  }
  if (patch.mail_relay !== undefined) {
    const relay = await relayChange(deps.keyring, actor.orgId, current, patch.mail_relay);
    Object.assign(set, relay.set);
    changed.push(relay.described);
  }
  changed.unshift(...(['name', 'language', 'time_zone', 'public_url', 'sender_name', 'invoice_prefix', 'invoice_details', 'default_session_price'] as const).filter((k) => patch[k] !== undefined));
  await deps.db.transaction().execute(async (tx) => {
    if (patch.name !== undefined) await updateOrganisationName(tx, actor.orgId, patch.name);
    if (Object.keys(set).length > 0) await upsertOrganisationSettings(tx, actor.orgId, set, now);
    await deps.audit.appendInTx(tx, { time: now, orgId: actor.orgId, ...actorOf({ ...ctx, purpose: `organisation settings: ${changed.join(', ') || 'none'}` }), action: 'config.change', recordType: 'organisation', recordIds: [actor.orgId], fields: [], outcome: 'allowed' });
  });
  return view(deps, actor.orgId);
}

function invalid(field: string, rule: string): AppError {
  return new AppError('VALIDATION_FAILED', `${field} ${rule}`, { fields: [field] });
}

function timeZone(value: string): string {
  const zone = canonicalTimeZone(value);
  if (!zone) throw invalid('time_zone', 'must be an IANA time zone name, such as Europe/Berlin or UTC');
  return zone;
}

function publicUrl(value: string): string {
  const url = URL.canParse(value) ? new URL(value) : null;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) throw invalid('public_url', 'must be an http:// or https:// URL');
  if (url.username || url.password || url.search || url.hash) throw invalid('public_url', 'must be a plain base URL, without a user name, password, query or fragment');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function senderName(value: string, organisationName: string): string {
  const org = organisationName.trim().toLowerCase();
  if (REVEALING.test(value) || (org.length >= 3 && value.toLowerCase().includes(org))) {
    throw invalid('sender_name', 'must be neutral: it shows in every recipient’s inbox, so it must not name the organisation or the kind of practice (for example, use Appointments)');
  }
  return value;
}

type RelayInput = NonNullable<OrganisationPatch['mail_relay']>;

/** The relay columns a change sets, and how the audit event names it (names and states, no values). */
async function relayChange(keyring: Keyring, orgId: string, current: OrganisationRow, input: RelayInput | null): Promise<{ set: SettingsChange; described: string }> {
  if (input === null) {
    return { set: { mail_host: null, mail_port: null, mail_security: null, mail_username: null, mail_password_ct: null, mail_from_address: null }, described: 'mail_relay (removed)' };
  }
  if (input.security === 'none' && !isLoopbackHost(input.host)) {
    throw new AppError('MAIL_RELAY_INSECURE', 'mail_relay.security none sends the password and every message in clear: it is allowed only for a relay on this machine (localhost, 127.0.0.1, ::1); use starttls or tls', { fields: ['mail_relay.security'] });
  }
  const port = input.port ?? DEFAULT_RELAY_PORT[input.security];
  const username = input.username ?? null;
  if (username === null && typeof input.password === 'string') throw invalid('mail_relay.password', 'needs mail_relay.username: a relay signs in with both');
  const sameServer = current.mail_host === input.host && current.mail_port === port && current.mail_security === input.security;
  let password: { ct: Uint8Array | null; state: string };
  if (typeof input.password === 'string') password = { ct: await sealRelayPassword(keyring, orgId, input.password), state: 'password set' };
  else if (input.password === null || username === null) password = { ct: null, state: current.mail_password_ct ? 'password cleared' : 'no password' };
  else if (current.mail_password_ct && !sameServer) {
    // The stored password is never sent to a server it was not given for: whoever changes the host
    // must know the password.
    throw invalid('mail_relay.password', 'must be entered again when the host, port or security change: the stored one is sent only to the relay it was given for');
  } else password = { ct: current.mail_password_ct, state: current.mail_password_ct ? 'password kept' : 'no password' };
  return {
    set: { mail_host: input.host, mail_port: port, mail_security: input.security, mail_username: username, mail_password_ct: password.ct, mail_from_address: input.from_address },
    described: `mail_relay (${password.state})`,
  };
}

/** A neutral test message in the organisation's language: no client data, no setting, no name. */
const TEST_MESSAGE: Record<Language, { subject: string; text: string }> = {
  en: { subject: 'Test message', text: 'This is a test message from the mail settings. It arrived, so mail can be sent.\n\nNo reply is needed.\n' },
  de: { subject: 'Testnachricht', text: 'Dies ist eine Testnachricht aus den E-Mail-Einstellungen. Sie ist angekommen, der Versand funktioniert also.\n\nSie müssen nicht antworten.\n' },
};

/**
 * Sends a neutral test message, through the relay in effect, to the caller's own address (never to
 * an address the caller names). Caller holds `org.settings`.
 *
 * @throws AppError FORBIDDEN (audited); MAIL_NOT_CONFIGURED when no relay is in effect;
 *   MAIL_SEND_FAILED (details.reason: unreachable | auth | tls | rejected | other) saying what to check.
 */
export async function sendTestMail(deps: OrgSettingsDeps & { mail: MailSource }, actor: Actor, ctx: AccessContext): Promise<void> {
  await requirePermission(deps.audit, actor, ctx, 'org.settings');
  const row = await findOrganisationRow(deps.db, actor.orgId);
  const source = row ? mailSourceOf(row, deps.deployment.mail) : 'none';
  const mailer = await deps.mail.mailerFor(actor.orgId);
  if (source === 'none' || !mailer) throw new AppError('MAIL_NOT_CONFIGURED', 'no mail relay is configured: set mail_relay with PATCH /api/v1/organisation (or the deployment’s CONFIDANT_SMTP_URL), then send the test again');
  const to = await findStaffAddress(deps.db, actor.orgId, actor.userId);
  if (!to) throw new AppError('NOT_FOUND', 'your account has no e-mail address to send the test to');
  try {
    await mailer.send({ to, ...TEST_MESSAGE[row?.language ?? 'en'] });
  } catch (error) {
    throw mailSendError(error, source);
  }
}
