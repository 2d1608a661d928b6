import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { Link } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Field } from '../ui/Field';

/** A forgotten password: a reset link by e-mail. The answer is the same whether or not the address has an account. */
export function ForgotPasswordPage() {
  const { _ } = useLingui();
  const [email, setEmail] = useState('');
  const request = useMutation({ mutationFn: () => data(api.POST('/api/v1/auth/password-reset', { body: { email } })) });
  return (
    <Card title={<Trans>Forgot your password?</Trans>}>
      {request.isSuccess ? (
        <>
          <p className="notice" role="status"><Trans>If {email} has an account here and mail is set up, a link to choose a new password is on its way. It works once, for 30 minutes. Nothing came? Ask your organisation's owner or administrator to reset your password.</Trans></p>
          <p><Link to="/sign-in" className="link"><Trans>Back to sign-in</Trans></Link></p>
        </>
      ) : (
        <>
          <p className="lead"><Trans>Enter the e-mail address you sign in with. You keep your authenticator app or passkey: after the reset you sign in with the new password and your second factor.</Trans></p>
          <Alert>{request.isError ? _(errorMessage(request.error)) : null}</Alert>
          <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); request.mutate(); }}>
            <Field label={<Trans>E-mail address</Trans>} name="email" type="email" isRequired autoComplete="username" value={email} onChange={setEmail} />
            <Button type="submit" isDisabled={request.isPending}><Trans>Send me a link</Trans></Button>
          </Form>
          <div className="alternatives"><Link to="/sign-in" className="link"><Trans>Back to sign-in</Trans></Link></div>
        </>
      )}
    </Card>
  );
}
