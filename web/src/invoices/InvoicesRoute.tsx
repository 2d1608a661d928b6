import { createLazyRoute, Link, useNavigate } from '@tanstack/react-router';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useQuery } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan } from '../app/session';
import { Alert } from '../ui/Alert';
import { Select } from '../ui/Select';
import { INVOICE_STATUS } from './labels';
import { type Invoice, monthPeriod, thisMonth, useDate, useMoney } from './money';

type Status = 'all' | 'draft' | 'sent' | 'paid' | 'void';

/** Every invoice of a period (pages followed), read when the person opens the period. */
export function usePeriodInvoices(from: string, to: string, status?: Exclude<Status, 'all'>, enabled = true) {
  return useQuery({
    enabled,
    queryKey: ['invoices', from, to, status ?? 'all'],
    gcTime: 0,
    queryFn: async () => {
      const all: Invoice[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const res = await data(api.GET('/api/v1/invoices', { params: { query: { from, to, limit: 500, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } } }));
        all.push(...res.invoices);
        if (!res.next_cursor) break;
        cursor = res.next_cursor;
      }
      return all;
    },
  });
}

/** Per currency: what was issued (sent, paid, credit notes), paid and still open, in minor units. */
function totalsOf(invoices: Invoice[]) {
  const by = new Map<string, { issued: number; paid: number; open: number }>();
  for (const i of invoices) {
    if (i.status === 'draft' || i.status === 'void') continue;
    const t = by.get(i.currency) ?? { issued: 0, paid: 0, open: 0 };
    t.issued += i.total_minor;
    if (i.status === 'paid') t.paid += i.total_minor;
    if (i.status === 'sent' && i.kind === 'invoice') t.open += i.total_minor;
    by.set(i.currency, t);
  }
  return [...by.entries()];
}

/** The organisation's invoices of a month: filters, totals, the bookkeeper's CSV, print all. */
function InvoicesScreen() {
  const { _, i18n } = useLingui();
  const can = useCan();
  const search = Route.useSearch() as { month?: string; status?: Status };
  const navigate = useNavigate();
  const month = search.month ?? thisMonth();
  const status: Status = search.status ?? 'all';
  const period = monthPeriod(month);
  const invoices = usePeriodInvoices(period.from, period.to, status === 'all' ? undefined : status, can('invoices.retained'));
  const money = useMoney();
  const date = useDate();
  const go = (next: { month?: string; status?: Status }) => void navigate({ to: '/invoices', search: { month, status, ...next } });
  if (!can('invoices.retained')) return <section className="panel"><h1><Trans>Invoices</Trans></h1><Alert>{_(msg`Your role may not see the organisation's invoices. Ask the organisation's owner if you need them.`)}</Alert></section>;
  const monthName = new Intl.DateTimeFormat(i18n.locale === 'de' ? 'de-DE' : 'en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${period.from}T00:00:00Z`));
  const csv = `/api/v1/invoices/export.csv?from=${period.from}&to=${period.to}${status === 'all' ? '' : `&status=${status}`}`;
  return (
    <section className="panel invoices" aria-labelledby="invoices-title">
      <h1 id="invoices-title"><Trans>Invoices</Trans></h1>
      <div className="invoice-filters">
        <div className="actions month-nav" role="group" aria-label={_(msg`Period`)}>
          <Link className="button button-quiet" to="/invoices" search={{ month: period.previous, status }} aria-label={_(msg`Previous month`)}>‹</Link>
          <span className="month-name" aria-live="polite">{monthName}</span>
          <Link className="button button-quiet" to="/invoices" search={{ month: period.next, status }} aria-label={_(msg`Next month`)}>›</Link>
        </div>
        <Select<Status>
          name="status"
          label={<Trans>Status</Trans>}
          options={[{ id: 'all', label: _(msg`All`) }, ...(['draft', 'sent', 'paid', 'void'] as const).map((s) => ({ id: s, label: _(INVOICE_STATUS[s]!) }))]}
          value={status}
          onChange={(s) => go({ status: s })}
        />
      </div>
      <Alert>{invoices.isError ? _(errorMessage(invoices.error)) : null}</Alert>
      {invoices.data ? (
        <div className="invoice-totals">
          {totalsOf(invoices.data).length === 0 ? <p className="muted"><Trans>Nothing issued in this period.</Trans></p> : totalsOf(invoices.data).map(([currency, t]) => (
            <dl key={currency} className="invoice-total-group" aria-label={_(msg`Totals in ${currency}`)}>
              <div><dt><Trans>Issued ({currency})</Trans></dt><dd>{money(t.issued, currency)}</dd></div>
              <div><dt><Trans>Paid</Trans></dt><dd>{money(t.paid, currency)}</dd></div>
              <div><dt><Trans>Outstanding</Trans></dt><dd>{money(t.open, currency)}</dd></div>
            </dl>
          ))}
        </div>
      ) : null}
      <div className="actions">
        <a className="button button-quiet" href={csv} download><Trans>Export CSV</Trans></a>
        <Link className="button button-quiet" to="/invoices/print" search={{ from: period.from, to: period.to }}><Trans>Print the month</Trans></Link>
      </div>
      <p className="muted field-description"><Trans>The export is recorded in the audit log, naming every client whose invoice it holds.</Trans></p>
      {invoices.isPending ? <p className="muted" aria-busy="true"><Trans>Loading…</Trans></p> : (invoices.data ?? []).length === 0 ? <p className="muted"><Trans>No invoices in this period.</Trans></p> : (
        <ul className="rows invoice-rows" aria-label={_(msg`Invoices of ${monthName}`)}>
          {(invoices.data ?? []).map((i) => (
            <li key={i.id} className="row invoice-row">
              <Link to="/invoices/$invoiceId" params={{ invoiceId: i.id }} className="invoice-number">{i.number ?? _(msg`Draft`)}{i.kind === 'credit_note' ? <> · <Trans>credit note</Trans></> : null}</Link>
              <span className="row-main pii">{i.bill_to?.name ?? '—'}</span>
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

export const Route = createLazyRoute('/signed-in/invoices')({ component: InvoicesScreen });
