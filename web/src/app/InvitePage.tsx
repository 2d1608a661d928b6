import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useNavigate } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { takeUrlToken } from './url-token';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Field } from '../ui/Field';

/** The invitation link's token, taken from the address bar on load (takeUrlToken); in memory only. */
let inviteToken: string | null = null;
export function takeInviteToken(): void {
  inviteToken = takeUrlToken() ?? inviteToken;
}

const INVITE_ERRORS = {
  TOKEN_INVALID: msg`This invitation link is invalid, already used or expired (invitations last 72 hours). Ask the person who invited you for a new one.`,
  PASSWORD_REJECTED: msg`This password was refused. Choose a longer passphrase of at least 15 characters that is not easy to guess and does not contain your e-mail address.`,
  CONFLICT: msg`An account with this e-mail address exists already. Sign in with it instead.`,
};

/** Accepting an invitation: the invitee chooses a password, then signs in and enrols a second factor. */
export function InvitePage() {
  const { _ } = useLingui();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const accept = useMutation({
    mutationFn: () => data(api.POST('/api/v1/invites/accept', { body: { token: inviteToken ?? '', password } })),
    onSuccess: () => {
      inviteToken = null;
      setPassword('');
      void navigate({ to: '/sign-in', search: { invite: 'accepted' } });
    },
  });
  if (inviteToken === null) {
    return (
      <Card title={<Trans>Accept an invitation</Trans>}>
        <p><Trans>Open the invitation link you were given. If you have lost it, ask the person who invited you to send a new one.</Trans></p>
      </Card>
    );
  }
  return (
    <Card title={<Trans>Accept an invitation</Trans>}>
      <p className="lead"><Trans>You have been invited to Confidant. Choose the password you will sign in with; your e-mail address is the one the invitation was sent to.</Trans></p>
      <Alert>{accept.isError ? _(errorMessage(accept.error, INVITE_ERRORS)) : null}</Alert>
      <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); accept.mutate(); }}>
        <Field
          label={<Trans>Password</Trans>}
          description={<Trans>At least 15 characters. A passphrase of several unrelated words is best; common or guessable passwords are refused.</Trans>}
          name="password"
          type="password"
          isRequired
          minLength={15}
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
        />
        <Button type="submit" isDisabled={accept.isPending}><Trans>Create my account</Trans></Button>
      </Form>
    </Card>
  );
}
