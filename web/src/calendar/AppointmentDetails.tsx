import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { Link } from '@tanstack/react-router';
import { useCan } from '../app/session';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { CancelForm, MoveForm, activityChangeError, useActivityChange } from '../today/ActivityForms';
import type { Entry } from './entries';
import { wallAt } from './zoned';

const STATUS: Record<string, MessageDescriptor> = { booked: msg`Booked`, attended: msg`Attended`, no_show: msg`Did not come`, cancelled: msg`Cancelled` };
const REASON: Record<string, MessageDescriptor> = { by_client: msg`by the client, in time`, late_by_client: msg`by the client, late`, by_practice: msg`by the practice` };

/**
 * One appointment, opened from the calendar: when, with whom, whose (as far as the viewer may read),
 * its status; and for whoever may change it: attended or did not come (once it has started), move,
 * cancel with a reason — an occurrence of a series this one alone or with the following ones.
 */
export function AppointmentDetails({ entry, zone, practitioner, room, onClose }: { entry: Entry; zone: string; practitioner: string | null; room: string | null; onClose: () => void }) {
  const { _, i18n } = useLingui();
  const can = useCan();
  const change = useActivityChange();
  const [editing, setEditing] = useState<'move' | 'cancel' | null>(null);
  const startMs = Date.parse(entry.at);
  const format = new Intl.DateTimeFormat(i18n.locale === 'de' ? 'de-DE' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: zone });
  const end = wallAt(startMs + (entry.duration_min ?? 0) * 60_000, zone);
  const when = `${format.format(new Date(startMs))}–${String(end.h).padStart(2, '0')}:${String(end.min).padStart(2, '0')}`;
  const started = startMs <= Date.now();
  const changeable = entry.client !== null && can('client.update') && entry.status === 'booked';
  const series = entry.series_id !== null;
  return (
    <div className="appointment-details">
      <dl className="facts compact">
        <div>
          <dt><Trans>When</Trans></dt>
          <dd>{when}</dd>
        </div>
        <div>
          <dt><Trans>Client</Trans></dt>
          <dd>{entry.client ? <Link to="/clients/$clientId" params={{ clientId: entry.client.id }} className="pii">{entry.client.first_name}</Link> : <Trans>Busy (not a client of yours)</Trans>}</dd>
        </div>
        {practitioner ? (
          <div>
            <dt><Trans>With</Trans></dt>
            <dd>{practitioner}</dd>
          </div>
        ) : null}
        {room ? (
          <div>
            <dt><Trans>Room</Trans></dt>
            <dd>{room}</dd>
          </div>
        ) : null}
        <div>
          <dt><Trans>Status</Trans></dt>
          <dd>
            {_(STATUS[entry.status] ?? msg`Booked`)}
            {entry.status === 'cancelled' && entry.cancel_reason ? <> ({_(REASON[entry.cancel_reason] ?? msg`by the practice`)})</> : null}
          </dd>
        </div>
        {series ? (
          <div>
            <dt><Trans>Series</Trans></dt>
            <dd><Trans>One of a recurring series</Trans></dd>
          </div>
        ) : null}
      </dl>
      <Alert>{change.isError ? _(activityChangeError(change.error)) : null}</Alert>
      {changeable && editing === null ? (
        <div className="actions">
          {started ? (
            <>
              <Button isDisabled={change.isPending} onPress={() => change.mutate({ id: entry.activity_id, status: 'attended' })}><Trans>Attended</Trans></Button>
              <Button variant="quiet" isDisabled={change.isPending} onPress={() => change.mutate({ id: entry.activity_id, status: 'no_show' })}><Trans>Did not come</Trans></Button>
            </>
          ) : (
            <p className="muted"><Trans>Attended or did not come can be recorded once it has started.</Trans></p>
          )}
          <Button variant="quiet" onPress={() => setEditing('move')}><Trans>Move</Trans></Button>
          <Button variant="quiet" onPress={() => setEditing('cancel')}><Trans>Cancel it</Trans></Button>
        </div>
      ) : null}
      {changeable && editing === 'move' ? <MoveForm id={entry.activity_id} at={entry.at} zone={zone} series={series} label={_(msg`Move the appointment`)} onDone={() => setEditing(null)} /> : null}
      {changeable && editing === 'cancel' ? <CancelForm id={entry.activity_id} series={series} label={_(msg`Cancel the appointment`)} onDone={() => setEditing(null)} /> : null}
      <div className="actions">
        <Button variant="quiet" onPress={onClose}><Trans>Close</Trans></Button>
      </div>
    </div>
  );
}
