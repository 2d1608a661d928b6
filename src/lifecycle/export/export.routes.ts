import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { allSegmentMembers } from '../../clients/segments/index.ts';
import { EXPORT_PURPOSES, encryptExport, exportClients } from './export.service.ts';
import { exportFile } from './export.schema.ts';
import { callerOf } from '../../auth/sessions/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { ClientDeps } from '../../clients/records/index.ts';

/**
 * The client export: what the caller may read, age-encrypted with their passphrase unless plaintext
 * is asked for explicitly.
 * Every route is authenticated and its declared action enforced by the route gate before the
 * handler; the service authorizes the records and audits the access.
 */
export async function exportRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

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
      const who = callerOf(request);
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
}
