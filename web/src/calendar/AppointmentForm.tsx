import { useRef, useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Form } from 'react-aria-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data, type Body } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan, useMe } from '../app/session';
import { displayName } from '../clients/fields';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { Select } from '../ui/Select';
import { activityChangeError, isClash } from '../today/ActivityForms';
import { type Wall, browserZone, instantOf, parseDateKey, parseWallInput, wallInput } from './zoned';

type NewAppointment = Extract<Body<'/api/v1/clients/{id}/activities', 'post'>, { kind: 'appointment' }>;
type Repeat = 'none' | 'week' | 'fortnight' | 'month';
type Ends = 'count' | 'until';

/** The invalidations after a booking or a change: every view that shows appointments reads again. */
export const SCHEDULE_KEYS = ['calendar', 'agenda', 'timeline', 'to-chart'];

/**
 * Books an appointment — once, or as a weekly, fortnightly or monthly series until a date or for a
 * number of sessions — for `clientId`, or for a client found by name first. Times are entered on the
 * viewer's clock (`zone`, named when it is not the browser's), and a series keeps that local time
 * across daylight-saving changes (the server counts occurrences in `zone`). A clash is warned about
 * first; "Book anyway" books it and the override is audited.
 */
export function AppointmentForm({ clientId, clientName, start, zone, practitionerId, onDone }: { clientId?: string; clientName?: string; start: Wall; zone: string; practitionerId?: string; onDone: (booked: { id: string; client_id: string } | null) => void }) {
  const { _ } = useLingui();
  const me = useMe();
  const can = useCan();
  const queryClient = useQueryClient();
  const [client, setClient] = useState<{ id: string; name: string } | null>(clientId ? { id: clientId, name: clientName ?? '' } : null);
  const [term, setTerm] = useState('');
  const [when, setWhen] = useState(() => wallInput(start));
  const [minutes, setMinutes] = useState('50');
  const [repeat, setRepeat] = useState<Repeat>('none');
  const [ends, setEnds] = useState<Ends>('count');
  const [count, setCount] = useState('6');
  const [until, setUntil] = useState('');
  const [summary, setSummary] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const anyway = useRef(false);
  const directory = useQuery({ queryKey: ['staff-directory'], queryFn: () => data(api.GET('/api/v1/staff/directory')), enabled: can('staff.directory') });
  const people = directory.data?.people ?? [];
  const [assignee, setAssignee] = useState(practitionerId ?? '');
  const chosen = assignee || (people.some((p) => p.id === me.user_id) ? me.user_id : (people.find((p) => p.role === 'practitioner') ?? people[0])?.id ?? '');
  const rooms = useQuery({ queryKey: ['rooms'], queryFn: () => data(api.GET('/api/v1/rooms')), enabled: can('staff.directory') });
  const openRooms = (rooms.data?.rooms ?? []).filter((r) => !r.archived);
  const [room, setRoom] = useState('');
  const find = useMutation({ mutationFn: () => data(api.POST('/api/v1/clients/search', { body: { name: term.trim(), limit: 10 } })) });
  const book = useMutation({
    mutationFn: (v: { client: string; body: NewAppointment }) => data(api.POST('/api/v1/clients/{id}/activities', { params: { path: { id: v.client } }, body: v.body })),
    onSuccess: async (booked) => {
      await Promise.all(SCHEDULE_KEYS.map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
      onDone({ id: booked.id, client_id: booked.client_id });
    },
  });
  const otherZone = zone !== browserZone();

  const submit = () => {
    const wall = parseWallInput(when);
    if (!client) return setInvalid('client');
    if (!wall) return setInvalid('when');
    const length = Number(minutes);
    if (!Number.isInteger(length) || length < 5 || length > 720) return setInvalid('minutes');
    let recurrence: NewAppointment['recurrence'];
    if (repeat !== 'none') {
      if (ends === 'count') {
        const n = Number(count);
        if (!Number.isInteger(n) || n < 2 || n > 52) return setInvalid('count');
        recurrence = { every: repeat, count: n };
      } else {
        if (!parseDateKey(until)) return setInvalid('until');
        recurrence = { every: repeat, until };
      }
    }
    setInvalid(null);
    const details = summary.trim() ? { details: { summary: summary.trim() } } : {};
    book.mutate({
      client: client.id,
      body: {
        kind: 'appointment',
        starts_at: new Date(instantOf(wall, zone)).toISOString(),
        duration_min: length,
        channel: 'in_person',
        ...(chosen ? { practitioner_id: chosen } : {}),
        ...(room ? { room_id: room } : {}),
        ...(recurrence ? { recurrence, time_zone: zone } : {}),
        ...details,
        ...(anyway.current ? { allow_clash: true } : {}),
      },
    });
  };

  return (
    <div className="appointment-form">
      {!client ? (
        <Form className="form inline" role="search" aria-label={_(msg`Find the client`)} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); if (term.trim()) find.mutate(); }}>
          <Field name="appointment-client" label={<Trans>Client's name</Trans>} value={term} onChange={setTerm} autoComplete="off" isInvalid={invalid === 'client'} errorMessage={_(msg`Find and choose the client first.`)} />
          <Button type="submit" variant="quiet" isDisabled={find.isPending}><Trans>Find</Trans></Button>
        </Form>
      ) : clientId ? null : (
        <p className="notice"><Trans>For <span className="pii">{client.name}</span></Trans> <Button variant="quiet" onPress={() => setClient(null)}><Trans>Another client</Trans></Button></p>
      )}
      {!client && find.isError ? <Alert>{_(errorMessage(find.error))}</Alert> : null}
      {!client && find.data ? (
        find.data.clients.length === 0 ? <p className="muted"><Trans>No client you may see has that name. Add them under Clients first.</Trans></p> : (
          <ul className="rows" aria-label={_(msg`Clients found`)}>
            {find.data.clients.map((c) => (
              <li key={c.id} className="row">
                <span className="row-main pii">{displayName(c)}</span>
                <Button variant="quiet" onPress={() => setClient({ id: c.id, name: displayName(c) })} aria-label={_(msg`Book for ${displayName(c)}`)}><Trans>Choose</Trans></Button>
              </li>
            ))}
          </ul>
        )
      ) : null}
      <Form className="form" aria-label={_(msg`Book an appointment`)} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Alert>{book.isError ? _(activityChangeError(book.error)) : null}</Alert>
        <div className="grid-2">
          <Field
            name="starts"
            type="datetime-local"
            isRequired
            isInvalid={invalid === 'when'}
            errorMessage={_(msg`Enter the date and the time.`)}
            label={<Trans>Starts</Trans>}
            description={otherZone ? <Trans>On the clock of {zone}</Trans> : undefined}
            value={when}
            onChange={setWhen}
          />
          <Field name="minutes" type="number" label={<Trans>Minutes</Trans>} isInvalid={invalid === 'minutes'} errorMessage={_(msg`Between 5 and 720 minutes.`)} value={minutes} onChange={setMinutes} />
          {people.length > 0 ? <Select name="practitioner" label={<Trans>With</Trans>} options={people.map((p) => ({ id: p.id, label: p.id === me.user_id ? _(msg`Me (${p.email})`) : p.email }))} value={chosen} onChange={setAssignee} /> : null}
          {openRooms.length > 0 ? <Select name="room" label={<Trans>Room</Trans>} options={[{ id: 'none', label: _(msg`No room`) }, ...openRooms.map((r) => ({ id: r.id, label: r.name }))]} value={room || 'none'} onChange={(value) => setRoom(value === 'none' ? '' : value)} /> : null}
          <Select<Repeat> name="repeat" label={<Trans>Repeats</Trans>} options={[{ id: 'none', label: _(msg`Does not repeat`) }, { id: 'week', label: _(msg`Every week`) }, { id: 'fortnight', label: _(msg`Every two weeks`) }, { id: 'month', label: _(msg`Every month`) }]} value={repeat} onChange={setRepeat} />
          {repeat !== 'none' ? (
            <>
              <Select<Ends> name="ends" label={<Trans>Ends</Trans>} options={[{ id: 'count', label: _(msg`After a number of sessions`) }, { id: 'until', label: _(msg`On a date`) }]} value={ends} onChange={setEnds} />
              {ends === 'count' ? (
                <Field name="count" type="number" label={<Trans>Sessions</Trans>} isInvalid={invalid === 'count'} errorMessage={_(msg`Between 2 and 52 sessions.`)} value={count} onChange={setCount} />
              ) : (
                <Field name="until" type="date" label={<Trans>Last date</Trans>} isInvalid={invalid === 'until'} errorMessage={_(msg`Enter the last date a session may fall on.`)} value={until} onChange={setUntil} />
              )}
            </>
          ) : null}
        </div>
        <Field name="summary" label={<Trans>Summary (optional)</Trans>} description={<Trans>Sealed with the record; only staff cleared for client details can read it back.</Trans>} value={summary} onChange={setSummary} autoComplete="off" />
        <div className="actions">
          <Button type="submit" isDisabled={book.isPending} onPress={() => (anyway.current = false)}>{repeat === 'none' ? <Trans>Book</Trans> : <Trans>Book the series</Trans>}</Button>
          {isClash(book.error) ? <Button type="submit" variant="quiet" isDisabled={book.isPending} onPress={() => (anyway.current = true)}><Trans>Book anyway</Trans></Button> : null}
          <Button variant="quiet" onPress={() => onDone(null)}><Trans>Cancel</Trans></Button>
        </div>
      </Form>
    </div>
  );
}
