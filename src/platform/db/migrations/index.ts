import type { Migration } from 'kysely/migration';
import * as foundation from './0001-foundation.ts';
import * as clients from './0002-clients.ts';
import * as audit from './0003-audit.ts';
import * as identity from './0004-identity.ts';
import * as accessReview from './0005-access-review.ts';
import * as alertRules from './0006-alert-rules.ts';
import * as passkeys from './0007-passkeys.ts';
import * as notes from './0008-notes.ts';
import * as tags from './0009-tags.ts';
import * as activities from './0010-activities.ts';
import * as imports from './0011-imports.ts';
import * as segments from './0012-segments.ts';
import * as invoices from './0013-invoices.ts';
import * as cadence from './0014-cadence.ts';
import * as auditSubjectsIdx from './0015-audit-subjects-idx.ts';
import * as importRejections from './0016-import-rejections.ts';
import * as digests from './0017-digests.ts';
import * as headFrontier from './0018-head-frontier.ts';
import * as segmentOrder from './0019-segment-order.ts';
import * as oneRunningImport from './0020-one-running-import.ts';
import * as indexTwoOrders from './0021-index-two-orders.ts';
import * as breakGlassSealed from './0022-break-glass-sealed.ts';
import * as auditAppendOnly from './0023-audit-append-only.ts';
import * as segmentNameSealed from './0024-segment-name-sealed.ts';
import * as retainedInvoices from './0025-retained-invoices.ts';
import * as headMails from './0026-head-mails.ts';
import * as passwordResets from './0027-password-resets.ts';
import * as organisationSettings from './0028-organisation-settings.ts';
import * as noteAddenda from './0029-note-addenda.ts';
import * as noteActivity from './0030-note-activity.ts';
import * as clientContactDates from './0031-client-contact-dates.ts';
import * as breakGlassSearches from './0032-break-glass-searches.ts';
import * as activityCancelReason from './0033-activity-cancel-reason.ts';
import * as invoiceNumbers from './0034-invoice-numbers.ts';
import * as appointmentSeries from './0035-appointment-series.ts';
import * as invoicedActivities from './0036-invoiced-activities.ts';
import * as rooms from './0037-rooms.ts';
import * as userTimeZone from './0038-user-time-zone.ts';
import * as clientContactPreferences from './0039-client-contact-preferences.ts';
import * as invoiceDetails from './0040-invoice-details.ts';
import * as backgroundImports from './0041-background-imports.ts';
import * as importMappings from './0042-import-mappings.ts';
import * as importAttachments from './0043-import-attachments.ts';

/**
 * The one migration set, for SQLite and PostgreSQL alike, in order. Names sort lexically; never
 * rename or edit a migration that has shipped — add a new one.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-foundation': foundation,
  '0002-clients': clients,
  '0003-audit': audit,
  '0004-identity': identity,
  '0005-access-review': accessReview,
  '0006-alert-rules': alertRules,
  '0007-passkeys': passkeys,
  '0008-notes': notes,
  '0009-tags': tags,
  '0010-activities': activities,
  '0011-imports': imports,
  '0012-segments': segments,
  '0013-invoices': invoices,
  '0014-cadence': cadence,
  '0015-audit-subjects-idx': auditSubjectsIdx,
  '0016-import-rejections': importRejections,
  '0017-digests': digests,
  '0018-head-frontier': headFrontier,
  '0019-segment-order': segmentOrder,
  '0020-one-running-import': oneRunningImport,
  '0021-index-two-orders': indexTwoOrders,
  '0022-break-glass-sealed': breakGlassSealed,
  '0023-audit-append-only': auditAppendOnly,
  '0024-segment-name-sealed': segmentNameSealed,
  '0025-retained-invoices': retainedInvoices,
  '0026-head-mails': headMails,
  '0027-password-resets': passwordResets,
  '0028-organisation-settings': organisationSettings,
  '0029-note-addenda': noteAddenda,
  '0030-note-activity': noteActivity,
  '0031-client-contact-dates': clientContactDates,
  '0032-break-glass-searches': breakGlassSearches,
  '0033-activity-cancel-reason': activityCancelReason,
  '0034-invoice-numbers': invoiceNumbers,
  '0035-appointment-series': appointmentSeries,
  '0036-invoiced-activities': invoicedActivities,
  '0037-rooms': rooms,
  '0038-user-time-zone': userTimeZone,
  '0039-client-contact-preferences': clientContactPreferences,
  '0040-invoice-details': invoiceDetails,
  '0041-background-imports': backgroundImports,
  '0042-import-mappings': importMappings,
  '0043-import-attachments': importAttachments,
};
