import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan } from '../app/session';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { useDateTime } from '../ui/format';

const KIND: Record<string, MessageDescriptor> = {
  break_glass: msg`Emergency access`,
  mass_read: msg`Many records read`,
  off_hours: msg`Reading outside working hours`,
  repeated_denials: msg`Repeated refusals`,
  sign_in_failures: msg`Failed sign-ins`,
  export: msg`Client data exported`,
};

/**
 * Alerts: what the audit's rules raised — emergency access, mass reads, refusals, failed sign-ins,
 * exports — newest first, each acknowledged once someone has looked into it. Names no client.
 */
export function AlertsPage() {
  const { _ } = useLingui();
  const can = useCan();
  const dateTime = useDateTime();
  const queryClient = useQueryClient();
  const [all, setAll] = useState(false);
  const alerts = useQuery({ queryKey: ['alerts', all], queryFn: () => data(api.GET('/api/v1/alerts', { params: { query: all ? {} : { unacknowledged: '1' } } })), gcTime: 0 });
  const acknowledge = useMutation({
    mutationFn: (id: string) => data(api.POST('/api/v1/alerts/{id}/acknowledge', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['alerts'] }),
  });
  const list = alerts.data?.alerts ?? [];
  return (
    <section aria-labelledby="alerts-title">
      <div className="page-head">
        <h1 id="alerts-title"><Trans>Alerts</Trans></h1>
        <span className="spacer" />
        <Button variant="quiet" onPress={() => setAll(!all)}>{all ? <Trans>Show open alerts only</Trans> : <Trans>Show acknowledged too</Trans>}</Button>
      </div>
      <Alert>{alerts.isError ? _(errorMessage(alerts.error)) : acknowledge.isError ? _(errorMessage(acknowledge.error)) : null}</Alert>
      {alerts.isPending ? <p className="muted" aria-busy="true"><Trans>Loading alerts…</Trans></p> : list.length === 0 ? <div className="panel empty"><p><Trans>No open alerts. Nothing needs looking into.</Trans></p></div> : (
        <ul className="rows panel" aria-label={_(msg`Alerts`)}>
          {list.map((a) => (
            <li key={a.id} className="row">
              <span className="agenda-time">{dateTime(a.created_at)}</span>
              <span className="row-main">
                {_(KIND[a.kind] ?? msg`Alert`)}
                <span className="agenda-summary">{a.detail}</span>
              </span>
              {a.acknowledged_at ? <span className="muted small"><Trans>Acknowledged {dateTime(a.acknowledged_at)}</Trans></span> : can('alerts.acknowledge') ? (
                <Button variant="quiet" isDisabled={acknowledge.isPending} onPress={() => acknowledge.mutate(a.id)} aria-label={_(msg`Acknowledge: ${_(KIND[a.kind] ?? msg`Alert`)}, ${dateTime(a.created_at)}`)}><Trans>Acknowledge</Trans></Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
