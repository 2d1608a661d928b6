import { useState } from 'react';
import { createLazyRoute, Link } from '@tanstack/react-router';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan } from '../app/session';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { ChangeError, LinesEditor, PayForm, ReasonForm, useInvoiceChange } from './InvoiceActions';
import { INVOICE_STATUS, PAYMENT_METHOD, VOID_REASON } from './labels';
import { InvoiceLines } from './PrintedInvoice';
import { type Invoice, useDate, useMoney } from './money';

/** One invoice, read when the page opens (an audited read). */
export function useInvoice(invoiceId: string) {
  return useQuery({ queryKey: ['invoice', invoiceId], queryFn: () => data(api.GET('/api/v1/invoices/{id}', { params: { path: { id: invoiceId } } })), gcTime: 0 });
}

type Open = 'lines' | 'pay' | 'void' | 'credit' | null;

/** An invoice: its lines (editable while a draft) and the next steps its status allows. */
function InvoiceScreen() {
  const { _ } = useLingui();
  const { invoiceId } = Route.useParams();
  const invoice = useInvoice(invoiceId);
  if (invoice.isPending) return <p className="muted" aria-busy="true"><Trans>Opening the invoice…</Trans></p>;
  if (invoice.isError) return <section className="panel"><h1><Trans>Invoice not available</Trans></h1><Alert>{_(errorMessage(invoice.error))}</Alert><Link to="/invoices"><Trans>Back to invoices</Trans></Link></section>;
  return <InvoiceDetail key={invoice.data.id} invoice={invoice.data} />;
}

function InvoiceDetail({ invoice }: { invoice: Invoice }) {
  const { _ } = useLingui();
  const can = useCan();
  const money = useMoney();
  const date = useDate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<Open>(null);
  const change = useInvoiceChange(invoice, () => setOpen(null));
  const credit = useMutation({
    mutationFn: (body: { reason: 'issued_in_error' | 'duplicate' | 'client_cancelled' | 'other'; note?: string }) => data(api.POST('/api/v1/invoices/{id}/credit-note', { params: { path: { id: invoice.id } }, body })),
    onSuccess: (note) => {
      queryClient.setQueryData(['invoice', note.id], note);
      void queryClient.invalidateQueries({ queryKey: ['invoices'] });
      setOpen(null);
      setCredited(note.id);
    },
  });
  const [credited, setCredited] = useState<string | null>(null);
  const title = invoice.kind === 'credit_note' ? _(msg`Credit note`) : _(msg`Invoice`);
  const mayChange = can('client.invoices');
  return (
    <article className="panel invoice-detail" aria-labelledby="invoice-title">
      <div className="record-title-row">
        <h1 id="invoice-title">{title} {invoice.number ?? _(msg`(draft)`)}</h1>
        <span className="badge">{_(INVOICE_STATUS[invoice.status] ?? msg`unknown`)}</span>
        <span className="spacer" />
        <span className="invoice-amount">{money(invoice.total_minor, invoice.currency)}</span>
      </div>
      <p className="muted">
        <span className="pii">{invoice.bill_to?.name ?? ''}</span>
        {invoice.bill_to?.name ? ' · ' : ''}
        {invoice.issued_at ? <Trans>issued {date(invoice.issued_at)}</Trans> : <Trans>drafted {date(invoice.created_at)}</Trans>}
        {invoice.paid_at ? <> · <Trans>paid {date(invoice.paid_at)}</Trans></> : null}
        {invoice.payment_method ? <> · {_(PAYMENT_METHOD[invoice.payment_method] ?? msg`Other`)}</> : null}
        {invoice.card ? <> · {invoice.card.brand} ···· {invoice.card.last4}</> : null}
        {invoice.reason ? <> · {_(VOID_REASON[invoice.reason.code] ?? msg`Other`)}{invoice.reason.note ? `: ${invoice.reason.note}` : ''}</> : null}
      </p>
      <p className="actions">
        <Link to="/clients/$clientId" params={{ clientId: invoice.client_id }}><Trans>Open the client's record</Trans></Link>
        {invoice.credits_invoice_id ? <Link to="/invoices/$invoiceId" params={{ invoiceId: invoice.credits_invoice_id }}><Trans>The invoice it credits</Trans></Link> : null}
      </p>
      <ChangeError error={change.error} />
      {credited ? <Alert><Trans>Credit note issued.</Trans> <Link to="/invoices/$invoiceId" params={{ invoiceId: credited }}><Trans>Open the credit note</Trans></Link></Alert> : null}
      {open === 'lines' ? <LinesEditor invoice={invoice} onDone={() => setOpen(null)} /> : <InvoiceLines invoice={invoice} />}
      {mayChange && open === null ? (
        <div className="actions invoice-actions">
          {invoice.status === 'draft' ? <Button variant="quiet" onPress={() => setOpen('lines')}><Trans>Edit lines</Trans></Button> : null}
          {invoice.status === 'draft' ? <Button isDisabled={change.isPending} onPress={() => change.mutate({ status: 'sent' })}><Trans>Send (gives it its number)</Trans></Button> : null}
          {invoice.status === 'sent' && invoice.kind === 'invoice' ? <Button onPress={() => setOpen('pay')}><Trans>Mark paid</Trans></Button> : null}
          {(invoice.status === 'draft' || invoice.status === 'sent') && invoice.kind === 'invoice' ? <Button variant="quiet" onPress={() => setOpen('void')}><Trans>Void</Trans></Button> : null}
          {invoice.status === 'paid' && invoice.kind === 'invoice' ? <Button variant="quiet" onPress={() => setOpen('credit')}><Trans>Credit note</Trans></Button> : null}
        </div>
      ) : null}
      {open === 'pay' ? <PayForm invoice={invoice} onDone={() => setOpen(null)} /> : null}
      {open === 'void' ? (
        <ReasonForm title={_(msg`Void this invoice`)} confirm={_(msg`Void it`)} warning={_(msg`A voided invoice stays on record with its number and reason; it can no longer be sent or paid.`)} busy={change.isPending} error={change.error} onSubmit={(reason, note) => change.mutate({ status: 'void', void_reason: reason, ...(note ? { void_note: note } : {}) })} onDone={() => setOpen(null)} />
      ) : null}
      {open === 'credit' ? (
        <ReasonForm title={_(msg`Credit this invoice`)} confirm={_(msg`Issue the credit note`)} warning={_(msg`A credit note for the full amount is issued with the next number; the paid invoice stays as it is.`)} busy={credit.isPending} error={credit.error} onSubmit={(reason, note) => credit.mutate({ reason, ...(note ? { note } : {}) })} onDone={() => setOpen(null)} />
      ) : null}
      <p className="actions">
        <Link className="button button-quiet" to="/invoices/$invoiceId/print" params={{ invoiceId: invoice.id }}><Trans>Print</Trans></Link>
        {can('invoices.retained') ? <Link to="/invoices"><Trans>All invoices</Trans></Link> : null}
      </p>
    </article>
  );
}

export const Route = createLazyRoute('/signed-in/invoices/$invoiceId')({ component: InvoiceScreen });
