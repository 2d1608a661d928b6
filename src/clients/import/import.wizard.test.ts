import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';

/** The import wizard's server side (issue 17): background imports, duplicates, saved mappings, field rules. */

const CSV = { 'content-type': 'text/csv' };
const q = (mapping: Record<string, string>) => encodeURIComponent(JSON.stringify(mapping));
type Browser = Awaited<ReturnType<typeof deployment>>['owner'];

async function untilEnded(browser: Browser, importId: string): Promise<Record<string, any>> {
  for (let i = 0; i < 600; i++) {
    const res = await browser.request('GET', `/api/v1/imports/${importId}`);
    expect(res.statusCode, res.body).toBe(200);
    if (res.json().state !== 'running') return res.json();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the import did not end');
}

async function stopAfterRow(db: any, engine: string, row: number) {
  if (engine === 'sqlite') await sql.raw(`CREATE TRIGGER test_stop_import BEFORE INSERT ON client_provenance WHEN NEW.row_number > ${row} BEGIN SELECT RAISE(ABORT, 'stopped by the test QZSECRET'); END`).execute(db);
  else {
    await sql.raw(`CREATE FUNCTION test_stop_import() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.row_number > ${row} THEN RAISE EXCEPTION 'stopped by the test QZSECRET'; END IF; RETURN NEW; END $$`).execute(db);
    await sql.raw('CREATE TRIGGER test_stop_import BEFORE INSERT ON client_provenance FOR EACH ROW EXECUTE FUNCTION test_stop_import()').execute(db);
  }
}

describeEachEngine('CSV import in the background', (t) => {
  it('answers 202 with an id, imports in the background with progress in the import row, and shows it to its importer and the owner only', async () => {
    const org = await deployment(t());
    const practitioner = await org.signInAs('practitioner');
    const rows = 2300;
    // Every tenth row has a two-line note with quotes in it (and a blank line follows): the progress
    // counts records, not line breaks.
    const csv = `Full Name,Mail,Notes\n${Array.from({ length: rows }, (_, i) => `QZBG Person${i},qzbg${i}@bg.example,${i % 10 === 0 ? '"said ""hello"",\r\nthen left"' : ''}`).join('\n')}\n\n`;
    const started = await practitioner.request('POST', `/api/v1/imports?background=true&name=bg.csv&mapping=${q({ 'Full Name': 'name', Mail: 'email', Notes: 'ignore' })}`, csv, CSV);
    expect(started.statusCode, started.body).toBe(202);
    const { import_id } = started.json();
    expect(Object.keys(started.json())).toEqual(['import_id']);
    const done = await untilEnded(practitioner, import_id);
    expect(done).toMatchObject({ import_id, state: 'done', rows_total: rows, rows_done: rows, error_code: null, report: { imported: rows, rejected: 0, source_name: 'bg.csv' } });
    expect((await org.owner.request('GET', `/api/v1/imports/${import_id}`)).json().state).toBe('done');
    const reception = await org.signInAs('reception');
    expect((await reception.request('GET', `/api/v1/imports/${import_id}`)).statusCode).toBe(404);
    const other = await org.anotherOrganisation();
    const otherOwner = await other.signInAs('owner');
    expect((await otherOwner.request('GET', `/api/v1/imports/${import_id}`)).statusCode).toBe(404);
    const billing = await org.signInAs('billing');
    expect((await billing.request('GET', `/api/v1/imports/${import_id}`)).statusCode).toBe(403);
    expect((await practitioner.request('GET', '/api/v1/imports?state=running')).json().imports).toEqual([]);
    expect((await org.owner.request('POST', '/api/v1/clients/search', { email: 'qzbg2299@bg.example' })).json().clients).toHaveLength(1);
    // Checked before the answer: a mapping error or a dry run in the background is refused at once.
    const refused = await practitioner.request('POST', `/api/v1/imports?background=true&mapping=${q({ 'Full Name': 'name', Notes: 'ignore' })}`, csv, CSV);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details.columns).toEqual([2]);
    const dry = await practitioner.request('POST', '/api/v1/imports?background=true&dry_run=true', 'name\nX\n', CSV);
    expect(dry.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['query.background'] } });
  });

  it('records a failure by its code, deletes the upload, reads a stopped server as IMPORT_INTERRUPTED, and resumes when the same file comes again', async () => {
    const org = await deployment(t());
    const db = org.deps.db;
    const temp = mkdtempSync(path.join(tmpdir(), 'confidant-bg-scan-'));
    const rows = 2500;
    const csv = `Full Name,Mail\n${Array.from({ length: rows }, (_, i) => `QZBG Person${i},qzbg${i}@bg.example`).join('\n')}\n`;
    const url = `/api/v1/imports?background=true&name=bg.csv&mapping=${q({ 'Full Name': 'name', Mail: 'email' })}`;
    await stopAfterRow(db, t().engine, 2000);
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    try {
      const started = await org.owner.request('POST', url, csv, CSV);
      expect(started.statusCode, started.body).toBe(202);
      const failed = await untilEnded(org.owner, started.json().import_id);
      expect(failed).toMatchObject({ state: 'failed', error_code: 'INTERNAL', rows_done: 2000, rows_total: rows, report: null });
      expect(JSON.stringify(failed)).not.toMatch(/QZ|qzbg/);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
    await sql.raw('DROP TRIGGER test_stop_import' + (t().engine === 'sqlite' ? '' : ' ON client_provenance')).execute(db);
    // A server that stopped mid-import: its import is running, and its heartbeat stops.
    const importId = failed_id(await db.selectFrom('imports').select('id').where('org_id', '=', org.orgId).executeTakeFirstOrThrow());
    await db.updateTable('imports').set({ error_code: null, heartbeat_at: Date.now() }).where('id', '=', importId).execute();
    const running = (await org.owner.request('GET', '/api/v1/imports?state=running')).json().imports;
    expect(running).toMatchObject([{ import_id: importId, state: 'running', rows_done: 2000, rows_total: rows }]);
    await db.updateTable('imports').set({ heartbeat_at: Date.now() - 10 * 60_000 }).where('id', '=', importId).execute();
    expect((await org.owner.request('GET', `/api/v1/imports/${importId}`)).json()).toMatchObject({ state: 'failed', error_code: 'IMPORT_INTERRUPTED' });
    expect((await org.owner.request('GET', '/api/v1/imports?state=running')).json().imports).toEqual([]);
    expect((await org.owner.request('GET', '/api/v1/imports?state=failed')).json().imports).toMatchObject([{ import_id: importId, error_code: 'IMPORT_INTERRUPTED' }]);
    const again = await org.owner.request('POST', url, csv, CSV);
    expect(again.json().import_id).toBe(importId);
    const done = await untilEnded(org.owner, importId);
    expect(done).toMatchObject({ state: 'done', error_code: null, rows_done: rows, report: { resumed_after: 2000, imported: rows } });
    expect(Number((await db.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', org.orgId).executeTakeFirstOrThrow()).n)).toBe(rows);
  });
});

const failed_id = (row: { id: string }) => row.id;

describeEachEngine('CSV import: duplicates before anything is written', (t) => {
  it('reports rows matching an existing client or an earlier row by e-mail or phone on a dry run, and leaves them out with duplicates=skip', async () => {
    const org = await deployment(t());
    await org.owner.request('POST', '/api/v1/clients', { name: 'Existing Mail', email: 'Ada@Dup.example' });
    await org.owner.request('POST', '/api/v1/clients', { name: 'Existing Phone', phone: '+44 7700 900123' });
    const csv = [
      'name,email,phone',
      'Row One,ada@dup.example,', // the existing client's e-mail, another case
      'Row Two,new@dup.example,',
      'Row Three,other@dup.example,+447700900123', // the existing client's phone, another format
      'Row Four,NEW@dup.example,', // row 2's e-mail
      'Row Five,,',
      'Row Six,six@dup.example,+44 7700 900999',
      'Row Seven,seven@dup.example,+447700900999', // row 6's phone
    ].join('\n');
    const dry = await org.owner.request('POST', '/api/v1/imports?dry_run=true', csv, CSV);
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json()).toMatchObject({ imported: 7, duplicates: { count: 4, rows: [1, 3, 4, 7] }, skipped_duplicates: 0 });
    expect(dry.body).not.toMatch(/dup\.example|7700/);
    expect(await org.deps.db.selectFrom('imports').selectAll().where('org_id', '=', org.orgId).execute()).toEqual([]);
    const skipped = await org.owner.request('POST', '/api/v1/imports?duplicates=skip', csv, CSV);
    expect(skipped.statusCode, skipped.body).toBe(201);
    expect(skipped.json()).toMatchObject({ imported: 3, skipped_duplicates: 4, duplicates: { count: 4, rows: [1, 3, 4, 7] } });
    const names = (await org.owner.request('GET', '/api/v1/clients?limit=50')).json().clients.map((c: { fields: { name: string } }) => c.fields.name).sort();
    expect(names).toEqual(['Existing Mail', 'Existing Phone', 'Row Five', 'Row Six', 'Row Two']);
    // The default imports them all, as before, and does not look.
    const all = await org.owner.request('POST', '/api/v1/imports?again=true', csv, CSV);
    expect(all.json()).toMatchObject({ imported: 7, duplicates: null, skipped_duplicates: 0 });
    // The candidates' contact fields were read for the check, and that read is audited.
    const events = [...(await org.deps.db.selectFrom('audit_log').selectAll().execute()), ...(await org.deps.db.selectFrom('audit_queue').selectAll().execute())];
    expect(JSON.stringify(events, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v))).toMatch(/import duplicate check/);
    expect((await org.owner.request('POST', '/api/v1/imports?duplicates=maybe', csv, CSV)).statusCode).toBe(400);
  });
});

describeEachEngine('CSV import: what attaching may tell', (t) => {
  it("counts a differing value only for fields the importer may read, audits the comparison, and refuses (never loses) a row whose client is gone", async () => {
    const org = await deployment(t());
    await org.owner.request('POST', '/api/v1/clients', { name: 'Known Person', email: 'known@attach.example', date_of_birth: '1970-01-01' });
    const admin = await org.signInAs('admin');
    const csv = 'name,email,date_of_birth\nGuess Name,known@attach.example,1980-01-01\n';
    const byAdmin = await admin.request('POST', '/api/v1/imports?duplicates=attach', csv, CSV);
    expect(byAdmin.statusCode, byAdmin.body).toBe(201);
    // Admins may write dates of birth but not read them: a count would confirm or refute a guess.
    expect(byAdmin.json()).toMatchObject({ attached: 1, kept_values: [{ field: 'name', rows: 1 }] });
    const byOwner = await org.owner.request('POST', '/api/v1/imports?duplicates=attach&again=true', csv, CSV);
    expect(byOwner.json()).toMatchObject({ attached: 1, kept_values: [{ field: 'date_of_birth', rows: 1 }, { field: 'name', rows: 1 }] });
    await org.deps.audit.flush?.();
    const events = [...(await org.deps.db.selectFrom('audit_log').selectAll().execute()), ...(await org.deps.db.selectFrom('audit_queue').selectAll().execute())];
    expect(JSON.stringify(events, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v))).toMatch(/compared with rows attached to it/);

    // The matched client erased before its row is stored: the row is refused with a reason, not dropped.
    const { prepareAttachments } = await import('./import.attach.ts');
    const prepared = await prepareAttachments(org.deps as never, { actorType: 'operator', actorId: null, requestId: null, ip: null }, org.orgId, [], [{ row: 7, clientId: '00000000-0000-7000-8000-000000000000', input: { name: 'Gone Row' } }], Date.now());
    expect(prepared).toMatchObject({ count: 0, rejected: [{ row: 7, code: 'CONFLICT', reason: expect.stringMatching(/erased or merged during the import/) }] });
  });
});

describeEachEngine("CSV import: another system's status words", (t) => {
  it('reads them as the status they are said to mean, refuses a row whose word is not named, and a map that is no map', async () => {
    const org = await deployment(t());
    const csv = 'Name,Lifecycle Stage\nLee Lead,Lead\nCora Customer, customer \nPete Partner,Partner\n';
    const mapping = q({ Name: 'name', 'Lifecycle Stage': 'status' });
    const words = encodeURIComponent(JSON.stringify({ Lead: 'lead', Customer: 'active', Churned: 'former' }));
    const res = await org.owner.request('POST', `/api/v1/imports?mapping=${mapping}&status_values=${words}`, csv, CSV);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ imported: 2, rejected: 1, errors: [{ row: 3, fields: ['status'] }] });
    const list = (await org.owner.request('GET', '/api/v1/clients?limit=50')).json().clients as Array<{ status: string; fields: { name: string } }>;
    expect(list.map((c) => [c.fields.name, c.status]).sort()).toEqual([['Cora Customer', 'active'], ['Lee Lead', 'lead']]);
    const bad = await org.owner.request('POST', `/api/v1/imports?again=true&mapping=${mapping}&status_values=${encodeURIComponent('{"Lead":"hot"}')}`, csv, CSV);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['query.status_values'] } });
    expect((await org.owner.request('POST', `/api/v1/imports?again=true&mapping=${mapping}&status_values=nope`, csv, CSV)).json().error.details).toEqual({ fields: ['query.status_values'] });
  });
});

describeEachEngine('CSV import: the file as a spreadsheet saves it', (t) => {
  it("reads a German Excel CSV (semicolons, a BOM, German headers) with no setting, and refuses a file that is not UTF-8 before writing", async () => {
    const org = await deployment(t());
    const text = '\uFEFFVorname;Nachname;E-Mail;Telefon;Geburtsdatum;Straße;PLZ;Ort\r\nJürgen;Müller;juergen@de.example;+49 30 1234567;04.03.1970;"Hauptstraße 1; Hinterhaus";10115;Berlin\r\n';
    const proposal = await org.owner.request('POST', '/api/v1/imports/mapping-proposal', text.split('\r\n')[0]!, CSV);
    expect(proposal.statusCode, proposal.body).toBe(200);
    expect(proposal.json()).toMatchObject({ delimiter: ';', mapping: { columns: { Vorname: 'name', Nachname: 'name', Straße: 'postal_address.line1', Ort: 'postal_address.city' }, review: {} } });
    // German dates are day first: refused as they are, read with date_order=dmy.
    const asIs = await org.owner.request('POST', `/api/v1/imports?dry_run=true&mapping=${q(proposal.json().mapping.columns)}`, Buffer.from(text, 'utf8'), CSV);
    expect(asIs.json()).toMatchObject({ rejected: 1, errors: [{ row: 1, code: 'VALIDATION_FAILED', fields: ['date_of_birth'] }] });
    const res = await org.owner.request('POST', `/api/v1/imports?date_order=dmy&mapping=${q(proposal.json().mapping.columns)}`, Buffer.from(text, 'utf8'), CSV);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ imported: 1, rejected: 0, rows_total: 1 });
    const found = (await org.owner.request('POST', '/api/v1/clients/search', { email: 'juergen@de.example' })).json().clients;
    expect(found.map((c: { fields: Record<string, unknown> }) => c.fields)).toEqual([expect.objectContaining({ name: 'Jürgen Müller', date_of_birth: '1970-03-04', postal_address: expect.objectContaining({ line1: 'Hauptstraße 1; Hinterhaus', postcode: '10115', city: 'Berlin' }) })]);
    // An old Mac file: lone CRs end its rows; the progress counts them.
    const mac = await org.owner.request('POST', '/api/v1/imports?background=true', 'name,email\rMac One,mac1@de.example\rMac Two,mac2@de.example\r', CSV);
    expect(mac.statusCode, mac.body).toBe(202);
    expect(await untilEnded(org.owner, mac.json().import_id)).toMatchObject({ state: 'done', rows_total: 2, report: { imported: 2 } });
    // Windows-1252 bytes (ü as 0xFC): refused, saying what to do, before any row is written.
    const latin = Buffer.concat([Buffer.from('name,email\r\nJ'), Buffer.from([0xfc]), Buffer.from('rgen Zwei,zwei@de.example\r\n')]);
    const refused = await org.owner.request('POST', '/api/v1/imports', latin, CSV);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { fields: ['encoding'] } });
    expect(refused.json().error.message).toMatch(/not UTF-8 .* save it as "CSV UTF-8"/);
    expect(await org.deps.db.selectFrom('imports').select('id').where('source_sha256', '!=', '').execute()).toHaveLength(2);
  });
});

describeEachEngine('CSV import: duplicates attached to the client they duplicate', (t) => {
  it('gives the existing client (or an earlier row\'s client, in the same batch too) the values it lacks, keeps what it has, counts the differences by field, and carries tags over', async () => {
    const org = await deployment(t());
    const existing = (await org.owner.request('POST', '/api/v1/clients', { name: 'Existing Mail', email: 'Ada@Dup.example' })).json().id as string;
    const csv = [
      'name,email,phone,date_of_birth,tags',
      'Row One,ada@dup.example,+44 7700 900555,1980-01-02,vip', // the existing client, another case: gains phone, date of birth, tag
      'Row Two,new@dup.example,,,',
      'Row Three,NEW@dup.example,+447700900777,,', // row 2 (same batch): gains the phone; the e-mail is the same
      'Row Four,other@dup.example,+44 7700 900777,,', // row 3's phone: row 2's client; its other e-mail is not taken
      'Row Five,five@dup.example,,,',
    ].join('\n');
    const res = await org.owner.request('POST', '/api/v1/imports?duplicates=attach', csv, CSV);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ imported: 2, attached: 3, attached_filled: 2, skipped_duplicates: 0, duplicates: { count: 3, rows: [1, 3, 4] }, kept_values: [{ field: 'email', rows: 1 }, { field: 'name', rows: 3 }] });
    expect(res.body).not.toMatch(/dup\.example|7700|Row /);
    const list = (await org.owner.request('GET', '/api/v1/clients?limit=50')).json().clients as Array<{ id: string; fields: { name: string } }>;
    expect(list.map((c) => c.fields.name).sort()).toEqual(['Existing Mail', 'Row Five', 'Row Two']);
    const one = (await org.owner.request('GET', `/api/v1/clients/${existing}`)).json();
    expect(one.fields).toMatchObject({ name: 'Existing Mail', email: 'Ada@Dup.example', phone: '+44 7700 900555', date_of_birth: '1980-01-02' });
    const two = list.find((c) => c.fields.name === 'Row Two')!.id;
    expect((await org.owner.request('GET', `/api/v1/clients/${two}`)).json().fields).toMatchObject({ email: 'new@dup.example', phone: '+447700900777' });
    // What was filled in is searchable, as is what the import created.
    const byPhone = (await org.owner.request('POST', '/api/v1/clients/search', { phone: '+447700900555' })).json();
    expect(byPhone.clients.map((c: { id: string }) => c.id)).toEqual([existing]);
    const byMail = (await org.owner.request('POST', '/api/v1/clients/search', { email: 'new@dup.example' })).json();
    expect(byMail.clients.map((c: { id: string }) => c.id)).toEqual([two]);
    expect((await org.owner.request('POST', '/api/v1/clients/search', { phone: '+447700900777' })).json().clients.map((c: { id: string }) => c.id)).toEqual([two]);
    // The attached row's tag went to the client it was attached to.
    const tags = await org.deps.db.selectFrom('client_tags').select('client_id').execute();
    expect(tags.map((r) => r.client_id)).toEqual([existing]);
    const attached = await org.deps.db.selectFrom('import_attachments').select(['row_number', 'client_id']).orderBy('row_number').execute();
    expect(attached.map((r) => [Number(r.row_number), r.client_id])).toEqual([[1, existing], [3, two], [4, two]]);
    expect(Number((await org.deps.db.selectFrom('imports').select('rows_attached').executeTakeFirstOrThrow()).rows_attached)).toBe(3);
    // Each client that gained values has an update event naming the fields, never the values.
    await org.deps.audit.flush?.();
    const events = [...(await org.deps.db.selectFrom('audit_log').selectAll().execute()), ...(await org.deps.db.selectFrom('audit_queue').selectAll().execute())];
    const text = JSON.stringify(events, (_, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
    expect(text).toMatch(/values added to an existing client/);
    expect(text).not.toMatch(/7700900555|1980-01-02/);
  });
});

describeEachEngine('CSV import: duplicates among the clients the importer may see', (t) => {
  it("does not compare a practitioner's rows with clients outside their caseload (no existence oracle)", async () => {
    const org = await deployment(t());
    await org.owner.request('POST', '/api/v1/clients', { name: 'Not Theirs', email: 'hidden@dup.example' });
    const practitioner = await org.signInAs('practitioner');
    const dry = await practitioner.request('POST', '/api/v1/imports?dry_run=true', 'name,email\nRow One,hidden@dup.example\nRow Two,hidden@dup.example\n', CSV);
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().duplicates).toEqual({ count: 1, rows: [2] });
    const owner = await org.owner.request('POST', '/api/v1/imports?dry_run=true', 'name,email\nRow One,hidden@dup.example\n', CSV);
    expect(owner.json().duplicates).toEqual({ count: 1, rows: [1] });
  });
});

describeEachEngine('CSV import: saved mappings and field rules', (t) => {
  it('saves the mapping of a successful import and offers it for the same header line; a dry run saves nothing', async () => {
    const org = await deployment(t());
    const header = 'Full Name,Mail,Notes';
    const mapping = { 'Full Name': 'name', Mail: 'email', Notes: 'ignore' };
    const propose = async () => (await org.owner.request('POST', '/api/v1/imports/mapping-proposal', `${header}\n`, CSV)).json();
    expect((await propose()).saved).toBeNull();
    await org.owner.request('POST', `/api/v1/imports?dry_run=true&mapping=${q(mapping)}`, `${header}\nQZ Saved,qz@saved.example,x\n`, CSV);
    expect((await propose()).saved).toBeNull();
    const imported = await org.owner.request('POST', `/api/v1/imports?mapping=${q(mapping)}`, `${header}\nQZ Saved,qz@saved.example,x\n`, CSV);
    expect(imported.statusCode, imported.body).toBe(201);
    const { saved } = await propose();
    expect(saved).toEqual({ mapping, updated_at: expect.any(Number) });
    // Another header line has no saved mapping; the stored row holds a hash and the mapping only.
    expect((await org.owner.request('POST', '/api/v1/imports/mapping-proposal', 'Full Name,Mail\n', CSV)).json().saved).toBeNull();
    const rows = await org.deps.db.selectFrom('import_mappings').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.source_key).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toMatch(/QZ|saved\.example/);
    const other = await org.anotherOrganisation();
    expect((await (await other.signInAs('owner')).request('POST', '/api/v1/imports/mapping-proposal', `${header}\n`, CSV)).json().saved).toBeNull();
  });

  it('says which proposed targets the role may write, and refuses a mapping to one it may not, naming the columns, never the values', async () => {
    const org = await deployment(t());
    const reception = await org.signInAs('reception');
    const header = 'Full Name,Mail,DOB';
    const proposal = (await reception.request('POST', '/api/v1/imports/mapping-proposal', `${header}\n`, CSV)).json();
    expect(proposal.writable).toEqual({ name: true, email: true, date_of_birth: false });
    expect(proposal.unwritable_fields).toContain('date_of_birth');
    expect((await org.owner.request('POST', '/api/v1/imports/mapping-proposal', `${header}\n`, CSV)).json().writable.date_of_birth).toBe(true);
    const csv = `${header}\nQZ Person,qz@rules.example,1990-01-01\n`;
    const refused = await reception.request('POST', `/api/v1/imports?mapping=${q(proposal.mapping.columns)}`, csv, CSV);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'IMPORT_FIELD_NOT_WRITABLE', details: { fields: ['date_of_birth'], columns: [3] } });
    expect(refused.json().error.message).toMatch(/"DOB"/);
    expect(refused.body).not.toMatch(/1990|QZ|rules\.example/);
    const background = await reception.request('POST', `/api/v1/imports?background=true&mapping=${q(proposal.mapping.columns)}`, csv, CSV);
    expect(background.json().error.code).toBe('IMPORT_FIELD_NOT_WRITABLE');
    const ignored = await reception.request('POST', `/api/v1/imports?mapping=${q({ ...proposal.mapping.columns, DOB: 'ignore' })}`, csv, CSV);
    expect(ignored.statusCode, ignored.body).toBe(201);
    expect(await org.deps.db.selectFrom('imports').select('id').where('org_id', '=', org.orgId).execute()).toHaveLength(1);
  });

  it('refuses a mapping that names a column the file lacks, naming it', async () => {
    const org = await deployment(t());
    const res = await org.owner.request('POST', `/api/v1/imports?mapping=${q({ 'Full Name': 'name', Mail: 'email', Phone: 'phone' })}`, 'Full Name,Mail\nQZ Person,qz@lacks.example\n', CSV);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/names a column the file does not have: "Phone"/);
    expect(res.body).not.toMatch(/QZ|lacks\.example/);
  });
});
