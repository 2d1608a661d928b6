import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useNavigate } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { takeUrlToken } from '../app/url-token';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Card } from '../ui/Card';
import { Field } from '../ui/Field';

/** The setup link's token, taken from the address bar on load (takeUrlToken); in memory only. */
let setupToken: string | null = null;
export function takeSetupToken(): void {
  setupToken = takeUrlToken() ?? setupToken;
}

const SETUP_ERRORS = {
  TOKEN_INVALID: msg`This setup link is invalid, already used or expired. Restart Confidant (or run "confidant init") to print a new link, and open that one.`,
  PASSWORD_REJECTED: msg`This password was refused. Choose a longer passphrase of at least 15 characters that is not easy to guess, for example four unrelated words.`,
  CONFLICT: msg`An owner account with this e-mail address exists already. Sign in instead.`,
  CARD_DATA_REFUSED: msg`That looks like a payment card number. Do not enter card numbers here; use something else.`,
};

export function SetupPage() {
  const { _ } = useLingui();
  const navigate = useNavigate();
  const [values, setValues] = useState({ organisation_name: '', email: '', password: '' });
  const setup = useMutation({
    mutationFn: () => data(api.POST('/api/v1/setup', { body: { token: setupToken ?? '', ...values } })),
    onSuccess: () => {
      setupToken = null;
      void navigate({ to: '/sign-in', search: { setup: 'done' } });
    },
  });
  if (setupToken === null) {
    return (
      <Card title={<Trans>Set up Confidant</Trans>}>
        <p><Trans>Open the one-time setup link that Confidant printed when it started. If you have lost it, restart Confidant (or run "confidant init") to print a new one.</Trans></p>
      </Card>
    );
  }
  return (
    <Card title={<Trans>Set up Confidant</Trans>}>
      <p className="lead"><Trans>Create your organisation and its owner account. You will sign in with this e-mail address and password.</Trans></p>
      <Alert>{setup.isError ? _(errorMessage(setup.error, SETUP_ERRORS)) : null}</Alert>
      <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); setup.mutate(); }}>
        <Field label={<Trans>Organisation name</Trans>} name="organisation_name" isRequired maxLength={200} autoComplete="organization" value={values.organisation_name} onChange={(v) => setValues({ ...values, organisation_name: v })} />
        <Field label={<Trans>Your e-mail address</Trans>} description={<Trans>You become the owner: you can invite staff and change the organisation's settings.</Trans>} name="email" type="email" isRequired autoComplete="username" value={values.email} onChange={(v) => setValues({ ...values, email: v })} />
        <Field
          label={<Trans>Password</Trans>}
          description={<Trans>At least 15 characters. A passphrase of several unrelated words is best; common or guessable passwords are refused.</Trans>}
          name="password"
          type="password"
          isRequired
          minLength={15}
          autoComplete="new-password"
          value={values.password}
          onChange={(v) => setValues({ ...values, password: v })}
        />
        <Button type="submit" isDisabled={setup.isPending}><Trans>Create owner account</Trans></Button>
      </Form>
    </Card>
  );
}
