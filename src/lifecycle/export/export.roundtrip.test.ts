import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { operatorContext } from '../../audit/log/operator.ts';
import { defineCustomField } from '../../clients/records/custom-field.service.ts';
import { importClientsWithExtras } from '../../clients/import/import.extras.ts';
import { importClientsCsv, proposeImportMapping } from '../../clients/import/import.service.ts';
import { isAppError } from '../../platform/errors/app-error.ts';
import type { ClientDeps } from '../../clients/records/index.ts';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';
import { visibleTags } from '../../clients/records/index.ts';
import { encryptExport, exportClients } from './export.service.ts';

const operator = () => ({ kind: 'operator' as const, ctx: operatorContext() });

async function text(lines: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const line of lines) out += line;
  return out;
}

function csvFile(content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'confidant-roundtrip-')), 'export.csv');
  writeFileSync(file, content);
  return file;
}

/** Every client as the JSON lines export shows it, keyed by name, without what a new organisation renews (ids, creation time). */
async function clientsOf(deps: ClientDeps, orgId: string): Promise<Record<string, Record<string, unknown>>> {
  const lines = (await text(exportClients(deps, orgId, operator(), 'json', 'migration', { plaintext: true }))).trim().split('\n');
  return Object.fromEntries(
    lines.map((l) => {
      const { id: _id, created_at: _created, contact_preferences: _prefs, tags, sensitive_tags, caseload, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return [rest.name as string, { ...rest, tags: [...(tags as string[])].sort(), sensitive_tags: [...(sensitive_tags as string[])].sort(), caseload: [...(caseload as string[])].sort() }];
    }),
  );
}

async function defineFields(deps: ClientDeps, orgId: string): Promise<void> {
  await defineCustomField(deps.db, orgId, { name: 'referrer', label: 'Referred by', kind: 'text', classification: 'internal', purpose: 'thank whoever sent the client' });
  await defineCustomField(deps.db, orgId, { name: 'insurer_ref', label: 'Insurer reference', kind: 'text', classification: 'confidential', purpose: 'bill the insurer' });
  // Custom fields of every other kind: structured values (an address, identifiers) as well as plain ones.
  await defineCustomField(deps.db, orgId, { name: 'billing_address', label: 'Billing address', kind: 'address', classification: 'confidential', purpose: 'send invoices to the payer' });
  await defineCustomField(deps.db, orgId, { name: 'payer_ids', label: 'Payer references', kind: 'identifiers', classification: 'confidential', purpose: 'bill the payer' });
  await defineCustomField(deps.db, orgId, { name: 'first_session', label: 'First session', kind: 'date', classification: 'internal', purpose: 'know how long the client has come' });
  await defineCustomField(deps.db, orgId, { name: 'payer_email', label: 'Payer e-mail', kind: 'email', classification: 'confidential', purpose: 'send invoices to the payer' });
}

/** Issue 17: export an organisation, import the file into a fresh one, get the same clients. */
describeEachEngine('export → import round trip', (t) => {
  it('brings back every exportable field, tags, custom values and caseloads, formula-looking values unchanged', async () => {
    const { Decrypter } = await import('age-encryption');
    const org = await deployment(t());
    await defineFields(org.deps, org.orgId);
    const pat = await org.addStaff('practitioner', 'pat@roundtrip.example');
    const sam = await org.addStaff('practitioner', 'sam@roundtrip.example');
    const vip = (await org.owner.request('POST', '/api/v1/tags', { name: 'VIP' })).json().id;
    const diagnosis = (await org.owner.request('POST', '/api/v1/tags', { name: 'Diagnosis; F32 \\ mild', sensitive: true })).json().id;
    const full = {
      name: 'Ada Lovelace',
      preferred_name: "'quoted",
      email: 'ada@example.org',
      phone: '+44 20 7946 0958',
      postal_address: { line1: '=SUM(A1)', line2: '-5', city: '@home', region: 'Greater London', postcode: 'N1 9GU', country: 'GB' },
      date_of_birth: '1815-12-10',
      identifiers: [
        { scheme: 'nhs', value: '943 476 5919' },
        { scheme: 'insurer', value: '+44; x:y \\ z' },
      ],
      contact_preferences: { reminders: true, channels: ['email'], voicemail: false },
      status: 'inactive',
      custom: {
        referrer: '@home',
        insurer_ref: "'quoted",
        billing_address: { line1: '=1 Payer Road', city: 'Leeds', postcode: 'LS1 1AA', country: 'GB' },
        payer_ids: [{ scheme: 'insurer', value: 'AXA-77; b' }],
        first_session: '2020-01-31',
        payer_email: 'payer@example.org',
      },
    };
    const clients = [
      full,
      { name: '=SUM(A1)', preferred_name: '-5', phone: '+44 7700 900123', status: 'lead', custom: { referrer: '=HYPERLINK("x")' } },
      { name: '@home', email: 'home@example.org' },
    ];
    const ids: string[] = [];
    for (const c of clients) {
      const res = await org.owner.request('POST', '/api/v1/clients', c);
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
    }
    for (const [client, tag] of [[ids[0]!, vip], [ids[0]!, diagnosis], [ids[1]!, diagnosis]] as const) expect((await org.owner.request('PUT', `/api/v1/clients/${client}/tags/${tag}`)).statusCode).toBe(204);
    for (const [client, user] of [[ids[0]!, pat.id], [ids[0]!, sam.id], [ids[2]!, sam.id]] as const) expect((await org.owner.request('PUT', `/api/v1/clients/${client}/caseload/${user}`)).statusCode).toBe(204);
    expect((await org.owner.request('POST', `/api/v1/clients/${ids[0]}/notes`, { body: 'QZSESSIONROUNDTRIPQ', kind: 'session' })).statusCode).toBe(201);
    const before = await clientsOf(org.deps, org.orgId);
    expect(before['Ada Lovelace']!.tags).toEqual(['VIP']);
    expect(before['Ada Lovelace']!.sensitive_tags).toEqual(['Diagnosis; F32 \\ mild']);
    expect(before['Ada Lovelace']!.caseload).toEqual(['pat@roundtrip.example', 'sam@roundtrip.example']);

    // An admin (labels up to confidential) exports the tags it may see: the sensitive one stays behind.
    const admin = await org.addStaff('admin');
    const asAdmin = { kind: 'user' as const, actor: { userId: admin.id, orgId: org.orgId, role: 'admin' as const, via: 'session' as const }, ctx: { actorType: 'user' as const, actorId: admin.id, requestId: null, ip: null } };
    const byAdmin = await text(exportClients(org.deps, org.orgId, asAdmin, 'csv', 'migration', { plaintext: true }));
    expect(byAdmin).toContain('"VIP"');
    expect(byAdmin).not.toContain('Diagnosis');
    expect(byAdmin.split('\n')[0]).toContain('"tags","sensitive_tags"');
    const plaintext = await text(exportClients(org.deps, org.orgId, operator(), 'csv', 'migration', { plaintext: true }));
    // Through age and back: the same file.
    const encrypted = await encryptExport(exportClients(org.deps, org.orgId, operator(), 'csv', 'migration'), 'a long export passphrase');
    const chunks: Uint8Array[] = [];
    for await (const chunk of encrypted) chunks.push(chunk);
    const decrypter = new Decrypter();
    decrypter.addPassphrase('a long export passphrase');
    const decrypted = await decrypter.decrypt(new Uint8Array(Buffer.concat(chunks)), 'text');
    expect(decrypted).toBe(plaintext);
    expect(plaintext).not.toContain('QZSESSIONROUNDTRIPQ');
    expect(plaintext).toContain(`"'=SUM(A1)"`);
    expect(plaintext).toContain(`"''quoted"`);

    // Another installation: the same staff e-mails (unique per database, so the first organisation's are moved aside).
    await org.deps.db.updateTable('users').set({ email: 'moved-pat@roundtrip.example' }).where('id', '=', pat.id).execute();
    await org.deps.db.updateTable('users').set({ email: 'moved-sam@roundtrip.example' }).where('id', '=', sam.id).execute();
    const fresh = await org.anotherOrganisation();
    await defineFields(fresh.deps, fresh.orgId);
    await fresh.addStaff('practitioner', 'pat@roundtrip.example');
    await fresh.addStaff('practitioner', 'sam@roundtrip.example');

    // A Confidant export needs no manual step: the proposal maps every column, nothing to review.
    const headers = plaintext.split('\n')[0]!.split(',').map((h) => JSON.parse(h) as string);
    const proposal = await proposeImportMapping(fresh.deps.db, fresh.orgId, headers);
    expect(proposal.review).toEqual({});
    expect(proposal.unresolved).toBeUndefined();
    expect(Object.entries(proposal.columns).filter(([, target]) => target === 'ignore').map(([h]) => h)).toEqual(['confidant_id', 'confidant_created_at', 'confidant_contact_preferences']);
    expect(Object.entries(proposal.columns).filter(([h, target]) => h !== target && target !== 'ignore')).toEqual([]);

    // The import without its tags-and-caseloads step refuses those columns rather than drop them.
    const plain = await importClientsCsv(fresh.deps, { operator: operatorContext() }, fresh.orgId, csvFile(decrypted)).catch((e: unknown) => e);
    expect(isAppError(plain) && plain.message).toContain('which this import does not apply');
    const report = await importClientsWithExtras(fresh.deps, { operator: operatorContext() }, fresh.orgId, csvFile(decrypted), { workers: 1 });
    expect(report.errors).toEqual([]);
    expect(report.imported).toBe(3);
    expect(report.ignored_columns).toEqual(['confidant_id', 'confidant_created_at', 'confidant_contact_preferences']);
    expect(report.extras).toEqual({ tags_created: 2, tagged: 2, caseload_entries: 3 });
    const after = await clientsOf(fresh.deps, fresh.orgId);
    expect(after).toEqual(before);
    expect(after['Ada Lovelace']!.custom).toEqual(full.custom);
    expect(after['=SUM(A1)']!.preferred_name).toBe('-5');
    // Each tag comes back with its own sensitivity: the export lists the sensitive ones apart.
    const definitions = async (deps: ClientDeps, orgId: string) => (await visibleTags(deps, { userId: '', orgId, role: 'owner', via: 'session' })).map(({ name, sensitive }) => ({ name, sensitive })).sort((a, b) => a.name.localeCompare(b.name));
    expect(await definitions(fresh.deps, fresh.orgId)).toEqual([{ name: 'Diagnosis; F32 \\ mild', sensitive: true }, { name: 'VIP', sensitive: false }]);
    expect(await definitions(fresh.deps, fresh.orgId)).toEqual(await definitions(org.deps, org.orgId));
  });

  it('refuses a caseload e-mail that is not a staff member (row and column named, not the e-mail), and a custom field the organisation lacks', async () => {
    const org = await deployment(t());
    await defineFields(org.deps, org.orgId);
    await org.addStaff('practitioner', 'kim@roundtrip.example');
    await org.owner.request('POST', '/api/v1/clients', { name: 'Kim Client', custom: { referrer: 'a friend' } });
    const id = (await org.owner.request('POST', '/api/v1/clients', { name: 'Lee Client' })).json().id;
    const kim = (await org.deps.db.selectFrom('users').select('id').where('email', '=', 'kim@roundtrip.example').executeTakeFirstOrThrow()).id;
    await org.owner.request('PUT', `/api/v1/clients/${id}/caseload/${kim}`);
    const csv = await text(exportClients(org.deps, org.orgId, operator(), 'csv', 'migration', { plaintext: true }));

    const fresh = await org.anotherOrganisation();
    const noFields = await importClientsWithExtras(fresh.deps, { operator: operatorContext() }, fresh.orgId, csvFile(csv)).catch((e: unknown) => e);
    expect(isAppError(noFields) && noFields.code).toBe('VALIDATION_FAILED');
    expect((noFields as Error).message).toContain('custom field this organisation has not defined');
    await defineFields(fresh.deps, fresh.orgId);
    // A signed-in importer who may not define tags cannot bring new ones in (checked before any row is written).
    const desk = await fresh.addStaff('reception');
    const asDesk = { actor: { userId: desk.id, orgId: fresh.orgId, role: 'reception' as const, via: 'session' as const }, ctx: { actorType: 'user' as const, actorId: desk.id, requestId: null, ip: null } };
    const tagged = 'confidant_id,name,tags\nx,Tagged Person,VIP\n';
    const refused = await importClientsWithExtras(fresh.deps, asDesk, fresh.orgId, csvFile(tagged)).catch((e: unknown) => e);
    expect(isAppError(refused) && refused.code).toBe('FORBIDDEN');
    const unknown = await importClientsWithExtras(fresh.deps, { operator: operatorContext() }, fresh.orgId, csvFile(csv)).catch((e: unknown) => e);
    expect(isAppError(unknown) && unknown.code).toBe('VALIDATION_FAILED');
    const message = (unknown as Error).message;
    expect(message).toMatch(/^row \d: the column "caseload" names an e-mail that is not a staff member/);
    expect(message).not.toContain('kim@');
    const count = await fresh.deps.db.selectFrom('clients').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', fresh.orgId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it('creates a tag sensitive unless the file is a Confidant export that lists its sensitive tags apart', async () => {
    const org = await deployment(t());
    const files = {
      // A foreign file, even one with a sensitive_tags column: the safe guess for its plain tags.
      foreign: 'name,tags,sensitive_tags\nA Person,Foreign Plain,Foreign Marked\n',
      // A Confidant export made before sensitive tags had their own column: its tags may name a diagnosis.
      older: 'confidant_id,name,tags\nx,B Person,Older Tag\n',
      current: 'confidant_id,name,tags,sensitive_tags\ny,C Person,Current Plain,Current Marked; Current Plain\n',
    };
    for (const csv of Object.values(files)) {
      const report = await importClientsWithExtras(org.deps, { operator: operatorContext() }, org.orgId, csvFile(csv), { workers: 1 });
      expect(report.errors).toEqual([]);
    }
    const tags = Object.fromEntries((await visibleTags(org.deps, { userId: '', orgId: org.orgId, role: 'owner', via: 'session' })).map((x) => [x.name, x.sensitive]));
    // A name in both lists is sensitive.
    expect(tags).toEqual({ 'Foreign Plain': true, 'Foreign Marked': true, 'Older Tag': true, 'Current Plain': true, 'Current Marked': true });
    const plain = await importClientsWithExtras(org.deps, { operator: operatorContext() }, org.orgId, csvFile('confidant_id,name,tags,sensitive_tags\nz,D Person,Really Plain,\n'), { workers: 1 });
    expect(plain.extras.tags_created).toBe(1);
    expect((await visibleTags(org.deps, { userId: '', orgId: org.orgId, role: 'owner', via: 'session' })).find((x) => x.name === 'Really Plain')?.sensitive).toBe(false);
  });
});
