import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Form, Label, TextArea, TextField } from 'react-aria-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, data, type Body } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { Select } from '../ui/Select';
import { ApiError } from '../api/client';

type Change = Body<'/api/v1/activities/{id}', 'patch'>;

const CHANGE_ERRORS = {
  APPOINTMENT_NOT_STARTED: msg`This appointment has not started yet: it can be marked attended or missed once it has. Move or cancel it instead.`,
  APPOINTMENT_CLASH: msg`The practitioner already has an appointment at that time. Choose another time, or book it anyway.`,
  ACTIVITY_NOT_SCHEDULED: msg`This is no longer scheduled (someone completed or cancelled it), so it cannot be moved. The list now shows it as it is.`,
  CONFLICT: msg`This was changed in the meantime. The list now shows it as it is; try again if it still needs doing.`,
};

/** A change to a follow-up or appointment (done, moved, an outcome); Today and the record show it again after. */
export function useActivityChange() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string } & Change) => data(api.PATCH('/api/v1/activities/{id}', { params: { path: { id } }, body })),
    onSettled: () => Promise.all(['agenda', 'timeline', 'to-chart'].map((key) => queryClient.invalidateQueries({ queryKey: [key] }))),
  });
}

export function activityChangeError(error: unknown) {
  return errorMessage(error, CHANGE_ERRORS);
}

/** "YYYY-MM-DDTHH:mm" in the browser's time, for a datetime-local input. */
export function localInput(value: string | Date): string {
  const d = new Date(value);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Moves a follow-up or appointment to a new time, from a list row. */
export function MoveForm({ id, at, label, onDone }: { id: string; at: string; label: string; onDone: () => void }) {
  const { _ } = useLingui();
  const change = useActivityChange();
  const [when, setWhen] = useState(() => localInput(at));
  const [bad, setBad] = useState(false);
  return (
    <Form
      className="form inline row-form"
      aria-label={label}
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        // A cleared or half-typed date-time box gives no time at all: say so rather than send nothing.
        const ok = when !== '' && !Number.isNaN(Date.parse(when));
        setBad(!ok);
        if (ok) change.mutate({ id, at: new Date(when).toISOString() }, { onSuccess: onDone });
      }}
    >
      <Field name="at" type="datetime-local" label={<Trans>New time</Trans>} isRequired isInvalid={bad} errorMessage={_(msg`Enter the date and the time.`)} value={when} onChange={setWhen} />
      <Button type="submit" isDisabled={change.isPending}><Trans>Save</Trans></Button>
      <Button variant="quiet" onPress={onDone}><Trans>Close</Trans></Button>
      <Alert>{change.isError ? _(activityChangeError(change.error)) : null}</Alert>
      {isClash(change.error) ? <Button variant="quiet" isDisabled={change.isPending} onPress={() => change.mutate({ id, at: new Date(when).toISOString(), allow_clash: true }, { onSuccess: onDone })}><Trans>Move it anyway</Trans></Button> : null}
    </Form>
  );
}

/** Whether an answer was the clash warning (the person may then book anyway: the override is audited). */
export function isClash(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'APPOINTMENT_CLASH';
}

type CancelReason = 'by_client' | 'by_practice' | 'late_by_client';

/** Cancels an appointment with its reason (kept as scheduling metadata: no free text). */
export function CancelForm({ id, label, onDone }: { id: string; label: string; onDone: () => void }) {
  const { _ } = useLingui();
  const change = useActivityChange();
  const [reason, setReason] = useState<CancelReason>('by_client');
  return (
    <Form className="form inline row-form" aria-label={label} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); change.mutate({ id, status: 'cancelled', reason }, { onSuccess: onDone }); }}>
      <Select name="reason" label={<Trans>Who cancelled</Trans>} options={[{ id: 'by_client' as const, label: _(msg`The client, in time`) }, { id: 'late_by_client' as const, label: _(msg`The client, late`) }, { id: 'by_practice' as const, label: _(msg`The practice`) }]} value={reason} onChange={setReason} />
      <Button type="submit" variant="danger" isDisabled={change.isPending}><Trans>Cancel the appointment</Trans></Button>
      <Button variant="quiet" onPress={onDone}><Trans>Close</Trans></Button>
      <Alert>{change.isError ? _(activityChangeError(change.error)) : null}</Alert>
    </Form>
  );
}

/** Records an appointment's outcome (sealed with the client's details), from a list row. */
export function OutcomeForm({ id, label, onDone }: { id: string; label: string; onDone: () => void }) {
  const { _ } = useLingui();
  const change = useActivityChange();
  const [outcome, setOutcome] = useState('');
  return (
    <Form className="form inline row-form" aria-label={label} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); if (outcome.trim()) change.mutate({ id, outcome: outcome.trim() }, { onSuccess: onDone }); }}>
      <TextField className="field" value={outcome} onChange={setOutcome} isRequired name="outcome">
        <Label className="field-label"><Trans>Outcome</Trans></Label>
        <TextArea className="field-input textarea" rows={2} />
      </TextField>
      <Button type="submit" isDisabled={change.isPending || !outcome.trim()}><Trans>Save</Trans></Button>
      <Button variant="quiet" onPress={onDone}><Trans>Close</Trans></Button>
      <Alert>{change.isError ? _(activityChangeError(change.error)) : null}</Alert>
    </Form>
  );
}
