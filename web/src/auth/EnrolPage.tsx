import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useNavigate } from '@tanstack/react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Field } from '../ui/Field';
import { QrCode } from '../ui/QrCode';
import { PASSKEY_CANCELLED, PasskeyCancelled, registerPasskey } from './passkey';

const ENROL_ERRORS = {
  UNAUTHENTICATED: msg`That code does not match. Check that the app shows "Confidant", wait for the next code and enter it.`,
  VALIDATION_FAILED: msg`Enter the 6 digits the app shows, without spaces.`,
  TOKEN_INVALID: msg`That code does not match. Check that the app shows "Confidant", wait for the next code and enter it.`,
};

/** Enrolling an authenticator app during sign-in: the QR code (drawn here) and the secret, a first code, the recovery codes once. */
export function EnrolPage() {
  const { _ } = useLingui();
  const navigate = useNavigate();
  const [code, setCode] = useState('');
  const [copied, setCopied] = useState(false);
  const secret = useQuery({ queryKey: ['enrolment'], queryFn: () => data(api.POST('/api/v1/auth/mfa/totp')), gcTime: 0 });
  const confirm = useMutation({ mutationFn: () => data(api.POST('/api/v1/auth/mfa/totp/confirm', { body: { code } })), onError: () => setCode('') });
  const passkey = useMutation({ mutationFn: () => registerPasskey(_(msg`Passkey`)), onSuccess: () => void navigate({ to: '/' }) });

  if (confirm.data) {
    return (
      <Card title={<Trans>Save your recovery codes</Trans>}>
        <p className="lead"><Trans>If you lose your phone, each of these codes signs you in once instead of the app. They are shown only now: print them or write them down and keep them somewhere safe.</Trans></p>
        <ol className="recovery-codes" aria-label={_(msg`Recovery codes`)}>
          {confirm.data.recovery_codes.map((c) => <li key={c}><code>{c}</code></li>)}
        </ol>
        <div className="actions">
          <Button variant="quiet" onPress={() => void navigator.clipboard.writeText(confirm.data.recovery_codes.join('\n')).then(() => setCopied(true))}>{copied ? <Trans>Copied</Trans> : <Trans>Copy the codes</Trans>}</Button>
          <Button variant="quiet" onPress={() => window.print()}><Trans>Print</Trans></Button>
          <Button onPress={() => void navigate({ to: '/' })}><Trans>I have saved them</Trans></Button>
        </div>
      </Card>
    );
  }
  return (
    <Card title={<Trans>Set up your authenticator app</Trans>}>
      <p className="lead"><Trans>Confidant asks for a code from an app on your phone each time you sign in. Scan this QR code with an authenticator app (for example Aegis, 2FAS or Google Authenticator).</Trans></p>
      <Alert>{secret.isError ? _(errorMessage(secret.error)) : confirm.isError ? _(errorMessage(confirm.error, ENROL_ERRORS)) : null}</Alert>
      {secret.data ? (
        <div className="enrol">
          <QrCode value={secret.data.otpauth_uri} label={_(msg`QR code for your authenticator app`)} />
          <div>
            <p><Trans>Cannot scan it? Enter this key in the app instead:</Trans></p>
            <p><code className="secret" data-testid="totp-secret">{secret.data.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
          </div>
        </div>
      ) : null}
      <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); confirm.mutate(); }}>
        <Field label={<Trans>6-digit code from the app</Trans>} name="code" isRequired autoComplete="one-time-code" inputMode="numeric" pattern="[0-9]{6}" maxLength={6} value={code} onChange={setCode} />
        <Button type="submit" isDisabled={confirm.isPending || !secret.data}><Trans>Confirm</Trans></Button>
      </Form>
      <div className="alternatives">
        <p className="muted"><Trans>Or use a passkey: this device's screen lock or a security key confirms it is you, with nothing to type.</Trans></p>
        <Alert>{passkey.isError ? (passkey.error instanceof PasskeyCancelled ? _(PASSKEY_CANCELLED) : _(errorMessage(passkey.error))) : null}</Alert>
        <Button variant="quiet" onPress={() => passkey.mutate()} isDisabled={passkey.isPending}><Trans>Set up a passkey instead</Trans></Button>
      </div>
    </Card>
  );
}
