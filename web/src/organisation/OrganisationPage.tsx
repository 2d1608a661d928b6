import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { useDraft } from '../app/drafts';
import { useCan } from '../app/session';
import { useStepUp } from '../app/StepUp';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { ComboField } from '../ui/ComboField';
import { Field } from '../ui/Field';
import { Section } from '../ui/Section';
import { Select } from '../ui/Select';
import { InvoicingSection } from './InvoicingSection';
import { RoomsSection } from './RoomsSection';
import { TagsSection } from './TagsSection';
import { type Settings, useSave } from './save';

type Security = 'starttls' | 'tls' | 'none';

const SETTINGS_ERRORS = {
  VALIDATION_FAILED: msg`Some settings are not in the expected form (a time zone such as Europe/Berlin, an address starting with https://, an e-mail address). Check the marked fields and save again.`,
  MAIL_RELAY_INSECURE: msg`Without encryption, mail may only go to a relay on this same machine (localhost). Choose STARTTLS or TLS for a relay elsewhere.`,
};
const TEST_ERRORS = {
  MAIL_NOT_CONFIGURED: msg`No mail relay is set up yet. Fill in the relay above and save it first.`,
  MAIL_SEND_FAILED: msg`The relay did not accept the test message. Check the host, port, encryption, user name and password, and that the sender address is allowed on that relay.`,
};

const TIME_ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');

/** The organisation's settings, for the owner: name, language, time zone, public address, mail, invoicing, rooms, tags (for roles with tags.manage), security. */
export function OrganisationPage() {
  const { _ } = useLingui();
  const can = useCan();
  const settings = useQuery({ queryKey: ['organisation'], queryFn: () => data(api.GET('/api/v1/organisation')) });
  return (
    <>
      <h1><Trans>Organisation</Trans></h1>
      <Alert>{settings.isError ? _(errorMessage(settings.error)) : null}</Alert>
      {settings.data ? (
        <>
          <GeneralSection settings={settings.data} />
          <MailSection settings={settings.data} />
          <InvoicingSection settings={settings.data} />
          <RoomsSection />
          {can('tags.manage') ? <TagsSection /> : null}
          <SecuritySection settings={settings.data} />
        </>
      ) : null}
    </>
  );
}

function GeneralSection({ settings }: { settings: Settings }) {
  const { _ } = useLingui();
  const save = useSave();
  const [name, setName] = useDraft('organisation.name', settings.name);
  const [language, setLanguage] = useState<'en' | 'de'>(settings.language);
  const [timeZone, setTimeZone] = useDraft('organisation.time_zone', settings.time_zone);
  const [publicUrl, setPublicUrl] = useDraft('organisation.public_url', settings.public_url ?? '');
  const [submitted, setSubmitted] = useState(false);
  const badZone = timeZone !== '' && !TIME_ZONES.includes(timeZone) && timeZone !== 'UTC';
  return (
    <Section id="general" title={<Trans>General</Trans>}>
      {save.isSuccess ? <p className="notice" role="status"><Trans>Saved.</Trans></p> : null}
      <Alert>{save.isError ? _(errorMessage(save.error, SETTINGS_ERRORS)) : null}</Alert>
      <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); setSubmitted(true); if (!badZone) save.mutate({ name, language, time_zone: timeZone, ...(settings.public_url_source === 'deployment' ? {} : { public_url: publicUrl.trim() === '' ? null : publicUrl.trim() }) }); }}>
        <div className="grid-2">
          <Field label={<Trans>Name of the organisation</Trans>} name="org-name" isRequired maxLength={200} value={name} onChange={setName} description={<Trans>Shown to staff only; messages to clients use the neutral sender name below.</Trans>} />
          <Select label={<Trans>Language</Trans>} name="org-language" value={language} onChange={setLanguage} description={_(msg`For new staff and for mail.`)} options={[{ id: 'en', label: 'English' }, { id: 'de', label: 'Deutsch' }]} />
          <ComboField label={<Trans>Time zone</Trans>} name="org-time-zone" options={TIME_ZONES} value={timeZone} onChange={setTimeZone} isInvalid={submitted && badZone} errorMessage={_(msg`Choose a time zone from the list, such as Europe/Berlin.`)} description={<Trans>Appointments, reminders and "today" follow it.</Trans>} />
          <Field label={<Trans>Public address</Trans>} name="org-public-url" type="url" maxLength={2000} isReadOnly={settings.public_url_source === 'deployment'} value={settings.public_url_source === 'deployment' ? settings.public_url_effective : publicUrl} onChange={setPublicUrl} description={settings.public_url_source === 'deployment' ? <Trans>Set on the server by whoever runs Confidant; links in mail use it.</Trans> : <Trans>The address staff open Confidant at, used in links sent by mail (now: {settings.public_url_effective}).</Trans>} />
        </div>
        <div className="actions"><Button type="submit" isDisabled={save.isPending}><Trans>Save</Trans></Button></div>
      </Form>
    </Section>
  );
}

function MailSection({ settings }: { settings: Settings }) {
  const { _ } = useLingui();
  const save = useSave();
  const relay = settings.mail_relay;
  const [senderName, setSenderName] = useDraft('organisation.sender_name', settings.sender_name);
  const [host, setHost] = useDraft('organisation.relay.host', relay?.host ?? '');
  const [port, setPort] = useDraft('organisation.relay.port', relay ? String(relay.port) : '');
  const [security, setSecurity] = useState<Security>(relay?.security ?? 'starttls');
  const [username, setUsername] = useDraft('organisation.relay.username', relay?.username ?? '');
  const [password, setPassword] = useState('');
  const [from, setFrom] = useDraft('organisation.relay.from', relay?.from_address ?? '');
  const test = useMutation({ mutationFn: () => data(api.POST('/api/v1/organisation/mail/test')) });
  const submit = () => {
    const body = host.trim() === ''
      ? { sender_name: senderName, mail_relay: null }
      : { sender_name: senderName, mail_relay: { host: host.trim(), security, from_address: from.trim(), username: username.trim() === '' ? null : username.trim(), ...(port.trim() !== '' ? { port: Number(port) } : {}), ...(password !== '' ? { password } : {}) } };
    save.mutate(body, { onSuccess: () => setPassword('') });
  };
  const source = settings.mail.source;
  return (
    <Section id="mail" title={<Trans>Mail</Trans>} description={<Trans>Invitations, password resets and notices are sent through this relay. Messages never name the practice's kind of work or a client.</Trans>}>
      <p className="notice" role="status" data-testid="mail-source">
        {source === 'deployment' ? <Trans>Mail goes through the server's own relay (CONFIDANT_SMTP_URL), which wins over the settings below.</Trans> : source === 'organisation' ? <Trans>Mail goes through the relay below, from {settings.mail.from}.</Trans> : <Trans>No mail is sent yet: invitations show a link to hand over instead.</Trans>}
      </p>
      {save.isSuccess ? <p className="notice" role="status"><Trans>Mail settings saved.</Trans></p> : null}
      {test.isSuccess ? <p className="notice" role="status"><Trans>The test message was accepted by the relay. Check your inbox.</Trans></p> : null}
      <Alert>{save.isError ? _(errorMessage(save.error, SETTINGS_ERRORS)) : test.isError ? _(errorMessage(test.error, TEST_ERRORS)) : null}</Alert>
      <Form className="form" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); submit(); }}>
        <div className="grid-2">
          <Field label={<Trans>Sender name</Trans>} name="sender-name" isRequired maxLength={100} value={senderName} onChange={setSenderName} description={<Trans>Neutral, such as "Appointments": whoever sees the inbox learns nothing from it.</Trans>} />
          <Field label={<Trans>Sender address</Trans>} name="relay-from" type="email" maxLength={254} value={from} onChange={setFrom} isRequired={host.trim() !== ''} />
          <Field label={<Trans>Relay host</Trans>} name="relay-host" maxLength={253} value={host} onChange={setHost} description={<Trans>For example smtp.example.com. Leave empty to send no mail.</Trans>} />
          <Field label={<Trans>Port</Trans>} name="relay-port" inputMode="numeric" pattern="[0-9]{1,5}" maxLength={5} value={port} onChange={setPort} description={<Trans>Empty: 587 for STARTTLS, 465 for TLS.</Trans>} />
          <Select label={<Trans>Encryption</Trans>} name="relay-security" value={security} onChange={setSecurity} options={[{ id: 'starttls', label: 'STARTTLS' }, { id: 'tls', label: 'TLS' }, { id: 'none', label: _(msg`None (this machine only)`) }]} />
          <Field label={<Trans>User name</Trans>} name="relay-username" maxLength={320} autoComplete="off" value={username} onChange={setUsername} />
          <Field label={<Trans>Password</Trans>} name="relay-password" type="password" maxLength={1024} autoComplete="new-password" value={password} onChange={setPassword} description={relay?.password_set ? <Trans>A password is stored (encrypted). Leave empty to keep it.</Trans> : <Trans>Stored encrypted; never shown again.</Trans>} />
        </div>
        <div className="actions">
          <Button type="submit" isDisabled={save.isPending}><Trans>Save mail settings</Trans></Button>
          <Button variant="quiet" onPress={() => test.mutate()} isDisabled={test.isPending || source === 'none'}><Trans>Send a test message to me</Trans></Button>
          {source === 'none' ? <span className="muted"><Trans>Save a relay first, then send a test message.</Trans></span> : null}
        </div>
      </Form>
    </Section>
  );
}

function SecuritySection({ settings }: { settings: Settings }) {
  const { _ } = useLingui();
  const withStepUp = useStepUp();
  const queryClient = useQueryClient();
  const [idle, setIdle] = useState(String(settings.security.idle_timeout_minutes));
  const [absolute, setAbsolute] = useState(String(settings.security.absolute_timeout_hours));
  const save = useMutation({
    mutationFn: () => withStepUp(() => data(api.PATCH('/api/v1/organisation/security', { body: { idle_timeout_minutes: Number(idle), absolute_timeout_hours: Number(absolute) } }))),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['organisation'] }), queryClient.invalidateQueries({ queryKey: ['me'] })]),
  });
  return (
    <Section id="security" title={<Trans>Security</Trans>} description={<Trans>These can only be made stricter than Confidant's defaults (15 minutes idle, 12 hours at most).</Trans>}>
      {save.isSuccess ? <p className="notice" role="status"><Trans>Security settings saved. They apply to new sessions and to the idle lock at once.</Trans></p> : null}
      <Alert>{save.isError ? _(errorMessage(save.error, { VALIDATION_FAILED: msg`Idle timeout: 1 to 15 minutes; session length: 1 to 12 hours.` })) : null}</Alert>
      <Form className="form narrow" validationBehavior="aria" onSubmit={(event) => { event.preventDefault(); save.mutate(); }}>
        <p><Trans>Everyone signs in with a second factor (an authenticator app or a passkey). This cannot be switched off: every role reads or manages confidential client information.</Trans></p>
        <Field label={<Trans>Lock after this many idle minutes</Trans>} name="idle-minutes" inputMode="numeric" pattern="[0-9]{1,2}" isRequired value={idle} onChange={setIdle} />
        <Field label={<Trans>Sign in again after this many hours at most</Trans>} name="absolute-hours" inputMode="numeric" pattern="[0-9]{1,2}" isRequired value={absolute} onChange={setAbsolute} />
        <div className="actions"><Button type="submit" isDisabled={save.isPending}><Trans>Save security settings</Trans></Button></div>
      </Form>
    </Section>
  );
}
