import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { type Browser, STAFF_PASSWORD } from '../../../test/support/http.ts';
import { deployment, useDeployment } from '../../../test/support/deployment.ts';

/** Notes (general and session notes, card data refused in them) and the audit of what a read of a client's notes, activities and invoices returned. */
describeEachEngine('notes and card data', (t) => {
  const org = useDeployment(t);
  let clientId: string;
  let practitioner: Browser;
  let colleague: Browser;
  beforeAll(async () => {
    clientId = (await org.owner.request('POST', '/api/v1/clients', { name: 'Noted Person' })).json().id;
    const p = await org.addStaff('practitioner');
    const q = await org.addStaff('practitioner');
    practitioner = await org.signIn(p.email);
    colleague = await org.signIn(q.email);
    for (const id of [p.id, q.id]) expect((await org.owner.request('PUT', `/api/v1/clients/${clientId}/caseload/${id}`)).statusCode).toBe(204);
  });

  it('refuses a card number in a note and in any client field, naming the field; accepts short numbers', async () => {
    const note = await practitioner.request('POST', `/api/v1/clients/${clientId}/notes`, { body: 'client paid by card 4111 1111 1111 1111' });
    expect(note.statusCode).toBe(422);
    expect(note.json().error).toMatchObject({ code: 'CARD_DATA_REFUSED', details: { fields: ['body'] } });
    expect(note.body).not.toContain('4111');
    expect((await practitioner.request('POST', `/api/v1/clients/${clientId}/notes`, { body: 'call on 4111 1111 after six' })).statusCode).toBe(201);
    const client = await org.owner.request('POST', '/api/v1/clients', { name: 'Card Holder', postal_address: { line1: '5555-5555-5555-4444 Street' } });
    expect(client.statusCode).toBe(422);
    expect(client.json().error.details.fields).toEqual(['postal_address.line1']);
    const patch = await org.owner.request('PATCH', `/api/v1/clients/${clientId}`, { preferred_name: '378282246310005' });
    expect(patch.json().error.code).toBe('CARD_DATA_REFUSED');
    // Nor does a refused card number reach the log.
    for (const digits of ['4111 1111 1111 1111', '4111111111111111', '378282246310005', '5555-5555-5555-4444']) expect(org.app.logText()).not.toContain(digits);
  });

  it('keeps session notes for their author only, sealed under their own key; general notes for the clinical team', async () => {
    const secret = 'QZSESSIONNOTEQ client spoke about their childhood';
    expect((await practitioner.request('POST', `/api/v1/clients/${clientId}/notes`, { kind: 'session', body: secret })).statusCode).toBe(201);
    expect((await practitioner.request('POST', `/api/v1/clients/${clientId}/notes`, { kind: 'general', body: 'prefers morning appointments' })).statusCode).toBe(201);
    const mine = (await practitioner.request('GET', `/api/v1/clients/${clientId}/notes`)).json().notes;
    expect(mine.map((n: { kind: string }) => n.kind)).toContain('session');
    for (const reader of [colleague, org.owner]) {
      const theirs = (await reader.request('GET', `/api/v1/clients/${clientId}/notes`)).json().notes;
      expect(theirs.some((n: { body: string }) => n.body.includes('QZSESSIONNOTEQ'))).toBe(false);
      expect(theirs.some((n: { body: string }) => n.body === 'prefers morning appointments')).toBe(true);
    }
    const reception = await org.signInAs('reception');
    expect((await reception.request('GET', `/api/v1/clients/${clientId}/notes`)).statusCode).toBe(403);
    const admin = await org.signInAs('admin');
    expect((await admin.request('GET', `/api/v1/clients/${clientId}/notes`)).statusCode).toBe(403);

    // Its own key: the note is not under the client's data key.
    const row = await org.deps.db.selectFrom('notes').selectAll().where('kind', '=', 'session').executeTakeFirstOrThrow();
    const keys = await org.vault.keystore.db.selectFrom('data_keys').select('owner_id').where('owner_id', '=', row.id).execute();
    expect(keys).toHaveLength(1);
    if (t().engine === 'sqlite') {
      const raw = readdirSync(t().dataDir).filter((f) => f.startsWith('confidant.db')).map((f) => readFileSync(path.join(t().dataDir, f)).toString('latin1')).join('');
      expect(raw).not.toContain('QZSESSIONNOTEQ');
    }
  });

  it('destroys session-note keys with the client on erasure', async () => {
    const id = (await org.owner.request('POST', '/api/v1/clients', { name: 'Erase With Notes' })).json().id;
    await org.owner.request('POST', `/api/v1/clients/${id}/notes`, { kind: 'session', body: 'owner-as-therapist session note' });
    const note = await org.deps.db.selectFrom('notes').select('id').where('client_id', '=', id).executeTakeFirstOrThrow();
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await org.owner.request('DELETE', `/api/v1/clients/${id}`, { reason: 'subject_request' })).statusCode).toBe(200);
    expect(await org.vault.keystore.db.selectFrom('data_keys').select('owner_id').where('owner_id', 'in', [id, note.id]).execute()).toEqual([]);
    expect(await org.deps.db.selectFrom('notes').select('id').where('client_id', '=', id).execute()).toEqual([]);
  });
});

describeEachEngine('reads of notes, activities and invoices', (t) => {
  it('audits each read with the parts read, before returning it', async () => {
    const org = await deployment(t());
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Audited Reads' })).json().id as string;
    await org.owner.request('POST', `/api/v1/clients/${client}/notes`, { body: 'a general note' });
    await org.owner.request('POST', `/api/v1/clients/${client}/activities`, { kind: 'interaction', channel: 'call', direction: 'inbound', details: { summary: 'rang' } });
    await org.owner.request('POST', `/api/v1/clients/${client}/invoices`, { currency: 'GBP', items: [{ description: 'session', quantity: 1, unit_minor: 100 }] });
    const readParts = async () => {
      await org.deps.audit.sequence();
      const subjects = await org.deps.db.selectFrom('audit_subjects').select('idx').where('record_id', '=', client).execute();
      const leaves = await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', 'client.read').where('idx', 'in', subjects.map((x) => x.idx)).execute();
      return leaves.flatMap((l) => JSON.parse(Buffer.from(l.leaf).toString())[9] as string[]);
    };
    expect(await readParts()).not.toEqual(expect.arrayContaining(['notes'])); // creating them read nothing of them
    for (const part of ['notes', 'timeline', 'invoices']) expect((await org.owner.request('GET', `/api/v1/clients/${client}/${part}`)).statusCode).toBe(200);
    expect(await readParts()).toEqual(expect.arrayContaining(['notes', 'activities', 'activity_details', 'invoices']));
  });
});
