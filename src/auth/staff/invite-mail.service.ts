import type { Db } from '../../platform/db/index.ts';
import { type MailSource, mailFailureReason } from '../../platform/mail/index.ts';
import { type DeploymentSettings, type Language, messageContextOf } from '../orgs/index.ts';

/** How an invitation reached (or is to reach) the invitee. */
export type InviteDelivery =
  | { delivery: 'mail'; sent_to: string }
  | { delivery: 'link'; invite_url: string; token: string; mail_error?: 'MAIL_SEND_FAILED'; mail_error_reason?: ReturnType<typeof mailFailureReason> };

/** The invitation mail: neutral (no organisation, no practice, no role), in the organisation's language. */
const INVITE_MESSAGE: Record<Language, (link: string) => { subject: string; text: string }> = {
  en: (link) => ({
    subject: 'Your invitation',
    text: `You have been invited to create an account. Open this link within 72 hours to choose your password:\n\n${link}\n\nThe link works once. If you were not expecting this invitation, ignore this message.\n`,
  }),
  de: (link) => ({
    subject: 'Ihre Einladung',
    text: `Sie wurden eingeladen, ein Konto anzulegen. Öffnen Sie diesen Link innerhalb von 72 Stunden, um Ihr Passwort festzulegen:\n\n${link}\n\nDer Link funktioniert einmal. Wenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese Nachricht.\n`,
  }),
};

/**
 * Delivers a new invitation: by mail to the invitee when the organisation has a mailer — then the
 * link is not returned, so only the invitee ever holds it — otherwise as a link for the inviter to
 * pass on. A failed send leaves the invitation valid and returns the link with `mail_error`, so the
 * inviter can still pass it on (the failure is logged by reason, without the address).
 */
export async function deliverInvite(deps: { db: Db; mail: MailSource; deployment: DeploymentSettings; log?: { warn(obj: object, msg: string): void } }, orgId: string, invite: { email: string; token: string }): Promise<InviteDelivery> {
  const context = await messageContextOf(deps.db, deps.deployment, orgId);
  const link = `${context.publicUrl}/invite?token=${invite.token}`;
  const mailer = await deps.mail.mailerFor(orgId);
  if (!mailer) return { delivery: 'link', invite_url: link, token: invite.token };
  try {
    await mailer.send({ to: invite.email, ...INVITE_MESSAGE[context.language](link) });
    return { delivery: 'mail', sent_to: invite.email };
  } catch (error) {
    const reason = mailFailureReason(error);
    deps.log?.warn({ reason }, 'invitation mail not sent; the link was returned instead');
    return { delivery: 'link', invite_url: link, token: invite.token, mail_error: 'MAIL_SEND_FAILED', mail_error_reason: reason };
  }
}
