import type { FastifyInstance } from 'fastify';
import { accessReviewRoutes } from '../access/review/index.ts';
import { alertRoutes } from '../audit/alerts/index.ts';
import { enrolmentRoutes } from '../auth/login/index.ts';
import { loginRoutes } from '../auth/login/index.ts';
import { passkeyRoutes } from '../auth/login/index.ts';
import { relyingPartyFor } from '../auth/login/index.ts';
import { type DeploymentSettings, organisationRoutes } from '../auth/orgs/index.ts';
import type { AuthRouteDeps } from '../auth/sessions/index.ts';
import { sessionRoutes } from '../auth/sessions/index.ts';
import { recoveryRoutes } from '../auth/recovery/index.ts';
import { accountRoutes } from '../auth/staff/index.ts';
import { staffRoutes } from '../auth/staff/index.ts';
import { caseloadRoutes } from '../access/break-glass/index.ts';
import { bulkRoutes } from '../clients/bulk/index.ts';
import { cleanupRoutes } from '../clients/cleanup/index.ts';
import { duplicateRoutes } from '../clients/duplicates/index.ts';
import { importRoutes } from '../clients/import/index.ts';
import { invoiceRoutes } from '../clients/invoices/index.ts';
import { noteRoutes } from '../clients/notes/index.ts';
import { clientRoutes } from '../clients/records/index.ts';
import type { ClientDeps } from '../clients/records/index.ts';
import { tagRoutes } from '../clients/records/index.ts';
import { searchRoutes } from '../clients/search/index.ts';
import { segmentRoutes } from '../clients/segments/index.ts';
import { datamapRoutes } from '../datamap/inventory/index.ts';
import { followupRoutes } from '../followups/index.ts';
import { roomRoutes } from '../rooms/index.ts';
import { erasureRoutes } from '../lifecycle/erasure/index.ts';
import { exportRoutes } from '../lifecycle/export/index.ts';

/** The route plugins of the client API, each in its capability's folder (`<capability>.routes.ts`). */
const CLIENT_API = [clientRoutes, tagRoutes, searchRoutes, bulkRoutes, noteRoutes, followupRoutes, invoiceRoutes, segmentRoutes, duplicateRoutes, cleanupRoutes, caseloadRoutes, erasureRoutes, exportRoutes, importRoutes, datamapRoutes];

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
 * administration, account recovery, the access review, organisation settings, the alerts inbox and rooms.
 */
export async function staffApi(app: FastifyInstance, deps: AuthRouteDeps & { publicUrl: string; deployment: DeploymentSettings }): Promise<void> {
  for (const plugin of [loginRoutes, enrolmentRoutes, sessionRoutes, accountRoutes]) await app.register(plugin, deps);
  await app.register(passkeyRoutes, { db: deps.db, audit: deps.audit, rp: relyingPartyFor(deps.publicUrl), ...(deps.signInPerMinute ? { signInPerMinute: deps.signInPerMinute } : {}) });
  await app.register(staffRoutes, deps);
  await app.register(recoveryRoutes, deps);
  await app.register(accessReviewRoutes, deps);
  await app.register(organisationRoutes, deps);
  await app.register(alertRoutes, deps);
  await app.register(roomRoutes, deps);
}
