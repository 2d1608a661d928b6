import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { PASSKEY_CANCELLED, PasskeyCancelled, confirmWithPasskey } from '../auth/passkey';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Field } from '../ui/Field';

const LOCK_ERRORS = {
  UNAUTHENTICATED: msg`That is not right. Check your password (or code) and try again; after several failures the account is locked.`,
};

/**
 * The idle lock: the session has ended and client data has left the page. Signing in again as the
 * same person returns to the same screen with what they were typing; anyone else signs out.
 */
export function LockScreen({ email, onUnlocked, onSignOut }: { email: string; onUnlocked: () => void; onSignOut: () => void }) {
  const { _ } = useLingui();
  const [step, setStep] = useState<'password' | 'code'>('password');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const attempt = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const signIn = () =>
    attempt(async () => {
      const { state } = await data(api.POST('/api/v1/auth/login', { body: { email, password } }));
      setPassword('');
      if (state === 'mfa_pending') setStep('code');
      else if (state === 'active') onUnlocked();
      else onSignOut();
    });
  const confirm = () =>
    attempt(async () => {
      await data(api.POST('/api/v1/auth/mfa', { body: { code } }));
      onUnlocked();
    }).finally(() => setCode(''));
  const passkey = () =>
    attempt(async () => {
      await confirmWithPasskey();
      onUnlocked();
    });
  return (
    <Card title={<Trans>Confidant is locked</Trans>}>
      <p className="lead" role="status"><Trans>You were away for a while, so Confidant signed you out and cleared the screen. Sign in again as {email} to go back to where you were; what you were typing is kept.</Trans></p>
      <Alert>{error ? (error instanceof PasskeyCancelled ? _(PASSKEY_CANCELLED) : _(errorMessage(error, LOCK_ERRORS))) : null}</Alert>
      {step === 'password' ? (
        <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); void signIn(); }}>
          <Field label={<Trans>Password</Trans>} name="password" type="password" isRequired autoFocus autoComplete="current-password" value={password} onChange={setPassword} />
          <div className="actions">
            <Button type="submit" isDisabled={busy}><Trans>Unlock</Trans></Button>
            <Button variant="quiet" onPress={onSignOut}><Trans>Not {email}? Sign out</Trans></Button>
          </div>
        </Form>
      ) : (
        <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); void confirm(); }}>
          <Field label={<Trans>Code from your authenticator app</Trans>} name="code" isRequired autoFocus autoComplete="one-time-code" maxLength={40} value={code} onChange={setCode} />
          <div className="actions">
            <Button type="submit" isDisabled={busy}><Trans>Unlock</Trans></Button>
            <Button variant="quiet" onPress={() => void passkey()} isDisabled={busy}><Trans>Use a passkey instead</Trans></Button>
          </div>
        </Form>
      )}
    </Card>
  );
}
