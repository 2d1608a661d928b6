import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { breakGlass, setCaseload } from '../../access/break-glass/break-glass.service.ts';
import { requireAuth } from '../../auth/sessions/authenticate.ts';
import { AppError } from '../../platform/errors/app-error.ts';
import { ERASURE_REASONS, accessLogAs, createClientAs, eraseClientAs, listClientsAs, readClientWithTagsAs, searchClientsAs, updateClientAs } from './client.access.ts';
import type { ClientDeps } from './client.service.ts';
import type { ClientRecord } from './client.types.ts';
import { clientInput, clientPatch, clientView } from './client.schema.ts';
import { accessLogView, activityList, erasureStatement, activityView, agendaView, digestList, digestView, duplicateList, exportFile, invoiceList, invoiceView, noteList, noteView, segmentView, staleList, tagList, tagView, timelineView, validationReportView } from './responses.schema.ts';
import { noContent } from '../../platform/http/serialization.ts';
import { MAX_NOTE_LENGTH, addNote, listNotes } from '../notes/notes.service.ts';
import { activityInput, addActivity, agenda, setCadence, timeline, updateActivityStatus } from '../../followups/activities.service.ts';
import { EXPORT_PURPOSES, encryptExport, exportClients } from '../../lifecycle/export/export.service.ts';
import { allSegmentMembers, listSegments, saveSegment, segmentFilter, segmentMembers } from '../segments/segments.service.ts';
import { findDuplicates, mergeClients } from '../duplicates/duplicates.service.ts';
import { staleClients, validationReport } from '../cleanup/cleanup.service.ts';
import { digestSettingsInput, getDigestSettings, listDigests, openDigest, setDigestSettings } from '../../followups/digest.service.ts';
import { importRoutes } from '../import/import.routes.ts';
import { createInvoice, invoiceInput, invoiceUpdate, listInvoices, listRetainedInvoices, updateInvoice } from '../invoices/invoices.service.ts';
import { type TagView, createTag, setClientTag, visibleTags } from '../tags/tags.service.ts';

const clientId = z.object({ id: z.string().uuid() });
const clientOut = clientView;

/** Explicit public serialisation of a client (only what the reader was allowed to get). */
function toJson(record: ClientRecord, tags?: TagView[]) {
  return {
    id: record.id,
    status: record.status,
    created_at: new Date(record.created_at).toISOString(),
    updated_at: new Date(record.updated_at).toISOString(),
    fields: record.fields,
    custom: record.custom,
    ...(tags ? { tags } : {}),
  };
}

/**
 * The client API: every route authenticated and its declared action enforced by the route gate; every
 * operation authorized on its records, and audited, in the service.
 */
export async function clientRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const caller = (request: Parameters<typeof requireAuth>[0]) => {
    const { actor, ctx } = requireAuth(request);
    return { actor, ctx };
  };

  r.post(
    '/api/v1/clients',
    { config: { policy: { access: 'authenticated', action: 'client.create' } }, schema: { tags: ['clients'], summary: 'Create a client', body: clientInput, response: { 201: clientOut } } },
    async (request, reply) => reply.status(201).send(toJson(await createClientAs(deps, caller(request), request.body))),
  );

  // Search terms are personal data: they travel in a request body, never in a URL, where proxies,
  // browsers and access logs keep them (ASVS 14.2.1). The list takes metadata filters only.
  const SEARCH_KEYS = ['email', 'phone', 'name', 'identifier'] as const;
  r.get(
    '/api/v1/clients',
    {
      config: { policy: { access: 'authenticated', action: 'client.search' } },
      schema: {
        tags: ['clients'],
        summary: 'List clients page by page (filters: status, tag); to find clients by e-mail, phone, name or identifier, POST /api/v1/clients/search',
        querystring: z.looseObject({
          status: z.enum(['lead', 'active', 'inactive', 'former']).optional(),
          tag: z.string().uuid().optional(),
          after: z.string().uuid().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ clients: z.array(clientOut), next: z.string().nullable().optional() }) },
      },
    },
    async (request) => {
      const given = SEARCH_KEYS.filter((key) => key in request.query);
      if (given.length > 0) {
        throw new AppError('VALIDATION_FAILED', `search terms do not belong in a URL, where proxies and logs keep them: send {"${given[0]}": …} in the body of POST /api/v1/clients/search`, { fields: [...given] });
      }
      const { limit, status, tag, after } = request.query;
      const page = await listClientsAs(deps, caller(request), { ...(status ? { status } : {}), ...(tag ? { tag } : {}), ...(after ? { after } : {}), limit });
      return { clients: page.clients.map((c) => toJson(c)), next: page.next };
    },
  );

  r.post(
    '/api/v1/clients/search',
    {
      config: { policy: { access: 'authenticated', action: 'client.search' } },
      schema: {
        tags: ['clients'],
        summary: 'Find clients by exact e-mail, phone, name words or identifier (scheme:value): exactly one, in the body',
        body: z.object({
          email: z.string().max(320).optional(),
          phone: z.string().max(64).optional(),
          name: z.string().max(500).optional(),
          identifier: z.string().max(150).optional(),
          limit: z.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ clients: z.array(clientOut) }) },
      },
    },
    async (request) => {
      const { limit, ...given } = request.body;
      const entries = Object.entries(given).filter(([, v]) => v !== undefined) as [string, string][];
      if (entries.length !== 1) throw new AppError('VALIDATION_FAILED', 'give exactly one of email, phone, name or identifier', { fields: [...SEARCH_KEYS] });
      const [key, value] = entries[0]!;
      const field = (key === 'identifier' ? 'identifiers' : key) as 'email' | 'phone' | 'name' | 'identifiers';
      return { clients: (await searchClientsAs(deps, caller(request), { field, value }, limit)).map((c) => toJson(c)) };
    },
  );

  r.get(
    '/api/v1/clients/:id',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['clients'], summary: 'Read a client (only the fields your role may see)', params: clientId, response: { 200: clientOut } } },
    async (request) => {
      const who = caller(request);
      const { record, tags } = await readClientWithTagsAs(deps, who, request.params.id);
      return toJson(record, tags);
    },
  );

  r.post(
    '/api/v1/clients/:id/activities',
    {
      config: { policy: { access: 'authenticated', action: 'client.update' } },
      schema: { tags: ['clients'], summary: 'Log an interaction, or schedule a follow-up or an appointment', params: clientId, body: activityInput, response: { 201: activityView } },
    },
    async (request, reply) => reply.status(201).send(await addActivity(deps, caller(request), request.params.id, request.body)),
  );

  r.patch(
    '/api/v1/activities/:id',
    {
      config: { policy: { access: 'authenticated', action: 'client.update' } },
      schema: { tags: ['clients'], summary: 'Complete or cancel a follow-up (a recurring one schedules its next occurrence), or record an appointment outcome', params: clientId, body: z.object({ status: z.enum(['done', 'cancelled', 'attended', 'no_show']) }), response: { 200: activityList } },
    },
    async (request) => ({ activities: await updateActivityStatus(deps, caller(request), request.params.id, request.body.status) }),
  );

  r.put(
    '/api/v1/clients/:id/cadence',
    {
      config: { policy: { access: 'authenticated', action: 'client.update' } },
      schema: { tags: ['clients'], summary: 'Stay in touch every N days (null stops it): a follow-up opens when the time runs out', params: clientId, body: z.object({ days: z.number().int().min(1).max(3650).nullable() }), response: { 204: noContent('Set') } },
    },
    async (request, reply) => {
      await setCadence(deps, caller(request), request.params.id, request.body.days);
      return reply.status(204).send();
    },
  );

  r.get(
    '/api/v1/clients/:id/timeline',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['clients'], summary: "One ordered view of a client's activities and notes (what you may see)", params: clientId, response: { 200: timelineView } } },
    async (request) => ({ items: await timeline(deps, caller(request), request.params.id) }),
  );

  r.get(
    '/api/v1/agenda',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['clients'], summary: 'My follow-ups and appointments: overdue, today, next 7 days', response: { 200: agendaView } } },
    async (request) => agenda(deps, caller(request)),
  );


  r.get(
    '/api/v1/me/digest-settings',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['digests'], summary: 'My morning and evening digest settings', response: { 200: digestSettingsInput } } },
    async (request) => getDigestSettings(deps, caller(request)),
  );

  r.put(
    '/api/v1/me/digest-settings',
    {
      config: { policy: { access: 'authenticated', action: 'client.read' } },
      schema: { tags: ['digests'], summary: 'Choose digest hours (local to a time zone; null for none) and whether an e-mail notice (counts only) is sent', body: digestSettingsInput, response: { 200: digestSettingsInput } },
    },
    async (request) => setDigestSettings(deps, caller(request), request.body),
  );

  r.get(
    '/api/v1/digests',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['digests'], summary: 'My digests, newest first: kind, date and counts', response: { 200: digestList } } },
    async (request) => ({ digests: await listDigests(deps, caller(request)) }),
  );

  r.get(
    '/api/v1/digests/:id',
    { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['digests'], summary: 'One of my digests: times, kinds and first names, as far as I may read them now', params: clientId, response: { 200: digestView } } },
    async (request) => openDigest(deps, caller(request), request.params.id),
  );

  r.post(
    '/api/v1/exports/clients',
    {
      config: { policy: { access: 'authenticated', action: 'client.export', stepUp: true } },
      schema: {
        tags: ['clients'],
        summary: 'Export the clients you may read (CSV or JSON lines), age-encrypted with your passphrase unless plaintext is asked for explicitly',
        body: z.object({
          format: z.enum(['csv', 'json']).default('csv'),
          passphrase: z.string().max(1000).optional(),
          plaintext: z.boolean().default(false),
          purpose: z.enum(EXPORT_PURPOSES).optional(),
          segment_id: z.string().uuid().optional(),
        }),
        response: { 200: exportFile },
      },
    },
    async (request, reply) => {
      const who = caller(request);
      const { format, passphrase, plaintext } = request.body;
      if (!plaintext && !passphrase) throw new AppError('VALIDATION_FAILED', 'give a passphrase (the export is encrypted) or ask for plaintext explicitly', { fields: ['passphrase'] });
      const only = request.body.segment_id ? await allSegmentMembers(deps, who, who.actor.orgId, request.body.segment_id) : undefined;
      const lines = exportClients(deps, who.actor.orgId, { kind: 'user', actor: who.actor, ctx: who.ctx }, format, request.body.purpose ?? null, { only, plaintext });
      // Rendered before sending, so a page that cannot be audited fails the request cleanly.
      const chunks: Uint8Array[] = [];
      const encoder = new TextEncoder();
      const source: AsyncIterable<Uint8Array> = plaintext ? (async function* () { for await (const l of lines) yield encoder.encode(l); })() : await encryptExport(lines, passphrase!);
      for await (const chunk of source) chunks.push(chunk);
      const name = `clients-${new Date().toISOString().slice(0, 10)}.${format === 'csv' ? 'csv' : 'jsonl'}${plaintext ? '' : '.age'}`;
      return reply
        .header('content-disposition', `attachment; filename="${name}"`)
        .type(plaintext ? (format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson') : 'application/octet-stream')
        .send(Buffer.concat(chunks));
    },
  );

  r.get(
    '/api/v1/clients/duplicates',
    { config: { policy: { access: 'authenticated', action: 'client.erase' } }, schema: { tags: ['clients'], summary: 'Duplicate candidates (same e-mail, phone, or name and date of birth), re-checked after decryption', response: { 200: duplicateList } } },
    async (request) => ({ pairs: await findDuplicates(deps, caller(request)) }),
  );

  r.get(
    '/api/v1/clients/validation-report',
    {
      config: { policy: { access: 'authenticated', action: 'client.erase' } },
      schema: { tags: ['clients'], summary: 'Malformed or mistyped e-mail addresses and phone numbers: client, field and reason, never the value', querystring: z.object({ limit: z.coerce.number().int().min(1).max(5000).default(1000) }), response: { 200: validationReportView } },
    },
    async (request) => validationReport(deps, caller(request), request.query.limit),
  );

  r.get(
    '/api/v1/clients/stale',
    {
      config: { policy: { access: 'authenticated', action: 'client.erase' } },
      schema: {
        tags: ['clients'],
        summary: 'Clients not updated and with no interaction, appointment or note for N days (for retention review); metadata only',
        querystring: z.object({ days: z.coerce.number().int().min(1).max(36500).default(365), after: z.string().uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: { 200: staleList },
      },
    },
    async (request) => staleClients(deps, caller(request), { days: request.query.days, limit: request.query.limit, ...(request.query.after ? { after: request.query.after } : {}) }),
  );

  r.post(
    '/api/v1/clients/:id/merge',
    {
      config: { policy: { access: 'authenticated', action: 'client.erase', stepUp: true } },
      schema: { tags: ['clients'], summary: 'Merge a duplicate into this client, keeping every note, activity and audit trail; the duplicate is erased', params: clientId, body: z.object({ duplicate_id: z.string().uuid() }), response: { 204: noContent('Merged; the duplicate is erased') } },
    },
    async (request, reply) => {
      await mergeClients(deps, caller(request), request.params.id, request.body.duplicate_id);
      return reply.status(204).send();
    },
  );

  r.post(
    '/api/v1/clients/:id/invoices',
    { config: { policy: { access: 'authenticated', action: 'client.invoices' } }, schema: { tags: ['clients'], summary: 'Create a draft invoice (line items sealed; never card data)', params: clientId, body: invoiceInput, response: { 201: invoiceView } } },
    async (request, reply) => reply.status(201).send(await createInvoice(deps, caller(request), request.params.id, request.body)),
  );

  r.get(
    '/api/v1/invoices',
    {
      config: { policy: { access: 'authenticated', action: 'invoices.retained' } },
      schema: {
        tags: ['clients'],
        summary: "The organisation's invoices, those kept after a client's erasure included (billing and the owner)",
        querystring: z.object({ client_id: z.string().uuid().optional(), status: z.enum(['draft', 'sent', 'paid', 'void']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: invoiceList },
      },
    },
    async (request) => ({ invoices: await listRetainedInvoices(deps, caller(request), { ...(request.query.client_id ? { clientId: request.query.client_id } : {}), ...(request.query.status ? { status: request.query.status } : {}), limit: request.query.limit }) }),
  );

  r.get(
    '/api/v1/clients/:id/invoices',
    { config: { policy: { access: 'authenticated', action: 'client.invoices' } }, schema: { tags: ['clients'], summary: "A client's invoices", params: clientId, response: { 200: invoiceList } } },
    async (request) => ({ invoices: await listInvoices(deps, caller(request), request.params.id) }),
  );

  r.patch(
    '/api/v1/invoices/:id',
    { config: { policy: { access: 'authenticated', action: 'client.invoices' } }, schema: { tags: ['clients'], summary: 'Send, mark paid (by reference, or card brand and last four) or void an invoice', params: clientId, body: invoiceUpdate, response: { 200: invoiceView } } },
    async (request) => updateInvoice(deps, caller(request), request.params.id, request.body),
  );

  // A CSV body elsewhere is read within the usual 1 MB limit (and refused by the route's schema);
  // imports (an upload, a mapping proposal) have their own parsers and routes: import.routes.ts.
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  await app.register(importRoutes, deps);

  r.post(
    '/api/v1/segments',
    { config: { policy: { access: 'authenticated', action: 'client.search' } }, schema: { tags: ['clients'], summary: 'Save a re-engagement segment (filters on metadata only)', body: z.object({ name: z.string().trim().min(1).max(100), filter: segmentFilter }), response: { 201: segmentView(segmentFilter) } } },
    async (request, reply) => reply.status(201).send(await saveSegment(deps, caller(request), request.body)),
  );

  r.get('/api/v1/segments', { config: { policy: { access: 'authenticated', action: 'client.search' } }, schema: { tags: ['clients'], summary: 'Saved segments', response: { 200: z.object({ segments: z.array(segmentView(segmentFilter)) }) } } }, async (request) => ({
    segments: await listSegments(deps, caller(request)),
  }));

  r.get(
    '/api/v1/segments/:id/members',
    {
      config: { policy: { access: 'authenticated', action: 'client.search' } },
      schema: { tags: ['clients'], summary: "A page of a segment's member ids (export them through /api/v1/exports/clients)", params: clientId, querystring: z.object({ after: z.string().uuid().optional(), limit: z.coerce.number().int().min(1).max(1000).default(1000) }), response: { 200: z.object({ segment: segmentView(segmentFilter), members: z.array(z.string()), next: z.string().nullish() }) } },
    },
    async (request) => segmentMembers(deps, caller(request), request.params.id, { ...(request.query.after ? { after: request.query.after } : {}), limit: request.query.limit }),
  );

  r.post(
    '/api/v1/tags',
    {
      config: { policy: { access: 'authenticated', action: 'tags.manage' } },
      schema: { tags: ['clients'], summary: 'Define a tag; a sensitive tag (e.g. a diagnosis) is seen only by roles that read restricted data', body: z.object({ name: z.string().trim().min(1).max(100), sensitive: z.boolean().default(false) }), response: { 201: tagView } },
    },
    async (request, reply) => reply.status(201).send(await createTag(deps, caller(request), request.body)),
  );

  r.get('/api/v1/tags', { config: { policy: { access: 'authenticated', action: 'client.read' } }, schema: { tags: ['clients'], summary: 'Tags you may see', response: { 200: tagList } } }, async (request) => {
    return { tags: await visibleTags(deps, caller(request).actor) };
  });

  r.put(
    '/api/v1/clients/:id/tags/:tagId',
    { config: { policy: { access: 'authenticated', action: 'client.update' } }, schema: { tags: ['clients'], summary: 'Put a tag on a client', params: z.object({ id: z.string().uuid(), tagId: z.string().uuid() }), response: { 204: noContent('Tagged') } } },
    async (request, reply) => {
      await setClientTag(deps, caller(request), request.params.id, request.params.tagId, true);
      return reply.status(204).send();
    },
  );

  r.delete(
    '/api/v1/clients/:id/tags/:tagId',
    { config: { policy: { access: 'authenticated', action: 'client.update' } }, schema: { tags: ['clients'], summary: 'Take a tag off a client', params: z.object({ id: z.string().uuid(), tagId: z.string().uuid() }), response: { 204: noContent('Untagged') } } },
    async (request, reply) => {
      await setClientTag(deps, caller(request), request.params.id, request.params.tagId, false);
      return reply.status(204).send();
    },
  );

  r.patch(
    '/api/v1/clients/:id',
    { config: { policy: { access: 'authenticated', action: 'client.update' } }, schema: { tags: ['clients'], summary: 'Update fields of a client (null removes one)', params: clientId, body: clientPatch, response: { 200: clientOut } } },
    async (request) => toJson(await updateClientAs(deps, caller(request), request.params.id, request.body)),
  );

  r.delete(
    '/api/v1/clients/:id',
    {
      config: { policy: { access: 'authenticated', action: 'client.erase', stepUp: true } },
      schema: {
        tags: ['clients'],
        summary: 'Erase a client by destroying its keys (needs a recent sign-in); the answer says what was destroyed, deleted and kept by law, and until when',
        params: clientId,
        body: z.object({ reason: z.enum(ERASURE_REASONS) }),
        response: { 200: erasureStatement },
      },
    },
    async (request) => eraseClientAs(deps, caller(request), request.params.id, request.body.reason),
  );

  r.get(
    '/api/v1/clients/:id/access-log',
    { config: { policy: { access: 'authenticated', action: 'client.access_log' } }, schema: { tags: ['clients'], summary: 'Who looked at this record: who, when, which parts, why', params: clientId, response: { 200: accessLogView } } },
    async (request) => ({ entries: await accessLogAs(deps, caller(request), request.params.id) }),
  );

  r.post(
    '/api/v1/clients/:id/break-glass',
    {
      config: { policy: { access: 'authenticated', action: 'client.break_glass', stepUp: true } },
      schema: { tags: ['clients'], summary: 'Emergency access to a client not on your caseload (60 min, alerts admins, reviewed)', params: clientId, body: z.object({ reason: z.string().max(500) }), response: { 201: z.object({ id: z.string(), expires_at: z.string() }) } },
    },
    async (request, reply) => {
      const { actor, ctx } = caller(request);
      const grant = await breakGlass({ db: deps.db, audit: deps.audit, keyring: deps.keyring }, actor, ctx, request.params.id, request.body.reason);
      return reply.status(201).send({ id: grant.id, expires_at: new Date(grant.expiresAt).toISOString() });
    },
  );

  r.post(
    '/api/v1/clients/:id/notes',
    {
      config: { policy: { access: 'authenticated', action: 'client.notes' } },
      schema: {
        tags: ['clients'],
        summary: 'Add a note: general, or a session note only its author will ever read',
        params: clientId,
        body: z.object({ kind: z.enum(['general', 'session']).default('general'), body: z.string().trim().min(1).max(MAX_NOTE_LENGTH) }),
        response: { 201: noteView },
      },
    },
    async (request, reply) => reply.status(201).send(await addNote(deps, caller(request), request.params.id, request.body)),
  );

  r.get(
    '/api/v1/clients/:id/notes',
    { config: { policy: { access: 'authenticated', action: 'client.notes' } }, schema: { tags: ['clients'], summary: "The client's general notes and your own session notes", params: clientId, response: { 200: noteList } } },
    async (request) => ({ notes: await listNotes(deps, caller(request), request.params.id) }),
  );

  r.put(
    '/api/v1/clients/:id/caseload/:userId',
    { config: { policy: { access: 'authenticated', action: 'client.caseload', stepUp: true } }, schema: { tags: ['clients'], summary: "Put a client on a practitioner's caseload", params: z.object({ id: z.string().uuid(), userId: z.string().uuid() }), response: { 204: noContent('On the caseload') } } },
    async (request, reply) => {
      const { actor, ctx } = caller(request);
      await setCaseload({ db: deps.db, audit: deps.audit }, actor, ctx, request.params.id, request.params.userId, true);
      return reply.status(204).send();
    },
  );

  r.delete(
    '/api/v1/clients/:id/caseload/:userId',
    { config: { policy: { access: 'authenticated', action: 'client.caseload', stepUp: true } }, schema: { tags: ['clients'], summary: "Take a client off a practitioner's caseload", params: z.object({ id: z.string().uuid(), userId: z.string().uuid() }), response: { 204: noContent('Off the caseload') } } },
    async (request, reply) => {
      const { actor, ctx } = caller(request);
      await setCaseload({ db: deps.db, audit: deps.audit }, actor, ctx, request.params.id, request.params.userId, false);
      return reply.status(204).send();
    },
  );
}
