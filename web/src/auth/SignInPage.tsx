import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Field } from '../ui/Field';
import { PASSKEY_CANCELLED, PasskeyCancelled, signInWithPasskey } from './passkey';

const SIGN_IN_ERRORS = {
  UNAUTHENTICATED: msg`The e-mail address or the password is wrong, or the account is locked. Check both and try again; after several failures, ask your organisation's owner to unlock the account.`,
};

export function SignInPage() {
  const { _ } = useLingui();
  const navigate = useNavigate();
  const search = useSearch({ from: '/sign-in' });
  const [values, setValues] = useState({ email: '', password: '' });
  const signIn = useMutation({
    mutationFn: () => data(api.POST('/api/v1/auth/login', { body: values })),
    onSuccess: ({ state }) => {
      setValues({ email: '', password: '' });
      if (state === 'mfa_enrolment') void navigate({ to: '/sign-in/enrol' });
      else if (state === 'mfa_pending') void navigate({ to: '/sign-in/code' });
      else void navigate({ to: '/' });
    },
  });
  const passkey = useMutation({ mutationFn: signInWithPasskey, onSuccess: () => void navigate({ to: '/' }) });
  const failure = signIn.error ?? passkey.error;
  return (
    <Card title={<Trans>Sign in</Trans>}>
      {search.setup === 'done' ? <p className="notice" role="status"><Trans>Confidant is set up. Sign in with the owner account you just created.</Trans></p> : null}
      {search.session === 'ended' ? <p className="notice" role="status"><Trans>Your session has ended: you were signed out from another browser, your password was changed, or an administrator ended it. Sign in again.</Trans></p> : null}
      {search.reset === 'done' ? <p className="notice" role="status"><Trans>Your new password is set and you are signed out everywhere. Sign in with it and your second factor.</Trans></p> : null}
      {search.invite === 'accepted' ? <p className="notice" role="status"><Trans>Your account is ready. Sign in with your e-mail address and the password you just chose.</Trans></p> : null}
      <Alert>{failure ? (failure instanceof PasskeyCancelled ? _(PASSKEY_CANCELLED) : _(errorMessage(failure, SIGN_IN_ERRORS))) : null}</Alert>
      <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); signIn.mutate(); }}>
        <Field label={<Trans>E-mail address</Trans>} name="email" type="email" isRequired autoComplete="username" value={values.email} onChange={(v) => setValues({ ...values, email: v })} />
        <Field label={<Trans>Password</Trans>} name="password" type="password" isRequired autoComplete="current-password" value={values.password} onChange={(v) => setValues({ ...values, password: v })} />
        <Button type="submit" isDisabled={signIn.isPending}><Trans>Sign in</Trans></Button>
      </Form>
      <div className="alternatives">
        <Button variant="quiet" onPress={() => passkey.mutate()} isDisabled={passkey.isPending}><Trans>Sign in with a passkey</Trans></Button>
        <Link to="/forgot-password" className="link"><Trans>Forgot your password?</Trans></Link>
      </div>
    </Card>
  );
}
