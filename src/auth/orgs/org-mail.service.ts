import { codecOf, entryOf, orgKeyOwner, placeOf } from '../../datamap/index.ts';
import type { Keyring } from '../../platform/crypto/index.ts';
import { openField, sealField } from '../../platform/datamap/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type MailFrom, type MailSource, type Mailer, mailFailureReason, smtpMailer, smtpRelayMailer } from '../../platform/mail/index.ts';
import { type OrganisationRow, findOrganisationRow } from './org-settings.store.ts';

/**
 * The neutral display name of an organisation's mail until its owner picks one. Not the
 * organisation's name (a practice's name can say what it treats) and not the product's ("Confidant"
 * hints at confidential services): a recipient's inbox, or whoever looks over their shoulder, learns
 * nothing from it.
 */
export const DEFAULT_SENDER_NAME = 'Notifications';

/** The deployment's own relay (`CONFIDANT_SMTP_URL`, `CONFIDANT_MAIL_FROM`), when it has one. */
export interface DeploymentMail {
  smtpUrl: string;
  from: string;
}

/** Which relay sends an organisation's mail. */
export type MailSourceKind = 'deployment' | 'organisation' | 'none';

type RelayRow = Pick<OrganisationRow, 'sender_name' | 'mail_host' | 'mail_port' | 'mail_security' | 'mail_username' | 'mail_password_ct' | 'mail_from_address'>;

/**
 * The one rule of which relay sends an organisation's mail: the deployment's relay when the
 * deployment has one (its operator decided), else the organisation's own when configured, else none.
 */
export function mailSourceOf(row: RelayRow, deployment: DeploymentMail | undefined): MailSourceKind {
  if (deployment) return 'deployment';
  return row.mail_host && row.mail_port && row.mail_security && row.mail_from_address ? 'organisation' : 'none';
}

/** The From header of the organisation's mail: its neutral sender name and the relay's address. */
export function mailFromOf(row: RelayRow, deployment: DeploymentMail | undefined): { name: string; address: string } | null {
  const source = mailSourceOf(row, deployment);
  if (source === 'none') return null;
  return { name: row.sender_name ?? DEFAULT_SENDER_NAME, address: source === 'deployment' ? deployment!.from : row.mail_from_address! };
}

/** The From header as mail shows it: `"Name" <address>`. */
export function formatFrom(from: { name: string; address: string }): string {
  return `"${from.name}" <${from.address}>`;
}

/** The relay password of an organisation is sealed under its own organisation key (the data map's entry). */
const PASSWORD = entryOf('organisation_settings.mail_password_ct');
const PASSWORD_FIELD = codecOf(PASSWORD);
const passwordPlace = (orgId: string) => placeOf(PASSWORD, orgId, { org_id: orgId });

/** Seals a relay password for the organisation's settings row (the key is made on first use). */
export async function sealRelayPassword(keyring: Keyring, orgId: string, password: string): Promise<Uint8Array> {
  const key = await keyring.dataKeyOrCreate(orgId, orgKeyOwner(PASSWORD, orgId));
  return sealField(key, passwordPlace(orgId), PASSWORD_FIELD, password);
}

/** Opens the sealed relay password. @throws AppError INTEGRITY_ERROR when it was altered or moved. */
async function openRelayPassword(keyring: Keyring, orgId: string, sealed: Uint8Array): Promise<string> {
  const key = await keyring.dataKey(orgId, orgKeyOwner(PASSWORD, orgId), sealed);
  return openField(key, passwordPlace(orgId), PASSWORD_FIELD, sealed) as string;
}

/** What a mailer is built from: a mail source builds real SMTP mailers unless a test gives its own. */
export interface MailerFactory {
  deployment(url: string, from: MailFrom): Mailer;
  relay(relay: Parameters<typeof smtpRelayMailer>[0], from: MailFrom): Mailer;
}

const SMTP: MailerFactory = { deployment: smtpMailer, relay: smtpRelayMailer };

/**
 * The organisation-backed {@link MailSource}: the deployment's relay (with the organisation's sender
 * name) when set, else the organisation's own relay (its password unsealed), else null. One mailer
 * is kept per organisation, keyed by the settings it was built from: a change of the settings — on
 * this instance or another one sharing the database — drops it at the next send.
 *
 * ### Examples
 * ```ts
 * const mail = organisationMailSource({ db, keyring, deployment: config.mail });
 * const mailer = await mail.mailerFor(orgId); // null: show the link instead
 * ```
 */
export function organisationMailSource(deps: { db: Db; keyring: Keyring; deployment?: DeploymentMail | undefined; factory?: MailerFactory }): MailSource {
  const factory = deps.factory ?? SMTP;
  const cache = new Map<string, { fingerprint: string; mailer: Mailer }>();
  return {
    async mailerFor(orgId) {
      const row = await findOrganisationRow(deps.db, orgId);
      const from = row ? mailFromOf(row, deps.deployment) : null;
      if (!row || !from) {
        cache.delete(orgId);
        return null;
      }
      const source = mailSourceOf(row, deps.deployment);
      const fingerprint = JSON.stringify([source, from, row.mail_host, row.mail_port, row.mail_security, row.mail_username, row.mail_password_ct ? Buffer.from(row.mail_password_ct).toString('base64') : null]);
      const cached = cache.get(orgId);
      if (cached?.fingerprint === fingerprint) return cached.mailer;
      let mailer: Mailer;
      if (source === 'deployment') mailer = factory.deployment(deps.deployment!.smtpUrl, from);
      else {
        const pass = row.mail_password_ct && row.mail_username ? await openRelayPassword(deps.keyring, orgId, row.mail_password_ct) : null;
        mailer = factory.relay({ host: row.mail_host!, port: row.mail_port!, security: row.mail_security!, auth: pass !== null ? { user: row.mail_username!, pass } : undefined }, from);
      }
      cache.set(orgId, { fingerprint, mailer });
      return mailer;
    },
  };
}

const WHAT_TO_CHECK: Record<'deployment' | 'organisation', Record<ReturnType<typeof mailFailureReason>, string>> = {
  organisation: {
    unreachable: 'the mail relay could not be reached: check mail_relay.host and mail_relay.port, and that this server may connect to that relay',
    auth: 'the mail relay refused the sign-in: check mail_relay.username and enter mail_relay.password again',
    tls: "the secure connection to the mail relay failed: check mail_relay.security (starttls usually on port 587, tls on 465) and that the relay's certificate is valid",
    rejected: 'the mail relay refused the message: check that mail_relay.from_address is an address this relay may send from',
    other: 'the mail relay did not accept the message: check the mail relay settings, then try again',
  },
  deployment: {
    unreachable: "the deployment's mail relay could not be reached: ask whoever runs Confidant to check the host and port in CONFIDANT_SMTP_URL",
    auth: "the deployment's mail relay refused the sign-in: ask whoever runs Confidant to check the user and password in CONFIDANT_SMTP_URL",
    tls: "the secure connection to the deployment's mail relay failed: ask whoever runs Confidant to check CONFIDANT_SMTP_URL (smtp:// uses STARTTLS, smtps:// TLS) and the relay's certificate",
    rejected: "the deployment's mail relay refused the message: ask whoever runs Confidant to check that CONFIDANT_MAIL_FROM is an address the relay may send from",
    other: "the deployment's mail relay did not accept the message: ask whoever runs Confidant to check CONFIDANT_SMTP_URL",
  },
};

/**
 * A failed send as the caller may see it: what to check, in words of the settings, never the relay's
 * own answer (which can quote an address) nor any credential.
 */
export function mailSendError(error: unknown, source: 'deployment' | 'organisation'): AppError {
  const reason = mailFailureReason(error);
  return new AppError('MAIL_SEND_FAILED', WHAT_TO_CHECK[source][reason], { reason, source });
}

