import type { ReactNode } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data, type paths } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';

type Agenda = paths['/api/v1/agenda']['get']['responses'][200]['content']['application/json'];
type Item = Agenda['today'][number];
type Outcome = 'done' | 'cancelled' | 'attended' | 'no_show';

const KIND: Record<string, MessageDescriptor> = { follow_up: msg`Follow-up`, appointment: msg`Appointment` };
/** What can be recorded from the list: a follow-up is done or cancelled; an appointment attended, missed or cancelled. */
const OUTCOMES: Record<string, { status: Outcome; label: MessageDescriptor }[]> = {
  follow_up: [
    { status: 'done', label: msg`Done` },
    { status: 'cancelled', label: msg`Cancel` },
  ],
  appointment: [
    { status: 'attended', label: msg`Attended` },
    { status: 'no_show', label: msg`Did not come` },
    { status: 'cancelled', label: msg`Cancelled` },
  ],
};

/**
 * Today: overdue, today and the next 7 days — follow-ups and appointments — each completed or given
 * its outcome from the list. Read once when the screen opens (an audited read), again only after a change.
 */
export function Today() {
  const { _ } = useLingui();
  const queryClient = useQueryClient();
  const agenda = useQuery({ queryKey: ['agenda'], queryFn: () => data(api.GET('/api/v1/agenda')) });
  const record = useMutation({
    mutationFn: ({ id, status }: { id: string; status: Outcome }) => data(api.PATCH('/api/v1/activities/{id}', { params: { path: { id } }, body: { status } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['agenda'] }),
  });
  const a = agenda.data;
  return (
    <section aria-labelledby="today-title">
      <h2 id="today-title" className="today-title"><Trans>Today</Trans></h2>
      <Alert>{agenda.isError ? _(errorMessage(agenda.error)) : record.isError ? _(errorMessage(record.error)) : null}</Alert>
      {a ? (
        <>
          <Bucket id="overdue" title={<Trans>Overdue</Trans>} empty={<Trans>Nothing overdue.</Trans>} items={a.overdue} timezone={a.timezone} withDate onRecord={(id, status) => record.mutate({ id, status })} busy={record.isPending} />
          <Bucket id="today" title={<Trans>Today</Trans>} empty={<Trans>Nothing else today.</Trans>} items={a.today} timezone={a.timezone} onRecord={(id, status) => record.mutate({ id, status })} busy={record.isPending} />
          <Bucket id="next" title={<Trans>Next 7 days</Trans>} empty={<Trans>Nothing in the next 7 days.</Trans>} items={a.next_7_days} timezone={a.timezone} withDate onRecord={(id, status) => record.mutate({ id, status })} busy={record.isPending} />
        </>
      ) : agenda.isPending ? <p className="muted" aria-busy="true"><Trans>Loading your day…</Trans></p> : null}
    </section>
  );
}

function Bucket({ id, title, empty, items, timezone, withDate = false, onRecord, busy }: { id: string; title: ReactNode; empty: ReactNode; items: Item[]; timezone: string; withDate?: boolean; onRecord: (id: string, status: Outcome) => void; busy: boolean }) {
  const { _, i18n } = useLingui();
  const locale = i18n.locale === 'de' ? 'de-DE' : 'en-GB';
  const when = new Intl.DateTimeFormat(locale, { timeZone: timezone, ...(withDate ? { weekday: 'short', day: 'numeric', month: 'short' } : {}), hour: '2-digit', minute: '2-digit' });
  return (
    <section className="panel" aria-labelledby={`bucket-${id}`}>
      <h3 id={`bucket-${id}`} className="bucket-title">{title} <span className="count">{items.length}</span></h3>
      {items.length === 0 ? <p className="muted">{empty}</p> : (
        <ul className="rows" aria-labelledby={`bucket-${id}`}>
          {items.map((item) => (
            <li key={item.activity_id} className="row agenda-row">
              <span className="agenda-time">{when.format(new Date(item.at))}</span>
              <span className="row-main">
                {item.client_first_name}
                <span className="muted"> · {KIND[item.kind] ? _(KIND[item.kind]!) : item.kind}</span>
                {item.summary ? <span className="agenda-summary">{item.summary}</span> : null}
              </span>
              <span className="actions">
                {(OUTCOMES[item.kind] ?? []).map((o) => (
                  <Button key={o.status} variant="quiet" isDisabled={busy} onPress={() => onRecord(item.activity_id, o.status)} aria-label={_(msg`${_(o.label)}: ${_(KIND[item.kind] ?? msg`item`)} with ${item.client_first_name}`)}>{_(o.label)}</Button>
                ))}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
