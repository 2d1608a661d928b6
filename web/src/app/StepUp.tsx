import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { ApiError, api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Field } from '../ui/Field';
import { useMe } from './session';

type WithStepUp = <T>(action: () => Promise<T>) => Promise<T>;
const StepUpContext = createContext<WithStepUp | null>(null);

const STEP_UP_ERRORS = {
  UNAUTHENTICATED: msg`The password or the code is wrong. Try again; after several wrong attempts you are signed out.`,
  VALIDATION_FAILED: msg`Enter your password and the current 6-digit code from your authenticator app.`,
};
const STEP_UP_ERRORS_PASSWORD_ONLY = {
  UNAUTHENTICATED: msg`The password is wrong. Try again; after several wrong attempts you are signed out.`,
};

/**
 * Runs a sensitive action; when the server answers STEP_UP_REQUIRED (the sign-in is older than the
 * step-up window), asks for the password (and a code) in a dialog, then runs the action again. A
 * cancelled dialog rejects with STEP_UP_CANCELLED and nothing is changed.
 */
export function useStepUp(): WithStepUp {
  const withStepUp = useContext(StepUpContext);
  if (!withStepUp) throw new Error('useStepUp outside StepUpProvider');
  return withStepUp;
}

export function StepUpProvider({ children }: { children: ReactNode }) {
  const { _ } = useLingui();
  const me = useMe();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const pending = useRef<{ resolve: () => void; reject: (e: unknown) => void } | null>(null);

  const ask = useCallback(
    () =>
      new Promise<void>((resolve, reject) => {
        pending.current = { resolve, reject };
        setPassword('');
        setCode('');
        setError(null);
        setOpen(true);
      }),
    [],
  );
  const withStepUp = useCallback<WithStepUp>(
    async (action) => {
      try {
        return await action();
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 'STEP_UP_REQUIRED')) throw e;
        await ask();
        return action();
      }
    },
    [ask],
  );
  const cancel = () => {
    setOpen(false);
    pending.current?.reject(new ApiError(0, 'STEP_UP_CANCELLED', ''));
    pending.current = null;
  };
  const confirm = async () => {
    setBusy(true);
    try {
      await data(api.POST('/api/v1/auth/step-up', { body: { password, ...(me.totp ? { code } : {}) } }));
      setOpen(false);
      setPassword('');
      pending.current?.resolve();
      pending.current = null;
    } catch (e) {
      setError(e);
      setCode('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <StepUpContext.Provider value={withStepUp}>
      {children}
      <Dialog title={<Trans>Confirm it is you</Trans>} isOpen={open} onOpenChange={(o) => { if (!o) cancel(); }}>
        <p className="muted">{me.totp ? <Trans>This step needs a recent sign-in. Enter your password and the current code from your authenticator app to go on; you are not asked again for five minutes.</Trans> : <Trans>This step needs a recent sign-in. Enter your password to go on; you are not asked again for five minutes.</Trans>}</p>
        <Alert>{error ? _(errorMessage(error, me.totp ? STEP_UP_ERRORS : STEP_UP_ERRORS_PASSWORD_ONLY)) : null}</Alert>
        <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); void confirm(); }}>
          <Field label={<Trans>Password</Trans>} name="step-up-password" type="password" isRequired autoFocus autoComplete="current-password" value={password} onChange={setPassword} />
          {me.totp ? <Field label={<Trans>6-digit code</Trans>} name="step-up-code" isRequired autoComplete="one-time-code" inputMode="numeric" maxLength={40} value={code} onChange={setCode} /> : null}
          <div className="actions">
            <Button type="submit" isDisabled={busy}><Trans>Confirm</Trans></Button>
            <Button variant="quiet" onPress={cancel}><Trans>Cancel</Trans></Button>
          </div>
        </Form>
      </Dialog>
    </StepUpContext.Provider>
  );
}
