import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useQuery } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { INVOICE_STATUS, PAYMENT_METHOD, VOID_REASON } from './labels';
import { type Invoice, type Issuer, useDate, useMoney } from './money';

/** What invoices print about the organisation (its own data, no client's). */
export function useIssuer() {
  return useQuery({ queryKey: ['invoice-issuer'], queryFn: () => data(api.GET('/api/v1/invoices/issuer')) });
}

/** The invoice's lines, tax by rate and totals. */
export function InvoiceLines({ invoice }: { invoice: Invoice }) {
  const { _ } = useLingui();
  const money = useMoney();
  const m = (minor: number) => money(minor, invoice.currency);
  return (
    <div className="invoice-lines-wrap" role="region" tabIndex={0} aria-label={_(msg`Lines`)}>
      <table className="invoice-lines">
        <caption className="visually-hidden">{_(msg`Lines`)}</caption>
        <thead>
          <tr><th scope="col"><Trans>Description</Trans></th><th scope="col" className="num"><Trans>Qty</Trans></th><th scope="col" className="num"><Trans>Unit price</Trans></th><th scope="col" className="num"><Trans>Tax</Trans></th><th scope="col" className="num"><Trans>Amount</Trans></th></tr>
        </thead>
        <tbody>
          {invoice.items.map((l, n) => (
            <tr key={n}><td>{l.description}</td><td className="num">{l.quantity}</td><td className="num">{m(l.unit_minor)}</td><td className="num">{l.tax_rate}%</td><td className="num">{m(l.net_minor)}</td></tr>
          ))}
        </tbody>
        <tfoot>
          <tr><th scope="row" colSpan={4}><Trans>Net</Trans></th><td className="num">{m(invoice.totals.net_minor)}</td></tr>
          {invoice.totals.tax.map((t) => (
            <tr key={t.rate}><th scope="row" colSpan={4}><Trans>Tax at {t.rate}% on {m(t.net_minor)}</Trans></th><td className="num">{m(t.tax_minor)}</td></tr>
          ))}
          <tr className="invoice-grand"><th scope="row" colSpan={4}><Trans>Total</Trans></th><td className="num">{m(invoice.totals.gross_minor)}</td></tr>
        </tfoot>
      </table>
    </div>
  );
}

/** One invoice as printed: the organisation, the recipient (as far as the reader may read it), number, dates, lines and totals. */
export function PrintedInvoice({ invoice, issuer }: { invoice: Invoice; issuer: Issuer }) {
  const { _ } = useLingui();
  const date = useDate(issuer.time_zone);
  const details = issuer.invoice_details;
  const address = invoice.bill_to?.postal_address ? Object.values(invoice.bill_to.postal_address).filter(Boolean) : [];
  const title = invoice.kind === 'credit_note' ? _(msg`Credit note`) : _(msg`Invoice`);
  return (
    <article className="printed-invoice" aria-label={invoice.number ? `${title} ${invoice.number}` : _(msg`Draft invoice`)}>
      <header className="printed-head">
        <div>
          <h2 className="printed-org">{issuer.name}</h2>
          {details?.address_lines.map((l, n) => <div key={n}>{l}</div>)}
          {details?.tax_number ? <div><Trans>Tax number: {details.tax_number}</Trans></div> : null}
        </div>
        <div className="printed-meta">
          <h3>{title} {invoice.number ?? _(msg`(draft, not yet numbered)`)}</h3>
          <dl>
            {invoice.issued_at ? <div><dt><Trans>Date</Trans></dt><dd>{date(invoice.issued_at)}</dd></div> : null}
            {invoice.due_at ? <div><dt><Trans>Due</Trans></dt><dd>{date(invoice.due_at)}</dd></div> : null}
            {invoice.paid_at ? <div><dt><Trans>Paid</Trans></dt><dd>{date(invoice.paid_at)}{invoice.payment_method ? ` · ${_(PAYMENT_METHOD[invoice.payment_method] ?? msg`Other`)}` : ''}{invoice.card ? ` · ${invoice.card.brand} ···· ${invoice.card.last4 ?? ''}` : ''}</dd></div> : null}
            <div><dt><Trans>Status</Trans></dt><dd>{_(INVOICE_STATUS[invoice.status] ?? msg`unknown`)}</dd></div>
          </dl>
        </div>
      </header>
      <section className="printed-to" aria-label={_(msg`Billed to`)}>
        <div className="muted"><Trans>Billed to</Trans></div>
        <div className="pii">{invoice.bill_to?.name ?? '—'}</div>
        {address.map((l, n) => <div key={n} className="pii">{l}</div>)}
      </section>
      <InvoiceLines invoice={invoice} />
      {invoice.reason ? <p>{invoice.kind === 'credit_note' ? <Trans>Credited because: {_(VOID_REASON[invoice.reason.code] ?? msg`Other`)}</Trans> : <Trans>Voided because: {_(VOID_REASON[invoice.reason.code] ?? msg`Other`)}</Trans>}</p> : null}
      {details?.payment_terms && invoice.kind === 'invoice' ? <p className="printed-terms">{details.payment_terms}</p> : null}
    </article>
  );
}
