import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../../auth/sessions/index.ts';
import { writeSealedTempFile } from '../../platform/crypto/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { queryBoolean } from '../../platform/http/index.ts';
import type { ClientDeps } from '../records/index.ts';
import { HTTP_INTERFACE, parseMapping } from './import.mapping.ts';
import { type ImportReport, importClientsCsv, proposeImportMapping, readCsvHeader } from './import.service.ts';

const CSV_TYPES = ['text/csv', 'application/csv'];
const UPLOAD_LIMIT_BYTES = 200 * 1024 * 1024;
const MAX_NAME_LENGTH = 200;

const proposalOut = z.object({
  mapping: z.object({ help: z.string(), columns: z.record(z.string(), z.string()), review: z.record(z.string(), z.string()), unresolved: z.array(z.string()).optional() }),
  usage: z.string(),
});
const reportOut = z.object({
  import_id: z.string().nullable(),
  source_name: z.string(),
  dry_run: z.boolean(),
  rows_total: z.number(),
  imported: z.number(),
  rejected: z.number(),
  resumed_after: z.number(),
  ignored_columns: z.array(z.string()),
  errors: z.array(z.object({ row: z.number(), reason: z.string() })),
});

/**
 * The name an upload is recorded under (its provenance): a plain file name. It never becomes part of
 * a path — the upload's temporary file has a fixed name in a fresh private directory.
 *
 * @throws AppError VALIDATION_FAILED (field `query.name`) for an empty name, `.` or `..`, a path
 *   separator, a control or formatting character, or more than 200 characters.
 */
export function uploadName(name: string | undefined): string {
  if (name === undefined) return 'upload.csv';
  if (name === '' || name === '.' || name === '..' || name.length > MAX_NAME_LENGTH || /[/\\]/.test(name) || /\p{C}/u.test(name)) {
    throw new AppError('VALIDATION_FAILED', `name must be a plain file name such as clients.csv: 1 to ${MAX_NAME_LENGTH} characters, not "." or "..", with no / or \\ and no control characters`, {
      fields: ['query.name'],
    });
  }
  return name;
}

function mappingParameter(text: string | undefined): Map<string, string> | undefined {
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'the mapping parameter is not valid JSON; send a JSON object of CSV header → field or "ignore", URL-encoded', { fields: ['query.mapping'] });
  }
  return parseMapping(json, HTTP_INTERFACE);
}

/**
 * The import API: a CSV upload, and a mapping proposal for a header line. Both need `client.create`
 * (an import creates client records); each route's access is declared in its policy.
 */
export async function importRoutes(app: FastifyInstance, deps: ClientDeps): Promise<void> {
  // Both routes declare `client.create`: the route gate refuses a role without it before the body is read.
  const caller = requireAuth;

  // The header line is small: buffered, within the usual 1 MB body limit.
  app.removeContentTypeParser(CSV_TYPES);
  app.addContentTypeParser(CSV_TYPES, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/imports/mapping-proposal',
    {
      config: { policy: { access: 'authenticated', action: 'client.create' } },
      schema: {
        tags: ['clients'],
        summary: "Propose a mapping for a CSV's header line (Content-Type: text/csv; only the first line is read): review it, then send it as the mapping parameter of POST /api/v1/imports",
        response: { 200: proposalOut },
      },
    },
    async (request) => {
      const who = await caller(request);
      if (!Buffer.isBuffer(request.body)) throw new AppError('VALIDATION_FAILED', "send the CSV's header line as the body, with Content-Type: text/csv");
      const body = request.body;
      const headers = await readCsvHeader({ name: 'header line', read: () => Readable.from([body]) });
      return {
        mapping: await proposeImportMapping(deps.db, who.actor.orgId, headers, HTTP_INTERFACE),
        usage: 'review the mapping (decide on each column under "review"), then POST the CSV to /api/v1/imports with its "columns" object, URL-encoded JSON, as the mapping parameter',
      };
    },
  );

  // The upload is streamed straight into a sealed temporary file (a fresh key held only in memory):
  // the import reads the file twice (fingerprint, then rows), and a crash leaves only ciphertext.
  await app.register(async (upload) => {
    upload.removeContentTypeParser(CSV_TYPES);
    upload.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload));
    upload.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/imports',
      {
        config: { policy: { access: 'authenticated', action: 'client.create' } },
        schema: {
          tags: ['clients'],
          summary:
            'Import clients from a CSV body (Content-Type: text/csv, up to 200 MB); per-row errors by number and reason. dry_run=true validates only; again=true imports a file imported before; an interrupted import resumes when the same file is sent again',
          querystring: z.object({
            dry_run: queryBoolean(false),
            again: queryBoolean(false),
            name: z.string().optional().describe('the file name recorded as the source of the imported clients (default upload.csv)'),
            mapping: z.string().max(10_000).optional().describe('JSON object of CSV header → field or "ignore", covering every column'),
          }),
          response: { 200: reportOut, 201: reportOut },
        },
      },
      async (request, reply) => {
        const who = await caller(request);
        const name = uploadName(request.query.name);
        const mapping = mappingParameter(request.query.mapping);
        const body = request.body;
        if (!(body instanceof Readable)) throw new AppError('VALIDATION_FAILED', 'send the CSV as the body, with Content-Type: text/csv');
        const tooLarge = 'the CSV body is larger than 200 MB; split the file and upload each part as its own import';
        if (Number(request.headers['content-length']) > UPLOAD_LIMIT_BYTES) throw new AppError('VALIDATION_FAILED', tooLarge, { limit_bytes: UPLOAD_LIMIT_BYTES });
        const sealed = await writeSealedTempFile(body, { limit: { bytes: UPLOAD_LIMIT_BYTES, message: tooLarge } });
        let report: ImportReport;
        try {
          report = await importClientsCsv(deps, who, who.actor.orgId, { name, read: () => sealed.read() }, {
            dryRun: request.query.dry_run,
            again: request.query.again,
            via: HTTP_INTERFACE,
            shared: true,
            ...(mapping ? { mapping } : {}),
          });
        } finally {
          // Before the answer: once the caller has it, nothing of the upload is left on disk.
          await sealed.dispose();
        }
        return reply.status(report.dry_run ? 200 : 201).send(report);
      },
    );
  });
}
