/**
 * Invoices: drafted (lines editable), issued with the organisation's next number, paid (never card
 * data), voided with a reason or credited by a credit note, and kept as retained records after a
 * client's erasure for the retention the law requires.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { invoiceRoutes } from './invoices.routes.ts';
export { resealLegacyInvoices, retentionJob } from './invoices.service.ts';
