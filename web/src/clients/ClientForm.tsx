import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Checkbox, CheckboxGroup, Form, Label, Switch, Text } from 'react-aria-components';
import { useQuery } from '@tanstack/react-query';
import { ApiError, api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { Select } from '../ui/Select';
import { CONTACT_CHANNELS, fieldHelp, fieldLabel, GROUP_TEXT, STATUS_TEXT, STATUSES, type Address, type Client, type ContactChannel, type ContactPreferences, type FormField, type Identifier, type Status } from './fields';

type Value = string | Address | Identifier[] | ContactPreferences;

/** What a client who has said nothing yet agreed to: no reminders, no channel, no voicemail. */
const NO_CONTACT: ContactPreferences = { reminders: false, channels: [], voicemail: false };
export type ClientValues = Record<string, Value | null>;

/** The form's fields for this role, from the data map (read when a form opens: no client data in it). */
export function useFormFields() {
  return useQuery({ queryKey: ['client-fields'], queryFn: () => data(api.GET('/api/v1/clients/fields')) });
}

const ADDRESS_PARTS = [
  { key: 'line1', label: msg`Street and number` },
  { key: 'line2', label: msg`Address line 2` },
  { key: 'postcode', label: msg`Postcode` },
  { key: 'city', label: msg`Town or city` },
  { key: 'country', label: msg`Country` },
] as const;

/**
 * A client's fields to fill in, grouped as the data map groups them, each with its label and why it is
 * collected. Only fields the role may write appear; `initial` (an existing record) fills them. On
 * submit, `onSubmit` receives the built-in values and `custom` ones, changed ones only when editing.
 */
export function ClientForm({ initial, submitLabel, busy, error, onSubmit, onCancel }: { initial?: Client; submitLabel: string; busy: boolean; error: unknown; onSubmit: (body: { values: ClientValues; custom: ClientValues; status?: Status }) => void; onCancel: () => void }) {
  const { _ } = useLingui();
  const form = useFormFields();
  const [values, setValues] = useState<Record<string, Value>>(() => ({ ...(initial?.fields ?? {}), ...(initial?.custom ?? {}) }) as Record<string, Value>);
  const [status, setStatus] = useState<Status>(initial?.status ?? 'active');
  // Editing shows what the role may read and write: a field it may write but not read would look empty
  // and overwrite the value on record unseen. A new client has nothing to hide: every writable field.
  const writable = (form.data?.fields ?? []).filter((f) => f.writable && (!initial || f.readable));
  const groups = [...new Set(writable.map((f) => f.group))];
  const set = (name: string, value: Value) => setValues((v) => ({ ...v, [name]: value }));

  if (form.isPending) return <p className="muted" aria-busy="true"><Trans>Loading the form…</Trans></p>;
  if (form.isError) return <Alert>{_(errorMessage(form.error))}</Alert>;
  return (
    <Form
      className="form"
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        const built: ClientValues = {};
        const custom: ClientValues = {};
        for (const f of writable) {
          const now = cleaned(values[f.name]);
          const before = cleaned((initial ? ({ ...initial.fields, ...initial.custom } as Record<string, Value>)[f.name] : undefined));
          if (initial && JSON.stringify(now) === JSON.stringify(before)) continue;
          if (!initial && now === null) continue;
          (f.custom ? custom : built)[f.name] = now;
        }
        onSubmit({ values: built, custom, ...(initial?.status !== status ? { status } : {}) });
      }}
    >
      {groups.map((group) => (
        <fieldset key={group} className="fieldset">
          <legend>{GROUP_TEXT[group] ? _(GROUP_TEXT[group]!) : group}</legend>
          {writable.filter((f) => f.group === group).map((f) => <FieldInput key={f.name} field={f} value={values[f.name]} onChange={(v) => set(f.name, v)} />)}
        </fieldset>
      ))}
      <Select name="status" label={<Trans>Status</Trans>} options={STATUSES.map((s) => ({ id: s, label: _(STATUS_TEXT[s]) }))} value={status} onChange={setStatus} />
      {/* Beside the button that was pressed: a long form is scrolled to its end by then. */}
      <Alert>{error ? <>{_(errorMessage(error))}{error instanceof ApiError && error.code === 'VALIDATION_FAILED' && error.detail ? <span className="alert-detail"> ({error.detail})</span> : null}</> : null}</Alert>
      <div className="actions">
        <Button type="submit" isDisabled={busy}>{submitLabel}</Button>
        <Button variant="quiet" onPress={onCancel}><Trans>Cancel</Trans></Button>
      </div>
    </Form>
  );
}

function FieldInput({ field, value, onChange }: { field: FormField; value: Value | undefined; onChange: (value: Value) => void }) {
  const { _ } = useLingui();
  const label = fieldLabel(field, _);
  const help = fieldHelp(field, _);
  if (field.kind === 'address') {
    const a = (value as Address | undefined) ?? {};
    return (
      <fieldset className="fieldset nested">
        <legend>{label}</legend>
        <p className="field-description">{help}</p>
        <div className="grid-2">
          {ADDRESS_PARTS.map((p) => <Field key={p.key} name={`${field.name}.${p.key}`} label={_(p.label)} autoComplete="off" value={a[p.key] ?? ''} onChange={(v) => onChange({ ...a, [p.key]: v })} />)}
        </div>
      </fieldset>
    );
  }
  if (field.kind === 'identifiers') {
    const first = (value as Identifier[] | undefined)?.[0] ?? { scheme: '', value: '' };
    const rest = (value as Identifier[] | undefined)?.slice(1) ?? [];
    return (
      <fieldset className="fieldset nested">
        <legend>{label}</legend>
        <p className="field-description">{help}</p>
        <div className="grid-2">
          <Field name={`${field.name}.scheme`} label={<Trans>Scheme</Trans>} description={<Trans>For example nhs or insurance.</Trans>} autoComplete="off" value={first.scheme} onChange={(v) => onChange([{ ...first, scheme: v }, ...rest])} />
          <Field name={`${field.name}.value`} label={<Trans>Number</Trans>} autoComplete="off" value={first.value} onChange={(v) => onChange([{ ...first, value: v }, ...rest])} />
        </div>
      </fieldset>
    );
  }
  if (field.kind === 'contact_preferences') {
    const p = (value as ContactPreferences | undefined) ?? NO_CONTACT;
    return (
      <fieldset className="fieldset nested contact-preferences">
        <legend>{label}</legend>
        <p className="field-description">{help}</p>
        <Switch className="switch" name={`${field.name}.reminders`} isSelected={p.reminders} onChange={(on) => onChange({ ...p, reminders: on })}>
          <span className="switch-track" aria-hidden="true"><span className="switch-thumb" /></span>
          <Trans>May we send reminders?</Trans>
        </Switch>
        <CheckboxGroup className="checkbox-group" name={`${field.name}.channels`} value={p.channels} onChange={(channels) => onChange({ ...p, channels: CONTACT_CHANNELS.map((c) => c.id).filter((id) => channels.includes(id)) as ContactChannel[] })}>
          <Label className="field-label"><Trans>How may we contact them?</Trans></Label>
          {CONTACT_CHANNELS.map((c) => (
            <Checkbox key={c.id} value={c.id} className="checkbox">
              <span className="checkbox-box" aria-hidden="true" />
              {_(c.label)}
            </Checkbox>
          ))}
          <Text slot="description" className="field-description"><Trans>Reminders and messages go only by the ways ticked here.</Trans></Text>
        </CheckboxGroup>
        <Switch className="switch" name={`${field.name}.voicemail`} isSelected={p.voicemail} onChange={(on) => onChange({ ...p, voicemail: on })}>
          <span className="switch-track" aria-hidden="true"><span className="switch-thumb" /></span>
          <Trans>May we leave a voicemail?</Trans>
        </Switch>
      </fieldset>
    );
  }
  const type = field.kind === 'email' ? 'email' : field.kind === 'phone' ? 'tel' : field.kind === 'date' ? 'date' : 'text';
  return <Field name={field.name} label={label} description={help} type={type} isRequired={field.required} value={(value as string | undefined) ?? ''} onChange={onChange} autoComplete="off" />;
}

/** A value as the API takes it: trimmed, empty parts dropped, null when nothing is left. */
function cleaned(value: Value | undefined): Value | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  // Contact preferences are all yes/no answers: "no" to everything is an answer too, sent as it is.
  if (!Array.isArray(value) && 'reminders' in value) return value;
  if (Array.isArray(value)) {
    const ids = value.map((i) => ({ scheme: i.scheme.trim(), value: i.value.trim() })).filter((i) => i.scheme && i.value);
    return ids.length ? ids : null;
  }
  const parts = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, (v ?? '').trim()]).filter(([, v]) => v !== '')) as Address;
  return Object.keys(parts).length ? parts : null;
}
