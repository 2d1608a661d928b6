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
import { browserZone, instantOf, parseWallInput, wallAt, wallInput } from '../calendar/zoned';

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
    onSettled: () => Promise.all(['agenda', 'timeline', 'to-chart', 'calendar'].map((key) => queryClient.invalidateQueries({ queryKey: [key] }))),
  });
}

const ROOM_CLASH = msg`That room is already booked at that time. Choose another room or time, or book it anyway.`;
const BOTH_CLASH = msg`The practitioner and the room are both booked at that time already. Choose another time, or book it anyway.`;

export function activityChangeError(error: unknown) {
  // A clash names what is taken (details.with): the practitioner's time, the room, or both.
  if (error instanceof ApiError && error.code === 'APPOINTMENT_CLASH' && error.details.with === 'room') return ROOM_CLASH;
  if (error instanceof ApiError && error.code === 'APPOINTMENT_CLASH' && error.details.with === 'both') return BOTH_CLASH;
  return errorMessage(error, { ...CHANGE_ERRORS, ROOM_NOT_FOUND: msg`That room is archived or no longer exists. Choose another room.` });
}

/** "YYYY-MM-DDTHH:mm" on `zone`'s clock (the browser's unless given), for a datetime-local input. */
export function localInput(value: string | Date, zone = browserZone()): string {
  return wallInput(wallAt(new Date(value).getTime(), zone));
}

type Scope = 'this' | 'following';

/** "This one" or "this and following", for an occurrence of a series. */
function ScopeChoice({ value, onChange }: { value: Scope; onChange: (scope: Scope) => void }) {
  const { _ } = useLingui();
  return <Select<Scope> name="scope" label={<Trans>Which sessions</Trans>} options={[{ id: 'this', label: _(msg`This one only`) }, { id: 'following', label: _(msg`This and the following ones`) }]} value={value} onChange={onChange} />;
}

/**
 * Moves a follow-up or appointment to a new time, from a list row or the calendar: the time is on
 * `zone`'s clock (the browser's unless given). An occurrence of a series (`series`) may take the
 * following ones with it, to the same local time.
 */
export function MoveForm({ id, at, label, onDone, zone = browserZone(), series = false }: { id: string; at: string; label: string; onDone: () => void; zone?: string; series?: boolean }) {
  const { _ } = useLingui();
  const change = useActivityChange();
  const [when, setWhen] = useState(() => localInput(at, zone));
  const [scope, setScope] = useState<Scope>('this');
  const [bad, setBad] = useState(false);
  const move = (allowClash: boolean) => {
    // A cleared or half-typed date-time box gives no time at all: say so rather than send nothing.
    const wall = parseWallInput(when);
    setBad(!wall);
    if (wall) change.mutate({ id, at: new Date(instantOf(wall, zone)).toISOString(), ...(allowClash ? { allow_clash: true } : {}), ...(series && scope === 'following' ? { scope } : {}) }, { onSuccess: onDone });
  };
  return (
    <Form className="form inline row-form" aria-label={label} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); move(false); }}>
      <Field name="at" type="datetime-local" label={<Trans>New time</Trans>} description={zone !== browserZone() ? <Trans>On the clock of {zone}</Trans> : undefined} isRequired isInvalid={bad} errorMessage={_(msg`Enter the date and the time.`)} value={when} onChange={setWhen} />
      {series ? <ScopeChoice value={scope} onChange={setScope} /> : null}
      <Button type="submit" isDisabled={change.isPending}><Trans>Save</Trans></Button>
      <Button variant="quiet" onPress={onDone}><Trans>Close</Trans></Button>
      <Alert>{change.isError ? _(activityChangeError(change.error)) : null}</Alert>
      {isClash(change.error) ? <Button variant="quiet" isDisabled={change.isPending} onPress={() => move(true)}><Trans>Move it anyway</Trans></Button> : null}
    </Form>
  );
}

/** Whether an answer was the clash warning (the person may then book anyway: the override is audited). */
export function isClash(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'APPOINTMENT_CLASH';
}

type CancelReason = 'by_client' | 'by_practice' | 'late_by_client';

/** Cancels an appointment with its reason (kept as scheduling metadata: no free text). */
export function CancelForm({ id, label, onDone, series = false }: { id: string; label: string; onDone: () => void; series?: boolean }) {
  const { _ } = useLingui();
  const change = useActivityChange();
  const [reason, setReason] = useState<CancelReason>('by_client');
  const [scope, setScope] = useState<Scope>('this');
  return (
    <Form className="form inline row-form" aria-label={label} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); change.mutate({ id, status: 'cancelled', reason, ...(series && scope === 'following' ? { scope } : {}) }, { onSuccess: onDone }); }}>
      <Select name="reason" label={<Trans>Who cancelled</Trans>} options={[{ id: 'by_client' as const, label: _(msg`The client, in time`) }, { id: 'late_by_client' as const, label: _(msg`The client, late`) }, { id: 'by_practice' as const, label: _(msg`The practice`) }]} value={reason} onChange={setReason} />
      {series ? <ScopeChoice value={scope} onChange={setScope} /> : null}
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
