import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Link } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { useDateTime } from '../ui/format';
import { INVOICE_STATUS } from '../invoices/labels';
import { minorOf, useDate, useMoney } from '../invoices/money';

/** The client's invoices, read when the record opens (an audited read), each linking to its page. */
export function Invoices({ clientId }: { clientId: string }) {
  const { _ } = useLingui();
  const money = useMoney();
  const date = useDate();
  const invoices = useQuery({ queryKey: ['client-invoices', clientId], queryFn: () => data(api.GET('/api/v1/clients/{id}/invoices', { params: { path: { id: clientId } } })), gcTime: 0 });
  const list = invoices.data?.invoices ?? [];
  return (
    <section className="panel" aria-labelledby="invoices-title">
      <h2 id="invoices-title"><Trans>Invoices</Trans></h2>
      <Alert>{invoices.isError ? _(errorMessage(invoices.error)) : null}</Alert>
      {invoices.isPending ? <p className="muted" aria-busy="true"><Trans>Loading…</Trans></p> : list.length === 0 ? <p className="muted"><Trans>No invoices yet.</Trans></p> : (
        <ul className="rows">
          {list.map((i) => (
            <li key={i.id} className="row invoice-row">
              <Link to="/invoices/$invoiceId" params={{ invoiceId: i.id }} className="invoice-number">{i.number ?? _(msg`Draft`)}{i.kind === 'credit_note' ? <> · <Trans>credit note</Trans></> : null}</Link>
              <span className="muted">{date(i.issued_at ?? i.created_at)}</span>
              <span className="badge">{_(INVOICE_STATUS[i.status] ?? msg`unknown`)}</span>
              <span className="invoice-amount">{money(i.total_minor, i.currency)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Attended appointments, newest first, each with "Bill this session" (for roles that may write invoices). */
export function ToBill({ clientId, appointments }: { clientId: string; appointments: { id: string; at: string }[] }) {
  const dateTime = useDateTime();
  if (appointments.length === 0) return null;
  return (
    <div className="to-bill">
      <h3 className="bucket-title"><Trans>Attended sessions</Trans></h3>
      <ul className="rows">
        {appointments.map((a) => (
          <li key={a.id} className="row">
            <span className="agenda-time">{dateTime(a.at)}</span>
            <BillSession clientId={clientId} activityId={a.id} when={dateTime(a.at)} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Bills one attended appointment (POST /api/v1/activities/:id/invoice): a draft at the
 * organisation's default session price, or — when it has none — at the price the person gives.
 * Links to the invoice made (or to the one that bills it already).
 */
function BillSession({ clientId, activityId, when }: { clientId: string; activityId: string; when: string }) {
  const { _ } = useLingui();
  const queryClient = useQueryClient();
  const [price, setPrice] = useState('');
  const [askPrice, setAskPrice] = useState(false);
  const bill = useMutation({
    mutationFn: (unit_minor?: number) => data(api.POST('/api/v1/activities/{id}/invoice', { params: { path: { id: activityId } }, body: unit_minor === undefined ? {} : { unit_minor } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['client-invoices', clientId] }),
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'VALIDATION_FAILED' && (error.details.fields as string[] | undefined)?.includes('unit_minor')) setAskPrice(true);
    },
  });
  const existing = bill.error instanceof ApiError && bill.error.code === 'ALREADY_INVOICED' && typeof bill.error.details.invoice_id === 'string' ? bill.error.details.invoice_id : null;
  const made = bill.data?.id ?? null;
  const needsPrice = askPrice && !made;
  return (
    <span className="row-main bill-session">
      {made ? <Link to="/invoices/$invoiceId" params={{ invoiceId: made }}><Trans>Draft invoice made: open it</Trans></Link> : (
        <>
          {needsPrice ? <Field name={`price-${activityId}`} label={<Trans>Price (e.g. 80.00)</Trans>} inputMode="decimal" value={price} onChange={setPrice} description={<Trans>The organisation has no default session price.</Trans>} /> : null}
          <Button variant="quiet" isDisabled={bill.isPending || (needsPrice && minorOf(price, 'GBP') === null)} onPress={() => bill.mutate(needsPrice ? (minorOf(price, 'GBP') ?? undefined) : undefined)} aria-label={_(msg`Bill this session: appointment on ${when}`)}>
            <Trans>Bill this session</Trans>
          </Button>
        </>
      )}
      {bill.isError && !(askPrice && bill.error instanceof ApiError && bill.error.code === 'VALIDATION_FAILED') ? <Alert>{_(errorMessage(bill.error))} {existing ? <Link to="/invoices/$invoiceId" params={{ invoiceId: existing }}><Trans>Open its invoice</Trans></Link> : null}</Alert> : null}
    </span>
  );
}
