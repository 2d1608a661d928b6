import { createLazyRoute, Link } from '@tanstack/react-router';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { useInvoice } from './InvoiceRoute';
import { PrintedInvoice, useIssuer } from './PrintedInvoice';

/** The print bar: shown on screen, hidden on paper. */
export function PrintBar({ back }: { back: ReactNode }) {
  return (
    <div className="print-bar no-print">
      <Button onPress={() => window.print()}><Trans>Print / save as PDF</Trans></Button>
      {back}
    </div>
  );
}

/** One invoice as it prints (the shell hidden on paper). */
function InvoicePrintScreen() {
  const { _ } = useLingui();
  const { invoiceId } = Route.useParams();
  const invoice = useInvoice(invoiceId);
  const issuer = useIssuer();
  const error = invoice.error ?? issuer.error;
  return (
    <section className="print-page" aria-label={_(msg`Printable invoice`)}>
      <PrintBar back={<Link to="/invoices/$invoiceId" params={{ invoiceId }}><Trans>Back to the invoice</Trans></Link>} />
      <Alert>{error ? _(errorMessage(error)) : null}</Alert>
      {invoice.data && issuer.data ? <PrintedInvoice invoice={invoice.data} issuer={issuer.data} /> : error ? null : <p className="muted" aria-busy="true"><Trans>Loading…</Trans></p>}
    </section>
  );
}

export const Route = createLazyRoute('/signed-in/invoices/$invoiceId/print')({ component: InvoicePrintScreen });
