import { randomUUID } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { defineCustomField } from '../src/clients/records/custom-field.service.ts';
import type { StaffRole } from '../src/platform/db/schema.ts';
import { describeEachEngine } from './support/engines.ts';
import { type Browser, ROLES, signInEveryRole } from './support/http.ts';
import { useDeployment } from './support/deployment.ts';
import { startTestRelay } from './support/smtp.ts';


/**
 * The access matrix, written out independently of the implementation: which role may perform each
 * action on a client on its caseload ('practitioner' is tested with the client on its caseload).
 */
const MATRIX: Record<string, Partial<Record<StaffRole, true>>> = {
  'client.create': { owner: true, admin: true, practitioner: true, reception: true },
  'client.read': { owner: true, admin: true, practitioner: true, reception: true, billing: true },
  'client.search': { owner: true, admin: true, practitioner: true, reception: true, billing: true },
  'client.update': { owner: true, admin: true, practitioner: true, reception: true },
  'client.erase': { owner: true, admin: true },
  'client.merge': { owner: true, admin: true, practitioner: true },
  'client.export': { owner: true, admin: true, practitioner: true },
  'client.access_log': { owner: true, admin: true, practitioner: true, auditor: true },
  'client.break_glass': { practitioner: true },
  'client.caseload': { owner: true, admin: true },
  'client.notes': { owner: true, practitioner: true },
  'tags.manage': { owner: true, admin: true },
  'client.invoices': { owner: true, admin: true, practitioner: true, billing: true },
  'invoices.retained': { owner: true, billing: true },
  'datamap.read': { owner: true, admin: true, auditor: true },
  'staff.read': { owner: true, admin: true, auditor: true },
  'staff.directory': { owner: true, admin: true, practitioner: true, reception: true },
  'staff.invite': { owner: true, admin: true },
  'staff.disable': { owner: true, admin: true },
  'staff.reset': { owner: true, admin: true },
  'access.review': { owner: true, admin: true, auditor: true },
  'alerts.read': { owner: true, admin: true, auditor: true },
  'alerts.acknowledge': { owner: true, admin: true },
  'org.settings': { owner: true, admin: true },
  'calendar.read': { owner: true, admin: true, practitioner: true, reception: true },
};

/** Field visibility by role and classification (built-in fields by name, custom ones by class). */
const FIELDS: Partial<Record<StaffRole, string[]>> = {
  owner: ['date_of_birth', 'email', 'identifiers', 'name', 'custom.c_confidential', 'custom.c_internal', 'custom.c_public', 'custom.c_restricted'],
  admin: ['email', 'identifiers', 'name', 'custom.c_confidential', 'custom.c_internal', 'custom.c_public'],
  practitioner: ['date_of_birth', 'email', 'identifiers', 'name', 'custom.c_confidential', 'custom.c_internal', 'custom.c_public', 'custom.c_restricted'],
  reception: ['email', 'name', 'custom.c_internal', 'custom.c_public'],
  billing: ['email', 'identifiers', 'name', 'custom.c_internal', 'custom.c_public'],
};

describeEachEngine('role × action × field-class matrix over every authenticated route', (t) => {
  const org = useDeployment(t);
  const as: Partial<Record<StaffRole, Browser>> = {};
  beforeAll(async () => {
    for (const [name, classification] of [
      ['c_public', 'public'],
      ['c_internal', 'internal'],
      ['c_confidential', 'confidential'],
      ['c_restricted', 'restricted'],
    ] as const) {
      await defineCustomField(org.deps.db, org.orgId, { name, label: name, kind: 'text', classification, purpose: 'matrix test field', encrypted: true });
    }
    Object.assign(as, await signInEveryRole(org));
  });

  /** A fresh client on the practitioner's caseload, with every field class filled. */
  async function freshClient(): Promise<string> {
    const res = await org.owner.request('POST', '/api/v1/clients', {
      name: 'Matrix Person',
      email: 'matrix@example.org',
      date_of_birth: '1990-01-01',
      identifiers: [{ scheme: 'nhs', value: '123' }],
      custom: { c_public: 'p', c_internal: 'i', c_confidential: 'c', c_restricted: 'r' },
    });
    const id = res.json().id as string;
    await org.owner.request('PUT', `/api/v1/clients/${id}/caseload/${as.practitioner!.userId}`);
    return id;
  }

  let tagId: string | undefined;
  let segmentId: string | undefined;
  const aSegment = async () => (segmentId ??= (await org.owner.request('POST', '/api/v1/segments', { name: 'all active', filter: { status: ['active'] } })).json().id as string);
  let tags = 0;
  /** A new plain tag (every role may see it), for a rename or deletion of its own. */
  const freshTag = async () => (await org.owner.request('POST', '/api/v1/tags', { name: `matrix fresh tag ${++tags}` })).json().id as string;
  const plainTag = async () => (tagId ??= (await org.owner.request('POST', '/api/v1/tags', { name: 'newsletter' })).json().id as string);

  /** One request per route that exercises its action, with valid inputs. */
  const SAMPLES: Record<string, (role: StaffRole) => Promise<{ method: string; url: string; body?: object | string; headers?: Record<string, string> }>> = {
    'POST /api/v1/clients': async () => ({ method: 'POST', url: '/api/v1/clients', body: { name: 'New Person' } }),
    'GET /api/v1/clients': async () => ({ method: 'GET', url: '/api/v1/clients?status=active&limit=5' }),
    'GET /api/v1/invoices': async () => ({ method: 'GET', url: '/api/v1/invoices?limit=5' }),
    'GET /api/v1/invoices/export.csv': async () => ({ method: 'GET', url: '/api/v1/invoices/export.csv?from=2026-01-01&to=2026-12-31' }),
    'GET /api/v1/invoices/issuer': async () => ({ method: 'GET', url: '/api/v1/invoices/issuer' }),
    'GET /api/v1/invoices/:id': async () => ({ method: 'GET', url: `/api/v1/invoices/${(await org.owner.request('POST', `/api/v1/clients/${await freshClient()}/invoices`, { items: [{ description: 'Session', quantity: 1, unit_minor: 8000 }] })).json().id}` }),
    'GET /api/v1/datamap': async () => ({ method: 'GET', url: '/api/v1/datamap' }),
    'GET /api/v1/staff/directory': async () => ({ method: 'GET', url: '/api/v1/staff/directory' }),
    'GET /api/v1/clients/fields': async () => ({ method: 'GET', url: '/api/v1/clients/fields' }),
    'POST /api/v1/clients/search': async () => ({ method: 'POST', url: '/api/v1/clients/search', body: { name: 'matrix' } }),
    'GET /api/v1/clients/:id': async () => ({ method: 'GET', url: `/api/v1/clients/${await freshClient()}` }),
    'PATCH /api/v1/clients/:id': async () => ({ method: 'PATCH', url: `/api/v1/clients/${await freshClient()}`, body: { preferred_name: 'Matty' } }),
    'DELETE /api/v1/clients/:id': async () => ({ method: 'DELETE', url: `/api/v1/clients/${await freshClient()}`, body: { reason: 'created_in_error' } }),
    'GET /api/v1/clients/:id/access-log': async () => ({ method: 'GET', url: `/api/v1/clients/${await freshClient()}/access-log` }),
    'POST /api/v1/clients/:id/break-glass': async () => {
      const id = (await org.owner.request('POST', '/api/v1/clients', { name: 'Not On Caseload' })).json().id;
      return { method: 'POST', url: `/api/v1/clients/${id}/break-glass`, body: { reason: 'matrix test emergency access reason' } };
    },
    'POST /api/v1/break-glass/search': async () => ({ method: 'POST', url: '/api/v1/break-glass/search', body: { reason: 'matrix test emergency search reason', name: 'matrix' } }),
    'PUT /api/v1/clients/:id/caseload/:userId': async () => ({ method: 'PUT', url: `/api/v1/clients/${await freshClient()}/caseload/${as.practitioner!.userId}` }),
    'DELETE /api/v1/clients/:id/caseload/:userId': async () => ({ method: 'DELETE', url: `/api/v1/clients/${await freshClient()}/caseload/${as.billing!.userId}` }),
    'POST /api/v1/clients/:id/notes': async () => ({ method: 'POST', url: `/api/v1/clients/${await freshClient()}/notes`, body: { kind: 'general', body: 'matrix note' } }),
    'GET /api/v1/clients/:id/notes': async () => ({ method: 'GET', url: `/api/v1/clients/${await freshClient()}/notes` }),
    'POST /api/v1/clients/:id/notes/:noteId/addenda': async () => {
      const client = await freshClient();
      const note = (await org.owner.request('POST', `/api/v1/clients/${client}/notes`, { kind: 'general', body: 'matrix note to amend' })).json().id;
      return { method: 'POST', url: `/api/v1/clients/${client}/notes/${note}/addenda`, body: { text: 'matrix addendum' } };
    },
    'POST /api/v1/clients/:id/activities': async () => ({ method: 'POST', url: `/api/v1/clients/${await freshClient()}/activities`, body: { kind: 'interaction', channel: 'call', direction: 'inbound' } }),
    'PATCH /api/v1/activities/:id': async () => {
      const id = (await org.owner.request('POST', `/api/v1/clients/${await freshClient()}/activities`, { kind: 'follow_up', due_at: new Date().toISOString() })).json().id;
      return { method: 'PATCH', url: `/api/v1/activities/${id}`, body: { status: 'done' } };
    },
    'PUT /api/v1/clients/:id/cadence': async () => ({ method: 'PUT', url: `/api/v1/clients/${await freshClient()}/cadence`, body: { days: 30 } }),
    'GET /api/v1/clients/:id/timeline': async () => ({ method: 'GET', url: `/api/v1/clients/${await freshClient()}/timeline` }),
    'GET /api/v1/agenda': async () => ({ method: 'GET', url: '/api/v1/agenda' }),
    'GET /api/v1/calendar': async () => ({ method: 'GET', url: '/api/v1/calendar?from=2027-01-04T00:00:00Z&to=2027-01-11T00:00:00Z' }),
    'GET /api/v1/agenda/to-chart': async () => ({ method: 'GET', url: '/api/v1/agenda/to-chart?days=7' }),
    'GET /api/v1/me/digest-settings': async () => ({ method: 'GET', url: '/api/v1/me/digest-settings' }),
    'PUT /api/v1/me/digest-settings': async () => ({ method: 'PUT', url: '/api/v1/me/digest-settings', body: { morning_hour: 7, evening_hour: null, timezone: 'UTC', email: false } }),
    'GET /api/v1/digests': async () => ({ method: 'GET', url: '/api/v1/digests' }),
    'GET /api/v1/digests/:id': async (role) => {
      // A digest of the requesting user's own (digests are per user).
      const id = randomUUID();
      await org.deps.db.insertInto('digests').values({ id, org_id: org.orgId, user_id: as[role]!.userId, kind: 'morning', for_date: `2026-01-${String(ROLES.indexOf(role) + 1).padStart(2, '0')}-${id.slice(0, 4)}`, counts: '{}', activity_ids: '[]', created_at: Date.now(), emailed_at: null }).execute();
      return { method: 'GET', url: `/api/v1/digests/${id}` };
    },
    'POST /api/v1/exports/clients': async () => ({ method: 'POST', url: '/api/v1/exports/clients', body: { format: 'csv', passphrase: 'a long export passphrase' } }),
    'POST /api/v1/clients/:id/invoices': async () => ({ method: 'POST', url: `/api/v1/clients/${await freshClient()}/invoices`, body: { items: [{ description: 'Session', quantity: 1, unit_minor: 8000 }] } }),
    'GET /api/v1/clients/:id/invoices': async () => ({ method: 'GET', url: `/api/v1/clients/${await freshClient()}/invoices` }),
    'PATCH /api/v1/invoices/:id': async () => {
      const id = (await org.owner.request('POST', `/api/v1/clients/${await freshClient()}/invoices`, { items: [{ description: 'Session', quantity: 1, unit_minor: 8000 }] })).json().id;
      return { method: 'PATCH', url: `/api/v1/invoices/${id}`, body: { status: 'sent' } };
    },
    'POST /api/v1/invoices/:id/credit-note': async () => {
      const id = (await org.owner.request('POST', `/api/v1/clients/${await freshClient()}/invoices`, { items: [{ description: 'Session', quantity: 1, unit_minor: 8000 }] })).json().id;
      for (const status of ['sent', 'paid']) await org.owner.request('PATCH', `/api/v1/invoices/${id}`, { status });
      return { method: 'POST', url: `/api/v1/invoices/${id}/credit-note`, body: { reason: 'client_cancelled' } };
    },
    'POST /api/v1/activities/:id/invoice': async () => {
      const client = await freshClient();
      const id = (await org.owner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', starts_at: new Date(Date.now() - 86_400_000).toISOString(), duration_min: 50, allow_clash: true })).json().id;
      await org.owner.request('PATCH', `/api/v1/activities/${id}`, { status: 'attended' });
      return { method: 'POST', url: `/api/v1/activities/${id}/invoice`, body: { unit_minor: 8000 } };
    },
    'POST /api/v1/clients/bulk': async () => ({ method: 'POST', url: '/api/v1/clients/bulk', body: { client_ids: [await freshClient()], expected_count: 1, operation: { op: 'add_tag', tag_id: await plainTag() } } }),
    'POST /api/v1/clients/bulk/caseload': async () => ({ method: 'POST', url: '/api/v1/clients/bulk/caseload', body: { client_ids: [await freshClient()], expected_count: 1, operation: { op: 'add_to_caseload', user_id: as.practitioner!.userId } } }),
    'GET /api/v1/clients/duplicates': async () => ({ method: 'GET', url: '/api/v1/clients/duplicates' }),
    'GET /api/v1/clients/validation-report': async () => ({ method: 'GET', url: '/api/v1/clients/validation-report' }),
    'GET /api/v1/clients/stale': async () => ({ method: 'GET', url: '/api/v1/clients/stale?days=30' }),
    'GET /api/v1/clients/:id/merge-preview': async () => ({ method: 'GET', url: `/api/v1/clients/${await freshClient()}/merge-preview?duplicate_id=${await freshClient()}` }),
    'POST /api/v1/clients/:id/merge': async () => ({ method: 'POST', url: `/api/v1/clients/${await freshClient()}/merge`, body: { duplicate_id: await freshClient() } }),
    'POST /api/v1/imports': async () => ({ method: 'POST', url: '/api/v1/imports?dry_run=true', body: 'name,email\nAda,ada@example.org\n', headers: { 'content-type': 'text/csv' } }),
    // An import of the role's own (the importer sees it; a role that may not import is refused at the gate).
    'GET /api/v1/imports/:id': async (role) => {
      const started = await as[role]!.request('POST', '/api/v1/imports?name=matrix.csv', `name\nMatrix ${role} ${Math.random()}\n`, { 'content-type': 'text/csv' });
      return { method: 'GET', url: `/api/v1/imports/${(started.json().import_id as string | undefined) ?? 'none'}` };
    },
    'GET /api/v1/imports': async () => ({ method: 'GET', url: '/api/v1/imports?state=running' }),
    'POST /api/v1/imports/mapping-proposal': async () => ({ method: 'POST', url: '/api/v1/imports/mapping-proposal', body: 'Full Name,E-mail Address\n', headers: { 'content-type': 'text/csv' } }),
    'POST /api/v1/segments': async () => ({ method: 'POST', url: '/api/v1/segments', body: { name: 'lapsed', filter: { status: ['active'], not_contacted_days: 90 } } }),
    'GET /api/v1/segments': async () => ({ method: 'GET', url: '/api/v1/segments' }),
    'GET /api/v1/segments/:id/members': async () => ({ method: 'GET', url: `/api/v1/segments/${await aSegment()}/members` }),
    'POST /api/v1/tags': async (role) => ({ method: 'POST', url: '/api/v1/tags', body: { name: `matrix tag of ${role}` } }),
    'GET /api/v1/tags': async () => ({ method: 'GET', url: '/api/v1/tags' }),
    'GET /api/v1/tags/usage': async () => ({ method: 'GET', url: '/api/v1/tags/usage' }),
    'PATCH /api/v1/tags/:id': async (role) => ({ method: 'PATCH', url: `/api/v1/tags/${await freshTag()}`, body: { name: `renamed by ${role}` } }),
    'DELETE /api/v1/tags/:id': async () => ({ method: 'DELETE', url: `/api/v1/tags/${await freshTag()}` }),
    'PUT /api/v1/clients/:id/tags/:tagId': async () => ({ method: 'PUT', url: `/api/v1/clients/${await freshClient()}/tags/${await plainTag()}` }),
    'DELETE /api/v1/clients/:id/tags/:tagId': async () => ({ method: 'DELETE', url: `/api/v1/clients/${await freshClient()}/tags/${await plainTag()}` }),
    'GET /api/v1/staff': async () => ({ method: 'GET', url: '/api/v1/staff' }),
    'POST /api/v1/staff/invites': async (role) => ({ method: 'POST', url: '/api/v1/staff/invites', body: { email: `invitee-${role}-${Math.random().toString(36).slice(2)}@example.test`, role: 'billing' } }),
    'POST /api/v1/staff/:id/disable': async () => ({ method: 'POST', url: `/api/v1/staff/${(await org.addStaff('billing')).id}/disable` }),
    'POST /api/v1/staff/:id/unlock': async () => ({ method: 'POST', url: `/api/v1/staff/${(await org.addStaff('billing')).id}/unlock` }),
    'POST /api/v1/staff/:id/password-reset': async () => ({ method: 'POST', url: `/api/v1/staff/${(await org.addStaff('billing')).id}/password-reset` }),
    'POST /api/v1/staff/:id/mfa-reset': async () => ({ method: 'POST', url: `/api/v1/staff/${(await org.addStaff('billing')).id}/mfa-reset` }),
    'GET /api/v1/access/review': async () => ({ method: 'GET', url: '/api/v1/access/review' }),
    'POST /api/v1/access/review/decisions': async () => ({ method: 'POST', url: '/api/v1/access/review/decisions', body: { user_id: (await org.addStaff('billing')).id, decision: 'keep' } }),
    'POST /api/v1/access/break-glass/:id/review': async () => {
      const id = (await org.owner.request('POST', '/api/v1/clients', { name: 'Glass' })).json().id;
      const grant = (await as.practitioner!.request('POST', `/api/v1/clients/${id}/break-glass`, { reason: 'matrix review test emergency reason' })).json().id;
      return { method: 'POST', url: `/api/v1/access/break-glass/${grant}/review`, body: { decision: 'justified' } };
    },
    'GET /api/v1/alerts': async () => ({ method: 'GET', url: '/api/v1/alerts' }),
    'POST /api/v1/alerts/:id/acknowledge': async () => {
      const id = (await org.owner.request('POST', '/api/v1/clients', { name: 'Alerting' })).json().id;
      await as.practitioner!.request('POST', `/api/v1/clients/${id}/break-glass`, { reason: 'raise an alert for the matrix test' });
      const alert = (await org.owner.request('GET', '/api/v1/alerts?unacknowledged=true')).json().alerts[0];
      return { method: 'POST', url: `/api/v1/alerts/${alert.id}/acknowledge` };
    },
    'GET /api/v1/organisation': async () => ({ method: 'GET', url: '/api/v1/organisation' }),
    'PATCH /api/v1/organisation': async () => ({ method: 'PATCH', url: '/api/v1/organisation', body: { language: 'en' } }),
    'POST /api/v1/organisation/mail/test': async () => {
      // A relay of the test's own, so that a permitted role's test send is delivered.
      const relay = await startTestRelay();
      await org.owner.request('PATCH', '/api/v1/organisation', { mail_relay: { host: '127.0.0.1', port: relay.port, security: 'none', from_address: 'noreply@matrix.example' } });
      return { method: 'POST', url: '/api/v1/organisation/mail/test' };
    },
    'PATCH /api/v1/organisation/security': async () => ({ method: 'PATCH', url: '/api/v1/organisation/security', body: { idle_timeout_minutes: 15 } }),
    'GET /api/v1/alerts/settings': async () => ({ method: 'GET', url: '/api/v1/alerts/settings' }),
    'PUT /api/v1/alerts/settings': async () => ({ method: 'PUT', url: '/api/v1/alerts/settings', body: {} }),
    'GET /api/v1/rooms': async () => ({ method: 'GET', url: '/api/v1/rooms' }),
    'POST /api/v1/rooms': async (role) => ({ method: 'POST', url: '/api/v1/rooms', body: { name: `Room of ${role}` } }),
    'PATCH /api/v1/rooms/:id': async () => ({ method: 'PATCH', url: `/api/v1/rooms/${(await org.owner.request('POST', '/api/v1/rooms', { name: 'Matrix room' })).json().id}`, body: { name: 'Renamed room' } }),
  };

  it('has a sample and a matrix row for every authenticated route', () => {
    const routes = org.app.routes.filter((r) => r.policy.access === 'authenticated' && r.method !== 'HEAD');
    expect(routes.length).toBeGreaterThanOrEqual(Object.keys(SAMPLES).length);
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      expect(SAMPLES[key], `no matrix sample for ${key}`).toBeDefined();
      expect(MATRIX[(route.policy as { action: string }).action], `no matrix row for ${key}`).toBeDefined();
    }
  });

  // One test per route and role, so a failure names both.
  it.for(Object.keys(SAMPLES).flatMap((key) => ROLES.map((role) => [key, role] as const)))('%s as %s gets exactly its matrix row', async ([key, role]) => {
    const route = org.app.routes.find((r) => `${r.method} ${r.url}` === key);
    expect(route, `${key} is no route`).toBeDefined();
    const action = (route!.policy as { action: string }).action;
    const sample = await SAMPLES[key]!(role);
    const res = await as[role]!.request(sample.method as 'GET', sample.url, sample.body, sample.headers);
    if (MATRIX[action]?.[role] === true) expect(res.statusCode, `${role} ${key}: ${res.body}`).toBeLessThan(300);
    // A role without the action is refused at the route gate, before anything is looked up.
    else expect(res.statusCode, `${role} ${key}: ${res.body}`).toBe(403);
  });

  it('shows each role exactly the fields of the classes it may read', async () => {
    const id = await freshClient();
    for (const role of ROLES) {
      const res = await as[role]!.request('GET', `/api/v1/clients/${id}`);
      if (!FIELDS[role]) {
        // Roles without client.read are refused at the route gate, whatever the id.
        expect(res.statusCode, role).toBe(403);
        continue;
      }
      const body = res.json();
      const seen = [...Object.keys(body.fields), ...Object.keys(body.custom).map((n) => `custom.${n}`)].sort();
      expect(seen, role).toEqual([...FIELDS[role]!].sort());
    }
  });
});
