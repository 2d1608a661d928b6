import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useNavigate } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Field } from '../ui/Field';
import { PASSKEY_CANCELLED, PasskeyCancelled, confirmWithPasskey } from './passkey';

const CODE_ERRORS = {
  UNAUTHENTICATED: msg`That code is not right. Enter the current 6-digit code from your authenticator app, or one of your recovery codes. After several wrong codes you sign in again from the start.`,
  VALIDATION_FAILED: msg`Enter the 6-digit code from your authenticator app, or a recovery code.`,
};

/** The second sign-in step: a TOTP code, or one of the recovery codes. */
export function CodePage() {
  const { _ } = useLingui();
  const navigate = useNavigate();
  const [code, setCode] = useState('');
  const submit = useMutation({
    mutationFn: () => data(api.POST('/api/v1/auth/mfa', { body: { code } })),
    onSuccess: () => void navigate({ to: '/' }),
    onError: () => setCode(''),
  });
  const passkey = useMutation({ mutationFn: confirmWithPasskey, onSuccess: () => void navigate({ to: '/' }) });
  const failure = submit.error ?? passkey.error;
  return (
    <Card title={<Trans>Enter your code</Trans>}>
      <p className="lead"><Trans>Open your authenticator app and enter the 6-digit code it shows for Confidant. Lost your phone? Enter one of your recovery codes instead.</Trans></p>
      <Alert>{failure ? (failure instanceof PasskeyCancelled ? _(PASSKEY_CANCELLED) : _(errorMessage(failure, CODE_ERRORS))) : null}</Alert>
      <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); submit.mutate(); }}>
        <Field label={<Trans>Code</Trans>} name="code" isRequired autoComplete="one-time-code" inputMode="text" minLength={6} maxLength={40} value={code} onChange={setCode} />
        <Button type="submit" isDisabled={submit.isPending}><Trans>Continue</Trans></Button>
      </Form>
      <div className="alternatives">
        <Button variant="quiet" onPress={() => passkey.mutate()} isDisabled={passkey.isPending}><Trans>Use a passkey instead</Trans></Button>
      </div>
    </Card>
  );
}
