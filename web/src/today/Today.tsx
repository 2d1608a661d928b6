import { useRef, useState, type ReactNode } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { Link } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { api, data, type paths } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan } from '../app/session';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { CancelForm, MoveForm, OutcomeForm, activityChangeError, useActivityChange } from './ActivityForms';
import { QuickNote } from './QuickNote';
import { ToChart } from './ToChart';

type Agenda = paths['/api/v1/agenda']['get']['responses'][200]['content']['application/json'];
type Item = Agenda['today'][number];
type Outcome = 'done' | 'cancelled' | 'attended' | 'no_show';

const KIND: Record<string, MessageDescriptor> = { follow_up: msg`Follow-up`, appointment: msg`Appointment` };
const STATUS_TEXT: Record<string, MessageDescriptor> = { attended: msg`attended`, no_show: msg`did not come`, cancelled: msg`cancelled`, done: msg`done` };
/** What can be recorded from the list: a follow-up is done or cancelled; an appointment attended, missed or cancelled. */
const OUTCOMES: Record<string, { status: Outcome; label: MessageDescriptor }[]> = {
  follow_up: [
    { status: 'done', label: msg`Done` },
    { status: 'cancelled', label: msg`Cancel follow-up` },
  ],
  appointment: [
    { status: 'attended', label: msg`Attended` },
    { status: 'no_show', label: msg`Did not come` },
    { status: 'cancelled', label: msg`Cancelled` },
  ],
};


/**
 * Today: overdue, today and the next 7 days — follow-ups and appointments — each completed, moved or
 * given its outcome from the list; past appointments still to chart; a quick note. Read each time the
 * screen opens (an audited read) and after a change, never in the background.
 */
export function Today() {
  const { _ } = useLingui();
  const can = useCan();
  // Read each time Today opens (a person's action), and dropped when it closes: no stale day, no names kept.
  const agenda = useQuery({ queryKey: ['agenda'], queryFn: () => data(api.GET('/api/v1/agenda')), gcTime: 0 });
  const change = useActivityChange();
  const heading = useRef<HTMLHeadingElement>(null);
  const [announced, setAnnounced] = useState('');
  const a = agenda.data;
  const bucket = (id: string, title: ReactNode, empty: ReactNode, items: Item[], withDate: boolean) => (
    <Bucket id={id} title={title} empty={empty} items={items} timezone={a!.timezone} withDate={withDate} details={a!.details} onStatus={(id, status, what) =>
        change.mutate(
          { id, status },
          {
            // The row goes away: focus returns to the day's heading, and the change is announced.
            onSuccess: () => {
              setAnnounced(what);
              heading.current?.focus();
            },
          },
        )
      } busy={change.isPending} />
  );
  return (
    <section aria-labelledby="today-title">
      <h2 id="today-title" className="today-title" tabIndex={-1} ref={heading}><Trans>Today</Trans></h2>
      <p role="status" className="visually-hidden">{announced ? <Trans>Recorded: {announced}</Trans> : null}</p>
      <Alert>{agenda.isError ? _(errorMessage(agenda.error)) : change.isError ? _(activityChangeError(change.error)) : null}</Alert>
      {a ? (
        <div className="today-grid">
          <div>
            {bucket('overdue', <Trans>Overdue</Trans>, <Trans>Nothing overdue.</Trans>, a.overdue, true)}
            {bucket('today', <Trans>Today</Trans>, <Trans>Nothing else today.</Trans>, a.today, false)}
            {bucket('next', <Trans>Next 7 days</Trans>, <Trans>Nothing in the next 7 days.</Trans>, a.next_7_days, true)}
          </div>
          {can('client.notes') ? (
            <div>
              <ToChart />
              <QuickNote />
            </div>
          ) : null}
        </div>
      ) : agenda.isPending ? <p className="muted" aria-busy="true"><Trans>Loading your day…</Trans></p> : null}
    </section>
  );
}

function Bucket({ id, title, empty, items, timezone, withDate, details, onStatus, busy }: { id: string; title: ReactNode; empty: ReactNode; items: Item[]; timezone: string; withDate: boolean; details: boolean; onStatus: (id: string, status: Outcome, what: string) => void; busy: boolean }) {
  const { i18n } = useLingui();
  const locale = i18n.locale === 'de' ? 'de-DE' : 'en-GB';
  const when = new Intl.DateTimeFormat(locale, { timeZone: timezone, ...(withDate ? { weekday: 'short', day: 'numeric', month: 'short' } : {}), hour: '2-digit', minute: '2-digit' });
  return (
    <section className="panel" aria-labelledby={`bucket-${id}`}>
      <h3 id={`bucket-${id}`} className="bucket-title">{title} <span className="count">{items.length}</span></h3>
      {items.length === 0 ? <p className="muted">{empty}</p> : (
        <ul className="rows" aria-labelledby={`bucket-${id}`}>
          {items.map((item) => <AgendaRow key={item.activity_id} item={item} time={when.format(new Date(item.at))} details={details} onStatus={onStatus} busy={busy} />)}
        </ul>
      )}
    </section>
  );
}

function AgendaRow({ item, time, details, onStatus, busy }: { item: Item; time: string; details: boolean; onStatus: (id: string, status: Outcome, what: string) => void; busy: boolean }) {
  const { _ } = useLingui();
  const [editing, setEditing] = useState<'move' | 'outcome' | 'cancel' | null>(null);
  const kind = _(KIND[item.kind] ?? msg`item`);
  // Attended and missed only once it has started (the server refuses them before); an appointment's
  // cancellation asks who cancelled.
  const started = Date.parse(item.at) <= Date.now();
  // The day shows its appointments whatever became of them; only a booked one (an open follow-up) can still change.
  const open = item.status === 'booked' || item.status === 'open';
  const choices = open ? (OUTCOMES[item.kind] ?? []).filter((o) => started || (o.status !== 'attended' && o.status !== 'no_show')) : [];
  return (
    <li className="row agenda-row">
      <span className="agenda-time">{time}</span>
      <span className="row-main">
        <Link to="/clients/$clientId" params={{ clientId: item.client_id }} className="pii">{item.client_first_name}</Link>
        <span className="muted"> · {kind}</span>
        {!open ? <span className="badge">{_(STATUS_TEXT[item.status] ?? msg`done`)}</span> : null}
        {item.summary ? <span className="agenda-summary pii">{item.summary}</span> : null}
      </span>
      <span className="actions">
        {choices.map((o) => (
          <Button key={o.status} variant="quiet" isDisabled={busy} onPress={() => (item.kind === 'appointment' && o.status === 'cancelled' ? setEditing('cancel') : onStatus(item.activity_id, o.status, _(msg`${_(o.label)}: ${kind} with ${item.client_first_name}`)))} aria-label={_(msg`${_(o.label)}: ${kind} with ${item.client_first_name}`)}>{_(o.label)}</Button>
        ))}
        {open ? <Button variant="quiet" isDisabled={busy} onPress={() => setEditing(editing === 'move' ? null : 'move')} aria-label={_(msg`Move: ${kind} with ${item.client_first_name}`)}><Trans>Move</Trans></Button> : null}
        {details && item.kind === 'appointment' && (open || item.status === 'attended') ? <Button variant="quiet" isDisabled={busy} onPress={() => setEditing(editing === 'outcome' ? null : 'outcome')} aria-label={_(msg`Outcome: ${kind} with ${item.client_first_name}`)}><Trans>Outcome</Trans></Button> : null}
      </span>
      {editing === 'move' ? <MoveForm id={item.activity_id} at={item.at} label={_(msg`Move the ${kind} with ${item.client_first_name}`)} onDone={() => setEditing(null)} /> : null}
      {editing === 'cancel' ? <CancelForm id={item.activity_id} label={_(msg`Cancel the ${kind} with ${item.client_first_name}`)} onDone={() => setEditing(null)} /> : null}
      {editing === 'outcome' ? <OutcomeForm id={item.activity_id} label={_(msg`Outcome of the ${kind} with ${item.client_first_name}`)} onDone={() => setEditing(null)} /> : null}
    </li>
  );
}
