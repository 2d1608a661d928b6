import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useNavigate } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { PASSKEY_CANCELLED, PasskeyCancelled, registerPasskey } from '../auth/passkey';
import { Preferences } from '../app/Preferences';
import { useMe } from '../app/session';
import { useStepUp } from '../app/StepUp';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { Section } from '../ui/Section';
import { Select } from '../ui/Select';
import { useDateTime } from '../ui/format';

const PASSWORD_ERRORS = {
  UNAUTHENTICATED: msg`Your current password is not right. Check it and try again.`,
  PASSWORD_REJECTED: msg`Choose a longer or less common password: at least 15 characters that are not easy to guess, for example four unrelated words.`,
};

/** My account: password, authenticator app, passkeys, where I am signed in, and how the app looks. */
export function AccountPage() {
  return (
    <>
      <h1><Trans>Account</Trans></h1>
      <PasswordSection />
      <AuthenticatorSection />
      <PasskeySection />
      <SessionSection />
      <Section id="display" title={<Trans>Language and display</Trans>} description={<Trans>Kept in this browser only.</Trans>}>
        <div className="actions"><Preferences /></div>
        <TimeZoneChoice />
      </Section>
    </>
  );
}

function PasswordSection() {
  const { _ } = useLingui();
  const [values, setValues] = useState({ current: '', next: '', again: '' });
  const change = useMutation({
    mutationFn: () => data(api.POST('/api/v1/auth/password', { body: { current_password: values.current, new_password: values.next } })),
    onSuccess: () => setValues({ current: '', next: '', again: '' }),
  });
  const mismatch = values.again !== '' && values.again !== values.next;
  return (
    <Section id="password" title={<Trans>Password</Trans>} description={<Trans>Changing it signs you out everywhere else.</Trans>}>
      {change.isSuccess ? <p className="notice" role="status"><Trans>Your password is changed. Your other sessions have ended.</Trans></p> : null}
      <Alert>{change.isError ? _(errorMessage(change.error, PASSWORD_ERRORS)) : null}</Alert>
      <Form className="form narrow" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); if (!mismatch) change.mutate(); }}>
        <Field label={<Trans>Current password</Trans>} name="current-password" type="password" isRequired autoComplete="current-password" value={values.current} onChange={(v) => setValues({ ...values, current: v })} />
        <Field label={<Trans>New password</Trans>} name="new-password" type="password" isRequired minLength={15} autoComplete="new-password" description={<Trans>At least 15 characters; a few unrelated words work well.</Trans>} value={values.next} onChange={(v) => setValues({ ...values, next: v })} />
        <Field label={<Trans>New password again</Trans>} name="new-password-again" type="password" isRequired autoComplete="new-password" isInvalid={mismatch} errorMessage={_(msg`The two new passwords differ. Type the same one twice.`)} value={values.again} onChange={(v) => setValues({ ...values, again: v })} />
        <div className="actions"><Button type="submit" isDisabled={change.isPending}><Trans>Change password</Trans></Button></div>
      </Form>
    </Section>
  );
}

function AuthenticatorSection() {
  const me = useMe();
  const navigate = useNavigate();
  return (
    <Section id="authenticator" title={<Trans>Authenticator app</Trans>}>
      <p>{me.totp ? <Trans>An authenticator app gives your sign-in codes. Replacing it signs you out everywhere else and gives you new recovery codes.</Trans> : me.passkeys > 0 ? <Trans>You sign in with a passkey. An authenticator app as well (or a second passkey on another device) keeps you able to sign in if you lose this one.</Trans> : <Trans>No authenticator app is set up. Add one, or a passkey, so that a password alone never opens your account.</Trans>}</p>
      <div className="actions">
        <Button variant="quiet" onPress={() => void navigate({ to: '/sign-in/enrol' })}>{me.totp ? <Trans>Replace authenticator app</Trans> : <Trans>Set up an authenticator app</Trans>}</Button>
      </div>
    </Section>
  );
}

function PasskeySection() {
  const { _ } = useLingui();
  const withStepUp = useStepUp();
  const queryClient = useQueryClient();
  const formatDate = useDateTime();
  const [name, setName] = useState('');
  const passkeys = useQuery({ queryKey: ['passkeys'], queryFn: () => data(api.GET('/api/v1/auth/passkeys')) });
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: ['passkeys'] }), queryClient.invalidateQueries({ queryKey: ['me'] })]);
  const add = useMutation({ mutationFn: () => registerPasskey(name.trim() || _(msg`Passkey`)), onSuccess: () => { setName(''); return refresh(); } });
  const remove = useMutation({
    mutationFn: (id: string) => withStepUp(() => data(api.DELETE('/api/v1/auth/passkeys/{id}', { params: { path: { id } } }))),
    onSuccess: refresh,
  });
  const failure = add.error ?? remove.error;
  return (
    <Section id="passkeys" title={<Trans>Passkeys</Trans>} description={<Trans>A passkey signs you in with this device's screen lock or a security key: no password or code to type, and nothing a fake site can catch.</Trans>}>
      <Alert>{failure ? (failure instanceof PasskeyCancelled ? _(PASSKEY_CANCELLED) : _(errorMessage(failure))) : null}</Alert>
      {add.isSuccess ? <p className="notice" role="status"><Trans>The passkey is added. Next time, choose "Sign in with a passkey".</Trans></p> : null}
      {passkeys.data && passkeys.data.passkeys.length > 0 ? (
        <ul className="rows" aria-label={_(msg`Your passkeys`)}>
          {passkeys.data.passkeys.map((p) => (
            <li key={p.id} className="row">
              <span className="row-main">{p.name}</span>
              <span className="muted">{p.last_used_at ? <Trans>last used {formatDate(p.last_used_at)}</Trans> : <Trans>added {formatDate(p.created_at)}</Trans>}</span>
              <Button variant="quiet" onPress={() => remove.mutate(p.id)} isDisabled={remove.isPending} aria-label={_(msg`Remove passkey ${p.name}`)}><Trans>Remove</Trans></Button>
            </li>
          ))}
        </ul>
      ) : passkeys.data ? <p className="muted"><Trans>No passkeys yet.</Trans></p> : null}
      <Form className="form inline" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); add.mutate(); }}>
        <Field label={<Trans>Name of the new passkey</Trans>} name="passkey-name" maxLength={100} description={<Trans>For example "work laptop" or "blue security key".</Trans>} value={name} onChange={setName} />
        <Button type="submit" isDisabled={add.isPending}><Trans>Add a passkey</Trans></Button>
      </Form>
    </Section>
  );
}

function SessionSection() {
  const { _ } = useLingui();
  const queryClient = useQueryClient();
  const formatDate = useDateTime();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => data(api.GET('/api/v1/auth/sessions')) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['sessions'] });
  const end = useMutation({ mutationFn: (id: string) => data(api.DELETE('/api/v1/auth/sessions/{id}', { params: { path: { id } } })), onSuccess: refresh });
  const endOthers = useMutation({ mutationFn: () => data(api.DELETE('/api/v1/auth/sessions')), onSuccess: refresh });
  const others = sessions.data ? sessions.data.sessions.filter((s) => s.id !== sessions.data.current) : [];
  return (
    <Section id="sessions" title={<Trans>Where you are signed in</Trans>} description={<Trans>End any session you do not recognise, then change your password.</Trans>}>
      <Alert>{end.error || endOthers.error ? _(errorMessage(end.error ?? endOthers.error)) : null}</Alert>
      {sessions.data ? (
        <ul className="rows" aria-label={_(msg`Your sessions`)}>
          {sessions.data.sessions.map((s) => (
            <li key={s.id} className="row">
              <span className="row-main">{describeAgent(s.user_agent) ?? _(msg`Unknown browser`)}{s.ip ? ` · ${s.ip}` : ''}</span>
              <span className="muted"><Trans>signed in {formatDate(s.created_at)}, last active {formatDate(s.last_seen_at)}</Trans></span>
              {s.state !== 'active' ? <span className="badge"><Trans>sign-in not completed</Trans></span> : null}
              {s.id === sessions.data.current ? <span className="badge"><Trans>this browser</Trans></span> : <Button variant="quiet" onPress={() => end.mutate(s.id)} isDisabled={end.isPending}><Trans>End</Trans></Button>}
            </li>
          ))}
        </ul>
      ) : null}
      {others.length > 0 ? <div className="actions"><Button variant="quiet" onPress={() => endOthers.mutate()} isDisabled={endOthers.isPending}><Trans>End all other sessions</Trans></Button></div> : null}
    </Section>
  );
}

/** The key of "same as the organisation" among the time zones (a zone name never has this shape). */
const ORG_ZONE = '-';

/** The IANA zones this browser knows, UTC among them (some browsers list it, some do not). */
const zoneNames = () => {
  const zones = Intl.supportedValuesOf('timeZone');
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
};

/** My own time zone (saved to my account, like the language is kept: on change): my agenda's days follow it unless my digest settings name one. */
function TimeZoneChoice() {
  const { _ } = useLingui();
  const me = useMe();
  const queryClient = useQueryClient();
  const [zone, setZone] = useState(me.time_zone ?? ORG_ZONE);
  const save = useMutation({
    mutationFn: (value: string) => data(api.PATCH('/api/v1/auth/me', { body: { time_zone: value === ORG_ZONE ? null : value } })),
    onSuccess: (saved) => { setZone(saved.time_zone ?? ORG_ZONE); return queryClient.invalidateQueries({ queryKey: ['me'] }); },
  });
  const options = [{ id: ORG_ZONE, label: _(msg`Same as the organisation (${me.org_time_zone})`) }, ...zoneNames().map((z) => ({ id: z, label: z.replaceAll('_', ' ') }))];
  return (
    <>
      <Select name="time_zone" label={<Trans>Your time zone</Trans>} description={<Trans>Saved to your account: your agenda and your calendar follow it.</Trans>} options={options} value={zone} onChange={(value) => { setZone(value); save.mutate(value); }} />
      <Alert>{save.isError ? _(errorMessage(save.error)) : null}</Alert>
    </>
  );
}

/** A short name for a browser from its user agent ("Firefox on Linux"), or null. */
function describeAgent(ua: string | null): string | null {
  if (!ua) return null;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : null;
  const os = /Windows/.test(ua) ? 'Windows' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
  if (browser && os) return `${browser} · ${os}`;
  return browser ?? os ?? ua.slice(0, 40);
}
