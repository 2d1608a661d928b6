import type { FastifyInstance } from 'fastify';
import { accessReviewRoutes } from '../access/review/review.routes.ts';
import { alertRoutes } from '../audit/alerts/alerts.routes.ts';
import { enrolmentRoutes } from '../auth/login/enrolment.routes.ts';
import { loginRoutes } from '../auth/login/login.routes.ts';
import { passkeyRoutes } from '../auth/login/passkey.routes.ts';
import { relyingPartyFor } from '../auth/login/passkey.service.ts';
import { organisationRoutes } from '../auth/orgs/orgs.routes.ts';
import type { AuthRouteDeps } from '../auth/sessions/route-support.ts';
import { sessionRoutes } from '../auth/sessions/sessions.routes.ts';
import { accountRoutes } from '../auth/staff/account.routes.ts';
import { staffRoutes } from '../auth/staff/staff.routes.ts';
import { caseloadRoutes } from '../access/break-glass/break-glass.routes.ts';
import { cleanupRoutes } from '../clients/cleanup/cleanup.routes.ts';
import { duplicateRoutes } from '../clients/duplicates/duplicates.routes.ts';
import { importRoutes } from '../clients/import/import.routes.ts';
import { invoiceRoutes } from '../clients/invoices/invoices.routes.ts';
import { noteRoutes } from '../clients/notes/notes.routes.ts';
import { clientRoutes } from '../clients/records/client.routes.ts';
import type { ClientDeps } from '../clients/records/client.service.ts';
import { tagRoutes } from '../clients/records/tags.routes.ts';
import { searchRoutes } from '../clients/search/search.routes.ts';
import { segmentRoutes } from '../clients/segments/segments.routes.ts';
import { datamapRoutes } from '../datamap/inventory/datamap.routes.ts';
import { followupRoutes } from '../followups/followups.routes.ts';
import { erasureRoutes } from '../lifecycle/erasure/erasure.routes.ts';
import { exportRoutes } from '../lifecycle/export/export.routes.ts';

/** The route plugins of the client API, each in its capability's folder (`<capability>.routes.ts`). */
const CLIENT_API = [clientRoutes, tagRoutes, searchRoutes, noteRoutes, followupRoutes, invoiceRoutes, segmentRoutes, duplicateRoutes, cleanupRoutes, caseloadRoutes, erasureRoutes, exportRoutes, importRoutes, datamapRoutes];

/**
 * Registers the client API in one encapsulated scope: a CSV body sent to any of its routes is read
 * within the usual 1 MB limit (and refused by the route's schema); imports (an upload, a mapping
 * proposal) install their own parsers in import.routes.ts.
 */
export async function clientApi(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  for (const plugin of CLIENT_API) await app.register(plugin, deps);
}

/**
 * Registers the staff API: signing in and out, enrolment, passkeys, sessions, the account, staff
 * administration, the access review, organisation settings and the alerts inbox.
 */
export async function staffApi(app: FastifyInstance, deps: AuthRouteDeps & { publicUrl: string }): Promise<void> {
  for (const plugin of [loginRoutes, enrolmentRoutes, sessionRoutes, accountRoutes]) await app.register(plugin, deps);
  await app.register(passkeyRoutes, { db: deps.db, audit: deps.audit, rp: relyingPartyFor(deps.publicUrl), ...(deps.signInPerMinute ? { signInPerMinute: deps.signInPerMinute } : {}) });
  await app.register(staffRoutes, deps);
  await app.register(accessReviewRoutes, deps);
  await app.register(organisationRoutes, deps);
  await app.register(alertRoutes, deps);
}
