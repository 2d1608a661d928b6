import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireAuth } from '../../auth/sessions/index.ts';
import { sweepSealedTempFiles, writeSealedTempFile } from '../../platform/crypto/index.ts';

/** An upload's sealed temporary file older than this belongs to no running import. */
const UPLOAD_MAX_AGE_MS = 24 * 3_600_000;
import { AppError } from '../../platform/errors/index.ts';
import { queryBoolean } from '../../platform/http/index.ts';
import type { ClientDeps } from '../records/index.ts';
import { HTTP_INTERFACE, parseMapping } from './import.mapping.ts';
import { type ImportReport, importClientsCsv, proposeImportMapping, readCsvHeader } from './import.service.ts';
import type { ReviewReason } from './import.proposal.ts';
import { DELIMITER_NAMES, csvDelimiter } from './import.csv.ts';
import { parseStatusValues } from './import.status.ts';
import { applyImportExtras, checkImportExtras, clientMapping, withoutExtraColumns } from './import.extras.ts';
import { BackgroundImports, failStaleImports, getImportStatus, listImports } from './import.background.ts';
import { findSavedMapping } from './import.saved.ts';
import { canWriteField } from '../../access/roles/index.ts';
import { CLIENT_FIELDS } from '../../datamap/index.ts';

const CSV_TYPES = ['text/csv', 'application/csv'];
const UPLOAD_LIMIT_BYTES = 200 * 1024 * 1024;
const MAX_NAME_LENGTH = 200;

const proposalOut = z.object({
  mapping: z.object({ help: z.string(), columns: z.record(z.string(), z.string()), review: z.record(z.string(), z.string()), unresolved: z.array(z.string()).optional() }),
  review_reasons: z
    .record(
      z.string(),
      z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('no_header') }),
        z.object({ kind: z.literal('no_match') }),
        z.object({ kind: z.literal('name_from'), column: z.string() }),
        z.object({ kind: z.literal('taken'), column: z.string(), target: z.string() }),
        z.object({ kind: z.literal('name_order'), columns: z.array(z.string()) }),
      ]),
    )
    .describe('why each column under mapping.review needs a decision, as data: no header, nothing matches, the name comes from another column, another column maps to that target, the name joins in file order'),
  delimiter: z.enum([',', ';', '\t']).describe("the header line's field separator, as the import will read the file (a comma, or the semicolon or tab it uses instead)"),
  usage: z.string(),
  saved: z
    .object({ mapping: z.record(z.string(), z.string()), updated_at: z.number() })
    .nullable()
    .describe('the mapping of the last successful import of a file with the same header line, or null'),
  writable: z.record(z.string(), z.boolean()).describe('each target of the proposed (and saved) mapping → whether your role may write it; a mapping naming a target you may not write is refused (IMPORT_FIELD_NOT_WRITABLE)'),
  unwritable_fields: z.array(z.string()).describe('the client fields your role may not write (map their columns to "ignore")'),
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
  errors: z.array(
    z.object({
      row: z.number(),
      reason: z.string(),
      code: z.string().optional().describe("the error's catalogue code (VALIDATION_FAILED, CARD_DATA_REFUSED)"),
      fields: z.array(z.string()).optional().describe('the fields at fault, by name (custom ones as custom.<name>; record: values no field takes)'),
    }),
  ),
  duplicates: z
    .object({ count: z.number(), rows: z.array(z.number()).describe('the first 1000 row numbers') })
    .nullable()
    .describe('rows whose e-mail or phone matches an existing client or an earlier row: on a dry run and with duplicates=skip; null when not looked for'),
  skipped_duplicates: z.number().describe('rows left out as duplicates (duplicates=skip)'),
  attached: z.number().describe('rows whose values went to the existing client they duplicate (duplicates=attach): its empty fields filled, nothing overwritten'),
  attached_filled: z.number().describe('of the clients rows were attached to, how many gained values they lacked (this run)'),
  kept_values: z.array(z.object({ field: z.string(), rows: z.number() })).describe('duplicates=attach: fields (by name) where a row had another value than the client; the client kept its own'),
});
const statusOut = z.object({
  import_id: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  source_name: z.string(),
  started_at: z.number(),
  rows_total: z.number(),
  rows_done: z.number(),
  report: reportOut.nullable().describe('the report, once done'),
  error_code: z.string().nullable().describe('a failed import: its error code (IMPORT_INTERRUPTED: upload the same file again to resume)'),
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

/** A JSON query parameter, refused naming it when it is not JSON. */
function jsonParameter(text: string, field: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('VALIDATION_FAILED', `the ${field.replace('query.', '')} parameter is not valid JSON; send a JSON object, URL-encoded`, { fields: [field] });
  }
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
  // Every route declares `client.create`: the route gate refuses a role without it before the body is read.
  const caller = requireAuth;
  const background = new BackgroundImports();
  app.addHook('onClose', () => background.close());
  // Background imports whose server stopped (this one, restarted) read as failed: the same upload resumes them.
  await failStaleImports(deps);
  // Uploads a crashed server left on this machine (unreadable: their keys died with it) are deleted
  // now and every hour, once a day old.
  const sweep = () => void sweepSealedTempFiles(UPLOAD_MAX_AGE_MS).catch(() => undefined);
  sweep();
  const sweeper = setInterval(sweep, 3_600_000);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));

  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/imports/:id',
    {
      config: { policy: { access: 'authenticated', action: 'client.create' } },
      schema: {
        tags: ['clients'],
        summary: "An import's state (running, done, failed), rows done of rows total, its report once done, its error code once failed (your own imports; owners and admins: the organisation's). Errors: NOT_FOUND, FORBIDDEN",
        params: z.object({ id: z.string().max(100) }),
        response: { 200: statusOut },
      },
    },
    async (request) => getImportStatus(deps, await caller(request), request.params.id),
  );
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/imports',
    {
      config: { policy: { access: 'authenticated', action: 'client.create' } },
      schema: {
        tags: ['clients'],
        summary: 'Your unfinished imports, newest first: state=running (so that a reloaded page finds its import) or state=failed (uploading the same file again resumes one). Errors: FORBIDDEN',
        querystring: z.object({ state: z.enum(['running', 'failed']) }),
        response: { 200: z.object({ imports: z.array(statusOut) }) },
      },
    },
    async (request) => ({ imports: await listImports(deps, await caller(request), request.query.state) }),
  );

  // The header line is small: buffered, within the usual 1 MB body limit.
  app.removeContentTypeParser(CSV_TYPES);
  app.addContentTypeParser(CSV_TYPES, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/imports/mapping-proposal',
    {
      config: { policy: { access: 'authenticated', action: 'client.create' } },
      schema: {
        tags: ['clients'],
        summary:
          "Propose a mapping for a CSV's header line (Content-Type: text/csv; only the first line is read): review it, then send it as the mapping parameter of POST /api/v1/imports. Also answers the mapping saved by the last import of the same header line, and which targets your role may write. Errors: VALIDATION_FAILED, FORBIDDEN",
        querystring: z.object({
          delimiter: z.enum(['auto', 'comma', 'semicolon', 'tab']).default('auto').describe('the field separator; auto (the default) finds it from the header line'),
        }),
        response: { 200: proposalOut },
      },
    },
    async (request) => {
      const who = await caller(request);
      if (!Buffer.isBuffer(request.body)) throw new AppError('VALIDATION_FAILED', "send the CSV's header line as the body, with Content-Type: text/csv");
      const body = request.body;
      const delimiter = request.query.delimiter === 'auto' ? await csvDelimiter(Readable.from([body])) : DELIMITER_NAMES[request.query.delimiter];
      const headers = await readCsvHeader({ name: 'header line', read: () => Readable.from([body]) }, delimiter);
      const reasons: Record<string, ReviewReason> = {};
      const mapping = await proposeImportMapping(deps.db, who.actor.orgId, headers, HTTP_INTERFACE, reasons);
      const saved = await findSavedMapping(deps.db, who.actor.orgId, headers);
      const mayWrite = (target: string) => canWriteField(who.actor.role, target.split('.')[0]!);
      const targets = [...Object.values(mapping.columns), ...Object.values(saved?.mapping ?? {})].filter((t) => t !== 'ignore');
      return {
        mapping,
        review_reasons: reasons,
        delimiter,
        usage: 'review the mapping (decide on each column under "review"), then POST the CSV to /api/v1/imports with its "columns" object, URL-encoded JSON, as the mapping parameter',
        saved,
        writable: Object.fromEntries(targets.map((t) => [t, mayWrite(t)])),
        unwritable_fields: [...CLIENT_FIELDS.map((f) => f.name), 'status'].filter((f) => !mayWrite(f)),
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
            'Import clients from a CSV body (Content-Type: text/csv, up to 200 MB); per-row errors by number and reason. dry_run=true validates only (and reports duplicates); again=true imports a file imported before; duplicates=skip leaves out rows whose e-mail or phone an existing client or an earlier row has, duplicates=attach gives that client the values of the row that it lacks (never overwriting; needs client.update); background=true answers 202 { import_id } once the file and mapping are checked and imports in the background (GET /api/v1/imports/:id); an interrupted import resumes when the same file is sent again. Errors: VALIDATION_FAILED, IMPORT_FIELD_NOT_WRITABLE, FORBIDDEN, CONFLICT, CARD_DATA_REFUSED',
          querystring: z.object({
            dry_run: queryBoolean(false),
            again: queryBoolean(false),
            name: z.string().optional().describe('the file name recorded as the source of the imported clients (default upload.csv)'),
            mapping: z.string().max(10_000).optional().describe('JSON object of CSV header → field or "ignore", covering every column'),
            delimiter: z.enum(['auto', 'comma', 'semicolon', 'tab']).default('auto').describe("the field separator; auto (the default) finds it from the header line, as the mapping proposal's delimiter says"),
            status_values: z.string().optional().describe('what the status column\'s words mean: a JSON object of word → lead, active, inactive or former (e.g. {"Customer":"active"}), URL-encoded; words are compared trimmed, case-folded'),
            date_order: z.enum(['ymd', 'dmy', 'mdy']).default('ymd').describe('how the file writes dates: year first (YYYY-MM-DD, the default), day first (03.04.1990, 03/04/1990) or month first (04/03/1990)'),
            duplicates: z.enum(['import', 'skip', 'attach']).default('import').describe('rows whose e-mail or phone an existing client or an earlier row has: import them (default), leave them out (skip), or add their values to that client (attach)'),
            background: queryBoolean(false).describe('answer 202 { import_id } at once and import in the background; not with dry_run'),
          }),
          response: { 200: reportOut, 201: reportOut, 202: z.object({ import_id: z.string() }) },
        },
      },
      async (request, reply) => {
        const who = await caller(request);
        const name = uploadName(request.query.name);
        const mapping = mappingParameter(request.query.mapping);
        const statusValues = request.query.status_values === undefined ? undefined : parseStatusValues(jsonParameter(request.query.status_values, 'query.status_values'), 'query.status_values');
        const body = request.body;
        if (!(body instanceof Readable)) throw new AppError('VALIDATION_FAILED', 'send the CSV as the body, with Content-Type: text/csv');
        const tooLarge = 'the CSV body is larger than 200 MB; split the file and upload each part as its own import';
        if (Number(request.headers['content-length']) > UPLOAD_LIMIT_BYTES) throw new AppError('VALIDATION_FAILED', tooLarge, { limit_bytes: UPLOAD_LIMIT_BYTES });
        const sealed = await writeSealedTempFile(body, { limit: { bytes: UPLOAD_LIMIT_BYTES, message: tooLarge } });
        const source = { name, read: () => sealed.read() };
        // An export's tags and caseloads are checked before anything is written and applied after the clients.
        let checked: Awaited<ReturnType<typeof checkImportExtras>>;
        try {
          const given = request.query.delimiter === 'auto' ? undefined : DELIMITER_NAMES[request.query.delimiter];
          checked = await checkImportExtras(deps, who, who.actor.orgId, source, { via: HTTP_INTERFACE, ...(mapping ? { mapping } : {}), ...(given ? { delimiter: given } : {}) });
        } catch (error) {
          await sealed.dispose();
          throw error;
        }
        const options = { dryRun: request.query.dry_run, again: request.query.again, via: HTTP_INTERFACE, shared: true, duplicates: request.query.duplicates, dateOrder: request.query.date_order, delimiter: checked.delimiter, mapping: clientMapping(checked), ...(statusValues ? { statusValues } : {}) };
        if (request.query.background) {
          // The sealed file lives until the background import ends (it is disposed then, on failure too).
          const importId = await background.start(
            deps,
            who,
            { ...source, dispose: () => sealed.dispose() },
            options,
            (error, code) => {
              if (code === 'INTERNAL') request.log.error({ err: error, import_id: importId }, 'background import failed');
              else request.log.info({ code }, 'background import failed');
            },
            async (report) => void (await applyImportExtras(deps, who, who.actor.orgId, source, checked, report)),
          );
          return reply.status(202).send({ import_id: importId });
        }
        let report: ImportReport;
        try {
          report = await importClientsCsv(deps, who, who.actor.orgId, source, options);
          await applyImportExtras(deps, who, who.actor.orgId, source, checked, report);
          report = withoutExtraColumns(report, checked);
        } finally {
          // Before the answer: once the caller has it, nothing of the upload is left on disk.
          await sealed.dispose();
        }
        return reply.status(report.dry_run ? 200 : 201).send(report);
      },
    );
  });
}
