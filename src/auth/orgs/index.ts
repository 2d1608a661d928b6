/**
 * Organisations of a deployment and their settings (general, mail, security); the organisation's
 * mail source.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { registerOrgCommands } from './org.cli.ts';
export type { WithDeployment } from './org.cli.ts';
export { DEFAULT_SENDER_NAME, mailSendError, organisationMailSource } from './org-mail.service.ts';
export type { DeploymentMail, MailerFactory } from './org-mail.service.ts';
export { DEFAULT_INVOICE_PREFIX, defaultSessionPriceOf, invoiceIssuerOf, invoicePrefixOf, messageContextOf, organisationLanguage, organisationTimeZone } from './org-settings.service.ts';
export type { DeploymentSettings } from './org-settings.service.ts';
export type { InvoiceDetails, Language } from './orgs.schema.ts';
export { organisationRoutes } from './orgs.routes.ts';
