import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { operatorContext } from '../../audit/log/operator.ts';
import { findClients } from '../records/client.service.ts';
import { defineCustomField } from '../records/custom-field.service.ts';
import { importClientsCsv } from './import.service.ts';
import { evaluateSegment } from '../segments/segments.service.ts';
import { isAppError } from '../../platform/errors/app-error.ts';
import { raiseAlert } from '../../audit/alerts/alerts.service.ts';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { buildTestApp } from '../../../test/support/app.ts';
import { deployment, services } from '../../../test/support/deployment.ts';

const csvFile = (content: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'confidant-import-unit-')), 'clients.csv');
  writeFileSync(file, content);
  return file;
};

describeEachEngine('CSV import: concurrent runs and malformed files', (t) => {
  it('lets only one of two simultaneous runs of a file create its clients', async () => {
    const { deps, orgId } = await services(t());
    const rows = Array.from({ length: 1200 }, (_, i) => `Person${i} Twice,p${i}@twice.example`);
    const file = csvFile(`name,email\n${rows.join('\n')}\n`);
    const runs = await Promise.allSettled([0, 1].map(() => importClientsCsv(deps, { operator: operatorContext() }, orgId, file, { batchSize: 100, workers: 1 })));
    expect(runs.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = runs.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isAppError(failed.reason) && failed.reason.code, String(failed.reason?.message) + String((failed.reason as { cause?: Error })?.cause?.message)).toBe('CONFLICT');
    const count = await deps.db.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1200);
    const provenance = await deps.db.selectFrom('client_provenance').select((eb) => eb.fn.count('row_number').distinct().as('n')).executeTakeFirstOrThrow();
    expect(Number(provenance.n)).toBe(1200);
    // Segments never list a client twice, whatever the filter repeats.
    expect(new Set(await evaluateSegment(deps.db, orgId, { status: ['active', 'active'] }, { limit: 5000 })).size).toBe(1200);
    expect(await evaluateSegment(deps.db, orgId, { status: ['active', 'active'] }, { limit: 5000 })).toHaveLength(1200);
  });

  it('gives concurrent first uses of an organisation the same keys (no empty answer, one index version)', async () => {
    const { deps, orgId } = await services(t());
    const [versions, wrappings] = await Promise.all([Promise.all(Array.from({ length: 5 }, () => deps.indexer.versions(orgId))), Promise.all(Array.from({ length: 5 }, () => deps.keyring.bulkWrapping(orgId)))]);
    for (const v of versions) expect(v.map((x) => x.version)).toEqual([1]);
    for (const w of wrappings) expect(w).toMatchObject({ orgKeyVersion: 1, orgKey: expect.anything() });
  });

  it('names the line of a CSV syntax error without quoting the cell', async () => {
    const { deps, orgId } = await services(t());
    const file = csvFile('name,email\nAda Lovelace,ada@example.org\n"Jane "QZQUOTEDQ" Doe",jane@example.org\n');
    const error = await importClientsCsv(deps, { operator: operatorContext() }, orgId, file, { batchSize: 1, workers: 1 }).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('VALIDATION_FAILED');
    expect((error as Error).message).toMatch(/line 3/);
    expect((error as Error).message).not.toContain('QZQUOTEDQ');
    expect((error as Error).message).not.toContain('Jane');
    // A file without a header row: its first client's values are not echoed as "column names".
    const headerless = await importClientsCsv(deps, { operator: operatorContext() }, orgId, csvFile('QZFIRSTQ Person,qzfirst@example.org\n'), { workers: 1 }).catch((e: unknown) => e);
    expect((headerless as Error).message).toMatch(/columns 1, 2: their headers are not client field names/);
    expect((headerless as Error).message).not.toMatch(/qzfirst/i);
  });
});

/** A realistic export of another CRM: every column but Notes has somewhere to go. */
const CRM_HEADER = 'First Name,Last Name,E-mail Address,Mobile Phone,Street,City,Zip,Country,DOB,Referral Source,Notes';
const CRM_ROWS = [
  ['Ada', 'Lovelace', 'ada@crm.example', '+44 7700 900001', '12 St James Square', 'London', 'SW1Y 4JH', 'GB', '1815-12-10', 'QZREF a friend', 'QZNOTE likes tea'],
  ['Alan', 'Turing', 'alan@crm.example', '+44 7700 900002', '2 Bletchley Park', 'Milton Keynes', 'MK3 6EB', 'GB', '1912-06-23', 'QZREF search', 'QZNOTE runner'],
];
const crmCsv = () => `${CRM_HEADER}\n${CRM_ROWS.map((r) => r.join(',')).join('\n')}\n`;

async function defineReferralSource(deps: { db: Parameters<typeof defineCustomField>[0] }, orgId: string) {
  await defineCustomField(deps.db, orgId, { name: 'referral_source', label: 'Referral source', kind: 'text', classification: 'internal', purpose: 'know how clients find the practice' });
}

/** Every value of a CRM row as the client should hold it. */
function expectedClient(row: string[]) {
  return {
    name: `${row[0]} ${row[1]}`,
    email: row[2],
    phone: row[3],
    postal_address: { line1: row[4], city: row[5], postcode: row[6], country: row[7] },
    date_of_birth: row[8],
  };
}

describeEachEngine('CSV import: every column mapped or ignored', (t) => {
  it('refuses a mapping that leaves columns out, naming their headers, and writes nothing', async () => {
    const { deps, orgId } = await services(t());
    // The reversed mapping of the issue: addresses and dates of birth were silently dropped.
    const file = csvFile('Full Name,Street,City,DOB\nQZ Person,QZ 1 High Street,QZ Town,1990-01-01\n');
    const error = await importClientsCsv(deps, { operator: operatorContext() }, orgId, file, { mapping: { 'Full Name': 'name' }, workers: 1 }).catch((e: unknown) => e);
    expect(isAppError(error, 'VALIDATION_FAILED'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/the --mapping file does not say where the values of the columns "Street" \(column 2\), "City" \(column 3\), "DOB" \(column 4\) go/);
    expect((error as Error).message).toMatch(/or "ignore"/);
    expect((error as Error).message).not.toMatch(/QZ/);
    expect(await deps.db.selectFrom('imports').selectAll().where('org_id', '=', orgId).execute()).toEqual([]);
    expect(await deps.db.selectFrom('clients').selectAll().where('org_id', '=', orgId).execute()).toEqual([]);
  });

  it('imports what the mapping maps, joins several columns into one field, and reports the ignored ones', async () => {
    const { deps, orgId } = await services(t());
    await defineReferralSource(deps, orgId);
    const mapping = { 'First Name': 'name', 'Last Name': 'name', 'E-mail Address': 'email', 'Mobile Phone': 'phone', Street: 'postal_address.line1', City: 'postal_address.city', Zip: 'postal_address.postcode', Country: 'postal_address.country', DOB: 'date_of_birth', 'Referral Source': 'custom.referral_source', Notes: 'ignore' };
    const report = await importClientsCsv(deps, { operator: operatorContext() }, orgId, csvFile(crmCsv()), { mapping, workers: 1 });
    expect(report).toMatchObject({ imported: 2, rejected: 0, ignored_columns: ['Notes'] });
    for (const row of CRM_ROWS) {
      const [client] = await findClients(deps, operatorContext(), orgId, { field: 'email', value: row[2]! });
      expect(client!.fields).toEqual(expectedClient(row));
      expect(client!.custom).toEqual({ referral_source: row[9] });
    }
  });
});

describeEachEngine('CSV import: a failing insert is not "another run"', (t) => {
  it('reports a database refusal of the import row as itself, not as a concurrent run', async () => {
    const { deps, orgId } = await services(t());
    const db = deps.db;
    if (t().engine === 'sqlite') await sql.raw(`CREATE TRIGGER test_refuse_import BEFORE INSERT ON imports BEGIN SELECT RAISE(ABORT, 'imports refused by the test'); END`).execute(db);
    else {
      await sql.raw(`CREATE FUNCTION test_refuse_import() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'imports refused by the test'; END $$`).execute(db);
      await sql.raw('CREATE TRIGGER test_refuse_import BEFORE INSERT ON imports FOR EACH ROW EXECUTE FUNCTION test_refuse_import()').execute(db);
    }
    const error = await importClientsCsv(deps, { operator: operatorContext() }, orgId, csvFile('name,email\nQZ Person,qz@example.org\n'), { workers: 1 }).catch((e: unknown) => e);
    expect(isAppError(error), String(error)).toBe(false);
    expect((error as Error).message).toMatch(/imports refused by the test/);
    expect((error as Error).message).not.toMatch(/another run|QZ/);
    await sql.raw('DROP TRIGGER test_refuse_import' + (t().engine === 'sqlite' ? '' : ' ON imports')).execute(db);
  });
});

const CSV = { 'content-type': 'text/csv' };

describeEachEngine('CSV import over HTTP: parameters and messages', (t) => {
  it('parses query booleans strictly: dry_run and again on imports, unacknowledged on alerts', async () => {
    const org = await deployment(t());
    const count = async () => Number((await org.deps.db.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', org.orgId).executeTakeFirstOrThrow()).n);
    const dry = await org.owner.request('POST', '/api/v1/imports?dry_run=1', 'name\nDry One\n', CSV);
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().dry_run).toBe(true);
    for (const [value, name] of [
      ['false', 'False One'],
      ['0', 'Zero One'],
    ]) {
      const res = await org.owner.request('POST', `/api/v1/imports?dry_run=${value}`, `name\n${name}\n`, CSV);
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ dry_run: false, imported: 1 });
    }
    expect(await count()).toBe(2);
    for (const query of ['dry_run=yes', 'dry_run=', 'dry_run=TRUE', 'again=no', 'dry_run=true&dry_run=false']) {
      const res = await org.owner.request('POST', `/api/v1/imports?${query}`, 'name\nNever\n', CSV);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: [`query.${query.split('=')[0]}`] } });
    }
    expect(await count()).toBe(2);

    const first = await raiseAlert(org.deps.db, org.deps.audit, { orgId: org.orgId, kind: 'export', actorId: null, recordId: null, detail: 'test alert' });
    await raiseAlert(org.deps.db, org.deps.audit, { orgId: org.orgId, kind: 'export', actorId: null, recordId: null, detail: 'test alert' });
    expect((await org.owner.request('POST', `/api/v1/alerts/${first}/acknowledge`)).statusCode).toBeLessThan(300);
    const alerts = async (query: string) => (await org.owner.request('GET', `/api/v1/alerts${query}`)).json().alerts?.length;
    expect(await alerts('')).toBe(2);
    expect(await alerts('?unacknowledged=false')).toBe(2);
    expect(await alerts('?unacknowledged=0')).toBe(2);
    expect(await alerts('?unacknowledged=true')).toBe(1);
    expect(await alerts('?unacknowledged=1')).toBe(1);
    const bad = await org.owner.request('GET', '/api/v1/alerts?unacknowledged=yes');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.fields).toEqual(['query.unacknowledged']);
  });

  it('imports a file again only with again=true, and speaks of parameters, never of CLI flags', async () => {
    const org = await deployment(t());
    const csv = 'name,email\nTwice Imported,twice@example.org\n';
    expect((await org.owner.request('POST', '/api/v1/imports?name=twice.csv', csv, CSV)).statusCode).toBe(201);
    const refused = await org.owner.request('POST', '/api/v1/imports?name=twice.csv', csv, CSV);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toMatch(/already imported .*; add again=true to import it anyway/);
    const again = await org.owner.request('POST', '/api/v1/imports?name=twice.csv&again=true', csv, CSV);
    expect(again.statusCode, again.body).toBe(201);
    expect((await org.owner.request('POST', '/api/v1/clients/search', { email: 'twice@example.org' })).json().clients).toHaveLength(2);
    const messages = [
      refused.json().error.message,
      (await org.owner.request('POST', '/api/v1/imports', 'Full Name,E-mail\nQZ Person,qz@example.org\n', CSV)).json().error.message,
      (await org.owner.request('POST', `/api/v1/imports?mapping=${encodeURIComponent(JSON.stringify({ 'Full Name': 'name' }))}`, 'Full Name,E-mail\nQZ Person,qz@example.org\n', CSV)).json().error.message,
      (await org.owner.request('POST', `/api/v1/imports?mapping=${encodeURIComponent(JSON.stringify({ Mail: 'email' }))}`, 'Mail\nqz@example.org\n', CSV)).json().error.message,
      (await org.owner.request('POST', '/api/v1/imports?mapping=%7Bnot-json', 'name\nQZ\n', CSV)).json().error.message,
    ];
    expect(messages[1]).toMatch(/POST the header line to \/api\/v1\/imports\/mapping-proposal/);
    expect(messages[2]).toMatch(/the mapping parameter does not say where the values of the column "E-mail" \(column 2\) go/);
    expect(messages[3]).toMatch(/map the column that holds names to "name" in the mapping parameter/);
    expect(messages[4]).toMatch(/the mapping parameter is not valid JSON/);
    for (const message of messages) {
      expect(message).not.toMatch(/--/);
      expect(message).not.toMatch(/QZ|qz@/i);
    }
  });

  it('refuses an upload name that is not a plain file name with a 400, never a 500', async () => {
    const org = await deployment(t());
    for (const name of ['..', '.', '', 'a/b.csv', '../../etc/passwd', 'a\\b.csv', 'x\u0001.csv', 'evil\u202Ecsv.exe', 'n'.repeat(201)]) {
      const res = await org.owner.request('POST', `/api/v1/imports?name=${encodeURIComponent(name)}`, 'name\nNamed Upload\n', CSV);
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['query.name'] } });
      expect(res.json().error.message).toMatch(/^name must be a plain file name such as clients.csv/);
    }
    const ok = await org.owner.request('POST', `/api/v1/imports?name=${encodeURIComponent('Clients (2024).csv')}`, 'name\nNamed Upload\n', CSV);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().source_name).toBe('Clients (2024).csv');
    const provenance = await org.deps.db.selectFrom('client_provenance').select('source_name').where('import_id', '=', ok.json().import_id).executeTakeFirstOrThrow();
    expect(provenance.source_name).toBe('Clients (2024).csv');
  });
});

describeEachEngine('CSV import over HTTP: a mapping proposal, then the import', (t) => {
  it('proposes a mapping for a CRM header line that imports the file with nothing dropped; without "ignore" a column is refused by name', async () => {
    const org = await deployment(t());
    await defineReferralSource(org.deps, org.orgId);
    const proposed = await org.owner.request('POST', '/api/v1/imports/mapping-proposal', `${CRM_HEADER}\n`, CSV);
    expect(proposed.statusCode, proposed.body).toBe(200);
    const { mapping, usage } = proposed.json();
    expect(mapping.columns).toMatchObject({ 'First Name': 'name', 'Last Name': 'name', DOB: 'date_of_birth', Zip: 'postal_address.postcode', 'Referral Source': 'custom.referral_source', Notes: 'ignore' });
    expect(Object.keys(mapping.review)).toEqual(['Notes']);
    expect(usage).toMatch(/as the mapping parameter/);
    // The whole file as the body: only its first line is read, and nothing of it comes back.
    const whole = await org.owner.request('POST', '/api/v1/imports/mapping-proposal', crmCsv(), CSV);
    expect(whole.json().mapping).toEqual(mapping);
    expect(whole.body).not.toMatch(/QZ|crm\.example/);
    const headerless = await org.owner.request('POST', '/api/v1/imports/mapping-proposal', `${CRM_ROWS[0]!.join(',')}\n`, CSV);
    expect(headerless.statusCode).toBe(400);
    expect(headerless.body).not.toMatch(/QZ|crm\.example|Lovelace/);
    const billing = await org.signInAs('billing');
    expect((await billing.request('POST', '/api/v1/imports/mapping-proposal', `${CRM_HEADER}\n`, CSV)).statusCode).toBe(403);

    const imported = await org.owner.request('POST', `/api/v1/imports?name=crm.csv&mapping=${encodeURIComponent(JSON.stringify(mapping))}`, crmCsv(), CSV);
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json()).toMatchObject({ imported: CRM_ROWS.length, rejected: 0, ignored_columns: ['Notes'] });
    const listed = (await org.owner.request('GET', '/api/v1/clients?limit=50')).json().clients as { fields: Record<string, unknown>; custom: Record<string, unknown> }[];
    for (const row of CRM_ROWS) {
      const client = listed.find((c) => c.fields.email === row[2]);
      expect(client?.fields).toEqual(expectedClient(row));
      expect(client?.custom).toEqual({ referral_source: row[9] });
    }
    const { Notes: _, ...withoutNotes } = mapping.columns;
    const refused = await org.owner.request('POST', `/api/v1/imports?name=crm.csv&again=true&mapping=${encodeURIComponent(JSON.stringify(withoutNotes))}`, crmCsv(), CSV);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { columns: [11] } });
    expect(refused.json().error.message).toMatch(/the column "Notes" \(column 11\)/);
    expect(refused.body).not.toMatch(/QZNOTE/);
  });
});

describeEachEngine('CSV import over HTTP: the upload on disk', (t) => {
  it('keeps only ciphertext in the temporary directory during and after an upload, and resumes an interrupted upload', async () => {
    // Every file under the temporary directory, read whenever the import asks for its index keys
    // (at its start, and before each batch is stored): what a crash at that moment would leave.
    const temp = mkdtempSync(path.join(tmpdir(), 'confidant-upload-scan-'));
    const seen: Buffer[] = [];
    const scan = () => {
      for (const entry of readdirSync(temp, { recursive: true, withFileTypes: true })) if (entry.isFile()) seen.push(readFileSync(path.join(entry.parentPath, entry.name)));
    };
    const { vault, deps } = await services(t(), { orgId: null });
    const indexer = new Proxy(deps.indexer, {
      get(target, property) {
        if (property === 'versions') return (...args: Parameters<typeof target.versions>) => (scan(), target.versions(...args));
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const app = await buildTestApp(t(), {}, { ...deps, indexer });
    const org = await deployment(t(), { app, vault });
    const rows = 2500;
    const csv = `Full Name,Mail\n${Array.from({ length: rows }, (_, i) => `QZPLAIN Person${i},qzplain${i}@upload.example`).join('\n')}\n`;
    const url = `/api/v1/imports?name=big.csv&mapping=${encodeURIComponent(JSON.stringify({ 'Full Name': 'name', Mail: 'email' }))}`;
    // The second batch (rows 2001-2500) fails to store: the upload stops with its first batch committed.
    const db = org.deps.db;
    if (t().engine === 'sqlite') await sql.raw(`CREATE TRIGGER test_stop_import BEFORE INSERT ON client_provenance WHEN NEW.row_number > 2000 BEGIN SELECT RAISE(ABORT, 'stopped by the test'); END`).execute(db);
    else {
      await sql.raw(`CREATE FUNCTION test_stop_import() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.row_number > 2000 THEN RAISE EXCEPTION 'stopped by the test'; END IF; RETURN NEW; END $$`).execute(db);
      await sql.raw('CREATE TRIGGER test_stop_import BEFORE INSERT ON client_provenance FOR EACH ROW EXECUTE FUNCTION test_stop_import()').execute(db);
    }
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      const stopped = await org.owner.request('POST', url, csv, CSV);
      expect(stopped.statusCode, stopped.body + JSON.stringify(readdirSync(temp, { recursive: true }))).toBe(500);
      await sql.raw('DROP TRIGGER test_stop_import' + (t().engine === 'sqlite' ? '' : ' ON client_provenance')).execute(db);
      expect(readdirSync(temp)).toEqual([]);
      const resumed = await org.owner.request('POST', url, csv, CSV);
      expect(resumed.statusCode, resumed.body).toBe(201);
      expect(resumed.json()).toMatchObject({ resumed_after: 2000, imported: rows, rejected: 0 });
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
    expect(readdirSync(temp)).toEqual([]);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const bytes of seen) {
      expect(bytes.length).toBeGreaterThan(csv.length / 2);
      for (const plaintext of ['QZPLAIN', 'qzplain', 'upload.example', 'Full Name']) expect(bytes.includes(plaintext), plaintext).toBe(false);
    }
    expect(Number((await db.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', org.orgId).executeTakeFirstOrThrow()).n)).toBe(rows);
    expect((await org.owner.request('POST', '/api/v1/clients/search', { email: 'qzplain2400@upload.example' })).json().clients).toHaveLength(1);
  });
});
