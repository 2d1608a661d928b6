import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { Form } from 'react-aria-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data, type Body, type paths } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan, useMe } from '../app/session';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { Select } from '../ui/Select';
import { useDateTime } from '../ui/format';
import { ToBill } from './Invoices';
import { AppointmentForm, SCHEDULE_KEYS } from '../calendar/AppointmentForm';
import { viewerZone } from '../calendar/entries';
import { addDays, wallAt } from '../calendar/zoned';
import { CancelForm, MoveForm, OutcomeForm, activityChangeError, localInput, useActivityChange } from '../today/ActivityForms';

type TimelineItem = paths['/api/v1/clients/{id}/timeline']['get']['responses'][200]['content']['application/json']['items'][number];
export type Activity = NonNullable<TimelineItem['activity']>;
type NewActivity = Body<'/api/v1/clients/{id}/activities', 'post'>;
type Kind = 'follow_up' | 'appointment' | 'interaction';

/** The client's timeline (activities and note entries), read when the record opens; shared by the record's panels. */
export function useTimeline(clientId: string) {
  return useQuery({ queryKey: ['timeline', clientId], queryFn: () => data(api.GET('/api/v1/clients/{id}/timeline', { params: { path: { id: clientId } } })), gcTime: 0 });
}

export const KIND_TEXT: Record<string, MessageDescriptor> = { follow_up: msg`Follow-up`, appointment: msg`Appointment`, interaction: msg`Contact`, note: msg`Note`, session_note: msg`Session note` };
export const STATUS_TEXT: Record<string, MessageDescriptor> = { open: msg`open`, done: msg`done`, cancelled: msg`cancelled`, booked: msg`booked`, attended: msg`attended`, no_show: msg`did not come`, logged: msg`logged` };
const NEXT: Record<string, { status: 'done' | 'cancelled' | 'attended' | 'no_show'; label: MessageDescriptor }[]> = {
  open: [{ status: 'done', label: msg`Done` }, { status: 'cancelled', label: msg`Cancel follow-up` }],
  booked: [{ status: 'attended', label: msg`Attended` }, { status: 'no_show', label: msg`Did not come` }, { status: 'cancelled', label: msg`Cancelled` }],
};

/** Follow-ups and appointments still to come or to close, and the forms to book one or log a contact. */
export function Activities({ clientId }: { clientId: string }) {
  const { _ } = useLingui();
  const zone = viewerZone(useMe());
  const can = useCan();
  const dateTime = useDateTime();
  const timeline = useTimeline(clientId);
  const [booking, setBooking] = useState<Kind | null>(null);
  const record = useActivityChange();
  const [editing, setEditing] = useState<{ id: string; what: 'move' | 'outcome' | 'cancel' } | null>(null);
  const details = timeline.data?.details ?? false;
  const pending = (timeline.data?.items ?? []).map((i) => i.activity).filter((a): a is Activity => a !== undefined && (a.status === 'open' || a.status === 'booked')).sort((a, b) => a.at.localeCompare(b.at));
  return (
    <section className="panel" aria-labelledby="activities-title">
      <h2 id="activities-title"><Trans>Follow-ups and appointments</Trans></h2>
      <Alert>{timeline.isError ? _(errorMessage(timeline.error)) : record.isError ? _(activityChangeError(record.error)) : null}</Alert>
      {timeline.isPending ? <p className="muted" aria-busy="true"><Trans>Loading…</Trans></p> : pending.length === 0 ? <p className="muted"><Trans>Nothing open or booked.</Trans></p> : (
        <ul className="rows">
          {pending.map((a) => (
            <li key={a.id} className="row">
              <span className="agenda-time">{dateTime(a.at)}</span>
              <span className="row-main">
                {_(KIND_TEXT[a.kind] ?? msg`Activity`)}
                {a.details?.summary ? <span className="agenda-summary pii">{a.details.summary}</span> : null}
              </span>
              {can('client.update') ? (
                <span className="actions">
                  {(NEXT[a.status] ?? []).filter((n) => Date.parse(a.at) <= Date.now() || (n.status !== 'attended' && n.status !== 'no_show')).map((n) => <Button key={n.status} variant="quiet" isDisabled={record.isPending} onPress={() => (a.kind === 'appointment' && n.status === 'cancelled' ? setEditing({ id: a.id, what: 'cancel' }) : record.mutate({ id: a.id, status: n.status }))} aria-label={_(msg`${_(n.label)}: ${_(KIND_TEXT[a.kind] ?? msg`Activity`)} on ${dateTime(a.at)}`)}>{_(n.label)}</Button>)}
                  <Button variant="quiet" onPress={() => setEditing({ id: a.id, what: 'move' })} aria-label={_(msg`Move: ${_(KIND_TEXT[a.kind] ?? msg`Activity`)} on ${dateTime(a.at)}`)}><Trans>Move</Trans></Button>
                  {details && a.kind === 'appointment' ? <Button variant="quiet" onPress={() => setEditing({ id: a.id, what: 'outcome' })} aria-label={_(msg`Outcome: ${_(KIND_TEXT[a.kind] ?? msg`Activity`)} on ${dateTime(a.at)}`)}><Trans>Outcome</Trans></Button> : null}
                </span>
              ) : null}
              {editing?.id === a.id && editing.what === 'move' ? <MoveForm id={a.id} at={a.at} label={_(msg`Move the ${_(KIND_TEXT[a.kind] ?? msg`Activity`)} on ${dateTime(a.at)}`)} onDone={() => setEditing(null)} /> : null}
              {editing?.id === a.id && editing.what === 'cancel' ? <CancelForm id={a.id} label={_(msg`Cancel the ${_(KIND_TEXT[a.kind] ?? msg`Activity`)} on ${dateTime(a.at)}`)} onDone={() => setEditing(null)} /> : null}
              {editing?.id === a.id && editing.what === 'outcome' ? <OutcomeForm id={a.id} label={_(msg`Outcome of the ${_(KIND_TEXT[a.kind] ?? msg`Activity`)} on ${dateTime(a.at)}`)} onDone={() => setEditing(null)} /> : null}
            </li>
          ))}
        </ul>
      )}
      {can('client.invoices') ? <ToBill clientId={clientId} appointments={(timeline.data?.items ?? []).map((i) => i.activity).filter((a): a is Activity => a !== undefined && a.kind === 'appointment' && a.status === 'attended').sort((a, b) => b.at.localeCompare(a.at)).slice(0, 5)} /> : null}
      {can('client.update') ? (
        booking === 'appointment' ? (
          <div className="subform">
            <h3 className="bucket-title"><Trans>Book an appointment</Trans></h3>
            <AppointmentForm clientId={clientId} zone={zone} start={{ ...addDays(wallAt(Date.now(), zone), 1), h: 9, min: 0 }} onDone={() => setBooking(null)} />
          </div>
        ) : booking ? <BookForm clientId={clientId} kind={booking} onDone={() => setBooking(null)} /> : (
          <div className="actions">
            <Button variant="quiet" onPress={() => setBooking('follow_up')}><Trans>Book a follow-up</Trans></Button>
            <Button variant="quiet" onPress={() => setBooking('appointment')}><Trans>Book an appointment</Trans></Button>
            <Button variant="quiet" onPress={() => setBooking('interaction')}><Trans>Log a contact</Trans></Button>
          </div>
        )
      ) : null}
    </section>
  );
}

/** Books a follow-up or logs a contact (appointments: AppointmentForm, shared with the calendar). */
function BookForm({ clientId, kind, onDone }: { clientId: string; kind: Exclude<Kind, 'appointment'>; onDone: () => void }) {
  const { _ } = useLingui();
  const me = useMe();
  const can = useCan();
  const queryClient = useQueryClient();
  const tomorrow = new Date(Date.now() + 86_400_000);
  tomorrow.setHours(9, 0, 0, 0);
  const [when, setWhen] = useState(kind === 'interaction' ? localInput(new Date()) : localInput(tomorrow));
  const [badTime, setBadTime] = useState(false);
  const [summary, setSummary] = useState('');
  const [channel, setChannel] = useState<'call' | 'email' | 'meeting' | 'sms' | 'letter'>('call');
  const [direction, setDirection] = useState<'inbound' | 'outbound'>('inbound');
  const directory = useQuery({ queryKey: ['staff-directory'], queryFn: () => data(api.GET('/api/v1/staff/directory')), enabled: kind !== 'interaction' && can('staff.directory') });
  const people = directory.data?.people ?? [];
  const [assignee, setAssignee] = useState<string>('');
  const chosen = assignee || (people.some((p) => p.id === me.user_id) ? me.user_id : (people.find((p) => p.role === 'practitioner') ?? people[0])?.id ?? '');
  const book = useMutation({
    mutationFn: (body: NewActivity) => data(api.POST('/api/v1/clients/{id}/activities', { params: { path: { id: clientId } }, body })),
    onSuccess: async () => {
      await Promise.all(SCHEDULE_KEYS.map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
      onDone();
    },
  });
  const title = kind === 'follow_up' ? <Trans>Book a follow-up</Trans> : <Trans>Log a contact</Trans>;
  return (
    <Form
      className="form subform"
      validationBehavior="aria"
      aria-label={kind === 'follow_up' ? _(msg`Book a follow-up`) : _(msg`Log a contact`)}
      onSubmit={(e) => {
        e.preventDefault();
        if (!when || Number.isNaN(Date.parse(when))) {
          setBadTime(true);
          return;
        }
        setBadTime(false);
        const at = new Date(when).toISOString();
        const details = summary.trim() ? { details: { summary: summary.trim() } } : {};
        const forWhom = chosen ? chosen : undefined;
        if (kind === 'follow_up') book.mutate({ kind, due_at: at, ...(forWhom ? { assignee_id: forWhom } : {}), ...details });
        else book.mutate({ kind, at, channel, direction, ...details });
      }}
    >
      <h3 className="bucket-title">{title}</h3>
      <Alert>{book.isError ? _(activityChangeError(book.error)) : null}</Alert>
      <div className="grid-2">
        <Field name="when" type="datetime-local" isRequired isInvalid={badTime} errorMessage={_(msg`Enter the date and the time.`)} label={kind === 'follow_up' ? <Trans>Due</Trans> : <Trans>When</Trans>} value={when} onChange={setWhen} />
        {kind !== 'interaction' && people.length > 0 ? <Select name="assignee" label={<Trans>For</Trans>} options={people.map((p) => ({ id: p.id, label: p.id === me.user_id ? _(msg`Me (${p.email})`) : p.email }))} value={chosen} onChange={setAssignee} /> : null}
        {kind === 'interaction' ? (
          <>
            <Select name="channel" label={<Trans>How</Trans>} options={[{ id: 'call' as const, label: _(msg`Phone call`) }, { id: 'email' as const, label: _(msg`E-mail`) }, { id: 'meeting' as const, label: _(msg`In person`) }, { id: 'sms' as const, label: _(msg`Text message`) }, { id: 'letter' as const, label: _(msg`Letter`) }]} value={channel} onChange={setChannel} />
            <Select name="direction" label={<Trans>Who got in touch</Trans>} options={[{ id: 'inbound' as const, label: _(msg`The client`) }, { id: 'outbound' as const, label: _(msg`We did`) }]} value={direction} onChange={setDirection} />
          </>
        ) : null}
      </div>
      <Field name="summary" label={<Trans>Summary (optional)</Trans>} description={<Trans>Sealed with the record; only staff cleared for client details can read it back.</Trans>} value={summary} onChange={setSummary} autoComplete="off" />
      <div className="actions">
        <Button type="submit" isDisabled={book.isPending}>{kind === 'interaction' ? <Trans>Log it</Trans> : <Trans>Book</Trans>}</Button>
        <Button variant="quiet" onPress={onDone}><Trans>Cancel</Trans></Button>
      </div>
    </Form>
  );
}
