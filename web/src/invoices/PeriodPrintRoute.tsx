import { createLazyRoute, Link } from '@tanstack/react-router';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { PrintBar } from './InvoicePrintRoute';
import { usePeriodInvoices } from './InvoicesRoute';
import { PrintedInvoice, useIssuer } from './PrintedInvoice';

/** Every invoice of a period, each on a page of its own. */
function PeriodPrintScreen() {
  const { _ } = useLingui();
  const { from, to } = Route.useSearch() as { from: string; to: string };
  const invoices = usePeriodInvoices(from, to);
  const issuer = useIssuer();
  const error = invoices.error ?? issuer.error;
  const list = (invoices.data ?? []).filter((i) => i.status !== 'draft');
  return (
    <section className="print-page" aria-label={_(msg`Invoices from ${from} to ${to}`)}>
      <PrintBar back={<Link to="/invoices"><Trans>Back to invoices</Trans></Link>} />
      <Alert>{error ? _(errorMessage(error)) : null}</Alert>
      {invoices.data && issuer.data ? (list.length === 0 ? <p className="muted"><Trans>No issued invoices in this period.</Trans></p> : list.map((i) => <PrintedInvoice key={i.id} invoice={i} issuer={issuer.data} />)) : error ? null : <p className="muted" aria-busy="true"><Trans>Loading…</Trans></p>}
    </section>
  );
}

export const Route = createLazyRoute('/signed-in/invoices/print')({ component: PeriodPrintScreen });
