import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Link, useNavigate } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { ApiError, api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { takeUrlToken } from '../app/url-token';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Field } from '../ui/Field';

/** The reset link's token, taken from the address bar on load (takeUrlToken); in memory only. */
let resetToken: string | null = null;
export function takeResetToken(): void {
  resetToken = takeUrlToken() ?? resetToken;
}

const RESET_ERRORS = {
  TOKEN_INVALID: msg`This link is invalid, already used or expired (links last 30 minutes). Ask for a new one.`,
  PASSWORD_REJECTED: msg`This password was refused. Choose a longer passphrase of at least 15 characters that is not easy to guess, for example four unrelated words.`,
};

/** Choosing a new password from a reset link; every session of the account ends. */
export function ResetPasswordPage() {
  const { _ } = useLingui();
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const mismatch = again !== '' && again !== password;
  const reset = useMutation({
    mutationFn: () => data(api.POST('/api/v1/auth/password-reset/confirm', { body: { token: resetToken ?? '', new_password: password } })),
    onSuccess: () => {
      resetToken = null;
      setPassword('');
      setAgain('');
      void navigate({ to: '/sign-in', search: { reset: 'done' } });
    },
  });
  return (
    <Card title={<Trans>Choose a new password</Trans>}>
      <p className="lead"><Trans>This signs you out everywhere. Afterwards, sign in with the new password and your authenticator app or passkey.</Trans></p>
      <Alert>{reset.isError ? _(errorMessage(reset.error, RESET_ERRORS)) : null}</Alert>
      {reset.isError && reset.error instanceof ApiError && reset.error.code === 'TOKEN_INVALID' ? <p><Link to="/forgot-password" className="link"><Trans>Ask for a new link</Trans></Link></p> : null}
      <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); if (!mismatch) reset.mutate(); }}>
        <Field label={<Trans>New password</Trans>} name="new-password" type="password" isRequired minLength={15} autoComplete="new-password" description={<Trans>At least 15 characters; a few unrelated words work well.</Trans>} value={password} onChange={setPassword} />
        <Field label={<Trans>New password again</Trans>} name="new-password-again" type="password" isRequired autoComplete="new-password" isInvalid={mismatch} errorMessage={_(msg`The two passwords differ. Type the same one twice.`)} value={again} onChange={setAgain} />
        <Button type="submit" isDisabled={reset.isPending}><Trans>Set the new password</Trans></Button>
      </Form>
    </Card>
  );
}
