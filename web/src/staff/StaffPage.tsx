import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan, useMe } from '../app/session';
import { useStepUp } from '../app/StepUp';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Field } from '../ui/Field';
import { Section } from '../ui/Section';
import { Select } from '../ui/Select';
import { useDateTime } from '../ui/format';
import { ROLES, type Role } from './roles';

const INVITE_ERRORS = {
  CONFLICT: msg`Someone with this e-mail address has an account or an open invitation already.`,
  VALIDATION_FAILED: msg`Enter the person's work e-mail address and choose a role.`,
};

/** Staff: who works here with which role, inviting someone, and an account's recovery and disabling. */
export function StaffPage() {
  const can = useCan();
  return (
    <>
      <h1><Trans>Staff</Trans></h1>
      {can('staff.invite') ? <InviteSection /> : null}
      <StaffList />
    </>
  );
}

function InviteSection() {
  const { _ } = useLingui();
  const withStepUp = useStepUp();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('practitioner');
  const [copied, setCopied] = useState(false);
  const invite = useMutation({
    mutationFn: () => withStepUp(() => data(api.POST('/api/v1/staff/invites', { body: { email, role } }))),
    onSuccess: () => {
      setCopied(false);
      setEmail('');
      return queryClient.invalidateQueries({ queryKey: ['staff'] });
    },
  });
  const sent = invite.data;
  const link = sent?.delivery === 'link' ? (sent.invite_url ?? null) : null;
  const copy = async () => {
    if (!link) return;
    await navigator.clipboard.writeText(link);
    setCopied(true);
  };
  return (
    <Section id="invite" title={<Trans>Invite someone</Trans>} description={<Trans>They choose their own password and set up a second factor when they accept. An invitation works once, for 72 hours.</Trans>}>
      <Alert>{invite.isError ? _(errorMessage(invite.error, INVITE_ERRORS)) : null}</Alert>
      {sent && link ? (
        <div className="notice" role="status">
          <p>{sent.mail_error ? <Trans>The invitation could not be sent by mail (check the mail settings under Organisation). It is valid: give this link to the person yourself, in person or over a channel you trust. Anyone with the link can accept it.</Trans> : <Trans>Mail is not set up, so give this link to the person yourself, in person or over a channel you trust. Anyone with the link can accept the invitation.</Trans>}</p>
          <div className="copy-row">
            <code className="secret" data-testid="invite-link">{link}</code>
            <Button variant="quiet" onPress={() => void copy()}>{copied ? <Trans>Copied</Trans> : <Trans>Copy link</Trans>}</Button>
          </div>
        </div>
      ) : sent ? (
        <p className="notice" role="status"><Trans>The invitation is on its way by e-mail to {sent.sent_to}. It works once, for 72 hours.</Trans></p>
      ) : null}
      <Form className="form narrow" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); invite.mutate(); }}>
        <Field label={<Trans>Work e-mail address</Trans>} name="invite-email" type="email" isRequired value={email} onChange={setEmail} />
        <Select label={<Trans>Role</Trans>} name="invite-role" value={role} onChange={setRole} description={_(ROLES[role].does)} options={(Object.keys(ROLES) as Role[]).map((id) => ({ id, label: _(ROLES[id].name) }))} />
        <div className="actions"><Button type="submit" isDisabled={invite.isPending}><Trans>Send invitation</Trans></Button></div>
      </Form>
    </Section>
  );
}

type Member = { id: string; email: string; role: Role; status: 'active' | 'disabled'; mfa: 'totp' | 'passkey' | 'totp+passkey' | 'none'; locked: boolean; last_sign_in_at: string | null };

function StaffList() {
  const { _ } = useLingui();
  const me = useMe();
  const can = useCan();
  const formatDate = useDateTime();
  const staff = useQuery({ queryKey: ['staff'], queryFn: () => data(api.GET('/api/v1/staff')) });
  const [acting, setActing] = useState<Member | null>(null);
  return (
    <Section id="staff-list" title={<Trans>Everyone with an account</Trans>}>
      <Alert>{staff.isError ? _(errorMessage(staff.error)) : null}</Alert>
      {staff.data ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col"><Trans>E-mail address</Trans></th>
              <th scope="col"><Trans>Role</Trans></th>
              <th scope="col"><Trans>Second factor</Trans></th>
              <th scope="col"><Trans>Last sign-in</Trans></th>
              <th scope="col"><span className="visually-hidden"><Trans>Actions</Trans></span></th>
            </tr>
          </thead>
          <tbody>
            {staff.data.staff.map((m) => (
              <tr key={m.id}>
                <td>{m.email}{m.status === 'disabled' ? <span className="badge"><Trans>disabled</Trans></span> : m.locked ? <span className="badge"><Trans>locked</Trans></span> : null}</td>
                <td>{_(ROLES[m.role].name)}</td>
                <td>{m.mfa === 'none' ? <Trans>none yet</Trans> : m.mfa === 'totp' ? <Trans>authenticator app</Trans> : m.mfa === 'passkey' ? <Trans>passkey</Trans> : <Trans>authenticator app and passkey</Trans>}</td>
                <td>{m.last_sign_in_at ? formatDate(m.last_sign_in_at) : <Trans>never</Trans>}</td>
                <td>{m.id !== me.user_id && m.status === 'active' && can('staff.disable') ? <Button variant="quiet" onPress={() => setActing(m)} aria-label={_(msg`Manage ${m.email}`)}><Trans>Manage</Trans></Button> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {acting ? <ManageDialog member={acting} onClose={() => setActing(null)} /> : null}
    </Section>
  );
}

function ManageDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const { _ } = useLingui();
  const can = useCan();
  const withStepUp = useStepUp();
  const queryClient = useQueryClient();
  const [done, setDone] = useState<string | null>(null);
  const [resetLink, setResetLink] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<'disable' | 'factor' | null>(null);
  const path = { params: { path: { id: member.id } } };
  const act = useMutation({
    mutationFn: async (what: 'unlock' | 'disable' | 'password' | 'factor') => {
      if (what === 'unlock') await withStepUp(() => data(api.POST('/api/v1/staff/{id}/unlock', path)));
      else if (what === 'disable') await withStepUp(() => data(api.POST('/api/v1/staff/{id}/disable', path)));
      else if (what === 'factor') await withStepUp(() => data(api.POST('/api/v1/staff/{id}/mfa-reset', path)));
      else {
        const issued = await withStepUp(() => data(api.POST('/api/v1/staff/{id}/password-reset', path)));
        setResetLink(issued.delivery === 'link' ? issued.link : null);
      }
      return what;
    },
    onSettled: () => setConfirming(null),
    onSuccess: async (what) => {
      const said = {
        unlock: msg`${member.email} can sign in again.`,
        disable: msg`${member.email} is disabled: their sessions, API tokens and invitations have ended.`,
        factor: msg`The second factor of ${member.email} is removed and their sessions have ended. At their next sign-in they set up a new one.`,
        password: msg`A password-reset link for ${member.email} is on its way by e-mail. It works once, for 30 minutes.`,
      }[what];
      setDone(_(said));
      await queryClient.invalidateQueries({ queryKey: ['staff'] });
    },
  });
  return (
    <Dialog title={<Trans>Manage {member.email}</Trans>} isOpen onOpenChange={(open) => { if (!open) onClose(); }}>
      <Alert>{act.isError ? _(errorMessage(act.error)) : null}</Alert>
      {resetLink ? (
        <div className="notice" role="status">
          <p><Trans>Mail is not set up: give this link to {member.email} yourself. It works once, for 30 minutes, and sets a new password; their second factor stays.</Trans></p>
          <code className="secret" data-testid="reset-link">{resetLink}</code>
        </div>
      ) : done ? <p className="notice" role="status">{done}</p> : null}
      <dl className="facts">
        {member.locked ? (
          <div>
            <dt><Trans>Locked after failed sign-ins</Trans></dt>
            <dd><Button variant="quiet" onPress={() => act.mutate('unlock')} isDisabled={act.isPending}><Trans>Unlock</Trans></Button></dd>
          </div>
        ) : null}
        {can('staff.reset') ? (
          <>
            <div>
              <dt><Trans>Forgotten password</Trans></dt>
              <dd>
                <p className="muted"><Trans>Sends them a one-time link to choose a new password (or shows it, when mail is not set up). Their sessions end when they use it.</Trans></p>
                <Button variant="quiet" onPress={() => act.mutate('password')} isDisabled={act.isPending}><Trans>Reset password</Trans></Button>
              </dd>
            </div>
            <div>
              <dt><Trans>Lost phone or security key</Trans></dt>
              <dd>
                <p className="muted"><Trans>Removes their authenticator app, recovery codes and passkeys and signs them out everywhere; they set up a new second factor at their next sign-in. Confirm who is asking first: whoever has their password can then enrol.</Trans></p>
                {confirming === 'factor' ? (
                  <div className="confirm" role="group" aria-label={_(msg`Confirm resetting the second factor`)}>
                    <Button variant="danger" onPress={() => act.mutate('factor')} isDisabled={act.isPending}><Trans>Yes, remove their second factor</Trans></Button>
                    <Button variant="quiet" onPress={() => setConfirming(null)}><Trans>Keep it</Trans></Button>
                  </div>
                ) : <Button variant="quiet" onPress={() => setConfirming('factor')} isDisabled={act.isPending}><Trans>Reset second factor</Trans></Button>}
              </dd>
            </div>
          </>
        ) : null}
        <div>
          <dt><Trans>Disable the account</Trans></dt>
          <dd>
            <p className="muted"><Trans>Signs them out everywhere at once and ends their API tokens and invitations. Their work stays; they cannot sign in again.</Trans></p>
            {confirming === 'disable' ? (
              <div className="confirm" role="group" aria-label={_(msg`Confirm disabling the account`)}>
                <Button variant="danger" onPress={() => act.mutate('disable')} isDisabled={act.isPending}><Trans>Yes, disable the account</Trans></Button>
                <Button variant="quiet" onPress={() => setConfirming(null)}><Trans>Keep it</Trans></Button>
              </div>
            ) : <Button variant="quiet" onPress={() => setConfirming('disable')} isDisabled={act.isPending}><Trans>Disable {member.email}</Trans></Button>}
          </dd>
        </div>
      </dl>
      <div className="actions"><Button onPress={onClose}><Trans>Close</Trans></Button></div>
    </Dialog>
  );
}
