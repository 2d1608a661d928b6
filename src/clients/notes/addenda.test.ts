import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { type Browser, STAFF_PASSWORD } from '../../../test/support/http.ts';
import { useDeployment } from '../../../test/support/deployment.ts';

interface Addendum { id: string; note_id: string; author_id: string; created_at: string; text: string }
interface Note { id: string; kind: 'general' | 'session'; body: string; author_id: string; addenda: Addendum[] }

/** Addenda to notes: sealed like their note, returned with it in order, for exactly those who may read it; notes themselves never edited. */
describeEachEngine('note addenda', (t) => {
  const org = useDeployment(t);
  let clientId: string;
  let author: Browser;
  let colleague: Browser;
  let authorId: string;
  beforeAll(async () => {
    clientId = (await org.owner.request('POST', '/api/v1/clients', { name: 'Amended Person' })).json().id;
    const p = await org.addStaff('practitioner');
    const q = await org.addStaff('practitioner');
    authorId = p.id;
    author = await org.signIn(p.email);
    colleague = await org.signIn(q.email);
    for (const id of [p.id, q.id]) expect((await org.owner.request('PUT', `/api/v1/clients/${clientId}/caseload/${id}`)).statusCode).toBe(204);
  });

  const addNote = async (who: Browser, client: string, kind: 'general' | 'session', body: string) => {
    const res = await who.request('POST', `/api/v1/clients/${client}/notes`, { kind, body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Note;
  };
  const amend = (who: Browser, client: string, note: string, text: string) => who.request('POST', `/api/v1/clients/${client}/notes/${note}/addenda`, { text });
  const notesOf = async (who: Browser, client: string) => {
    const res = await who.request('GET', `/api/v1/clients/${client}/notes`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().notes as Note[];
  };
  /** The audit leaves naming `client` (as parsed arrays: [8] record ids, [9] field names), and their raw text. */
  const leavesAbout = async (client: string) => {
    await org.deps.audit.sequence();
    const subjects = await org.deps.db.selectFrom('audit_subjects').select('idx').where('record_id', '=', client).execute();
    const rows = await org.deps.db.selectFrom('audit_log').select(['leaf', 'action']).where('idx', 'in', subjects.map((s) => s.idx)).orderBy('idx').execute();
    return rows.map((r) => ({ action: r.action, raw: Buffer.from(r.leaf).toString(), leaf: JSON.parse(Buffer.from(r.leaf).toString()) as unknown[] }));
  };

  it('adds addenda to a general note, returns them in order with author and time, and leaves the original as written', async () => {
    const note = await addNote(author, clientId, 'general', 'QZORIGINALQ first assessment');
    expect(note.addenda).toEqual([]);
    const first = await amend(author, clientId, note.id, 'QZFIRSTADDQ correction: the date was the 3rd');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ note_id: note.id, author_id: authorId, text: 'QZFIRSTADDQ correction: the date was the 3rd' });
    expect(Date.parse(first.json().created_at)).not.toBeNaN();
    // Whoever may write notes for the client may amend a general note, not only its author.
    const second = await amend(colleague, clientId, note.id, 'QZSECONDADDQ seen again, agrees');
    expect(second.statusCode, second.body).toBe(201);
    const third = await amend(org.owner, clientId, note.id, 'QZTHIRDADDQ reviewed');
    expect(third.statusCode, third.body).toBe(201);

    for (const reader of [author, colleague, org.owner]) {
      const read = (await notesOf(reader, clientId)).find((n) => n.id === note.id)!;
      expect(read.body).toBe('QZORIGINALQ first assessment');
      expect(read.addenda.map((a) => a.text)).toEqual(['QZFIRSTADDQ correction: the date was the 3rd', 'QZSECONDADDQ seen again, agrees', 'QZTHIRDADDQ reviewed']);
      expect(read.addenda.map((a) => a.id)).toEqual([first.json().id, second.json().id, third.json().id]);
      expect(read.addenda[0]!.author_id).toBe(authorId);
      expect(read.addenda[2]!.author_id).toBe(org.ownerId);
    }
    // The note's row is as it was: the same ciphertext, never rewritten by an addendum.
    const noteRows = await org.deps.db.selectFrom('notes').select('body_ct').where('id', '=', note.id).execute();
    expect(noteRows).toHaveLength(1);
    // Sealed at rest: the raw rows hold no plaintext, and the text is bound to its own id and the client's key.
    const rows = await org.deps.db.selectFrom('note_addenda').selectAll().where('note_id', '=', note.id).execute();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({ org_id: org.orgId, client_id: clientId, kind: 'general' });
      expect(Buffer.from(row.text_ct).toString('latin1')).not.toContain('ADDQ');
      await expect(org.deps.keyring.dataKey(org.orgId, clientId, row.text_ct)).resolves.toBeDefined();
    }
  });

  it('lets only the author amend a session note; to everyone else it does not exist, and the rest are refused as note rules answer', async () => {
    const note = await addNote(author, clientId, 'session', 'QZSESSIONBODYQ');
    const mine = await amend(author, clientId, note.id, 'QZSESSIONADDQ later thought');
    expect(mine.statusCode, mine.body).toBe(201);
    // A colleague on the caseload and the owner (who may write notes) get 404: the note is not theirs to know.
    for (const other of [colleague, org.owner]) {
      const res = await amend(other, clientId, note.id, 'QZINTRUDERQ');
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
      const read = await notesOf(other, clientId);
      expect(JSON.stringify(read)).not.toContain('QZSESSION');
    }
    // Roles without client.notes: 403 at the route gate; a practitioner off the caseload: 404 from the gate.
    for (const role of ['reception', 'admin', 'billing', 'auditor'] as const) expect((await amend(await org.signInAs(role), clientId, note.id, 'x')).statusCode, role).toBe(403);
    expect((await amend(await org.signInAs('practitioner'), clientId, note.id, 'x')).statusCode).toBe(404);
    // No such note, or a note of another client: 404.
    expect((await amend(author, clientId, '00000000-0000-4000-8000-000000000000', 'x')).statusCode).toBe(404);
    const elsewhere = (await org.owner.request('POST', '/api/v1/clients', { name: 'Other Person' })).json().id as string;
    const otherNote = await addNote(org.owner, elsewhere, 'general', 'other client note');
    expect((await amend(org.owner, clientId, otherNote.id, 'x')).statusCode).toBe(404);
    expect(await org.deps.db.selectFrom('note_addenda').select('id').where('note_id', '=', otherNote.id).execute()).toEqual([]);

    const read = (await notesOf(author, clientId)).find((n) => n.id === note.id)!;
    expect(read).toMatchObject({ body: 'QZSESSIONBODYQ', addenda: [{ author_id: authorId, text: 'QZSESSIONADDQ later thought' }] });
    // Under the session note's own key, not the client's; no plaintext in the row (or, on SQLite, the file).
    const row = await org.deps.db.selectFrom('note_addenda').selectAll().where('note_id', '=', note.id).executeTakeFirstOrThrow();
    expect(row.kind).toBe('session');
    expect(Buffer.from(row.text_ct).toString('latin1')).not.toContain('QZSESSIONADDQ');
    await expect(org.deps.keyring.dataKey(org.orgId, note.id, row.text_ct)).resolves.toBeDefined();
    await expect(org.deps.keyring.dataKey(org.orgId, clientId, row.text_ct)).rejects.toThrow();
    if (t().engine === 'sqlite') {
      const raw = readdirSync(t().dataDir).filter((f) => f.startsWith('confidant.db')).map((f) => readFileSync(path.join(t().dataDir, f)).toString('latin1')).join('');
      for (const canary of ['QZSESSIONADDQ', 'QZFIRSTADDQ', 'QZINTRUDERQ']) expect(raw).not.toContain(canary);
    }
  });

  it('refuses a card number in an addendum, naming the field, and stores nothing', async () => {
    const note = await addNote(author, clientId, 'general', 'billing conversation');
    const res = await amend(author, clientId, note.id, 'paid with 4111 1111 1111 1111 today');
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'CARD_DATA_REFUSED', details: { fields: ['text'] } });
    expect(res.body).not.toContain('4111');
    expect(org.app.logText()).not.toContain('4111 1111 1111 1111');
    expect(await org.deps.db.selectFrom('note_addenda').select('id').where('note_id', '=', note.id).execute()).toEqual([]);
    expect((await amend(author, clientId, note.id, '')).statusCode).toBe(400);
  });

  it('audits an addendum and the read that returns it by ids and field names, never the text', async () => {
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Audited Addenda' })).json().id as string;
    for (const who of [author, colleague]) await org.owner.request('PUT', `/api/v1/clients/${client}/caseload/${who.userId}`);
    const general = await addNote(author, client, 'general', 'QZAUDITNOTEQ');
    const session = await addNote(author, client, 'session', 'QZAUDITSESSIONQ');
    expect((await amend(author, client, general.id, 'QZAUDITADDQ')).statusCode).toBe(201);
    expect((await amend(author, client, session.id, 'QZAUDITSESSIONADDQ')).statusCode).toBe(201);
    expect((await amend(colleague, client, session.id, 'QZPROBEQ')).statusCode).toBe(404);
    await notesOf(author, client);
    const leaves = await leavesAbout(client);
    for (const l of leaves) expect(l.raw).not.toMatch(/QZ[A-Z]+Q/);
    const fieldsOf = (action: string) => leaves.filter((l) => l.action === action).map((l) => l.leaf[9] as string[]);
    expect(fieldsOf('client.update')).toEqual(expect.arrayContaining([['note_addenda'], ['session_note_addenda']]));
    // The other author's attempt on a session note is a denial naming the client.
    const denied = leaves.filter((l) => l.action === 'access.denied');
    expect(denied.map((l) => [l.leaf[8], l.leaf[9]])).toEqual([[[client], ['session_note_addenda']]]);
    // The read names every part it returned: notes, session notes and the addenda of each.
    const reads = fieldsOf('client.read');
    expect(reads.at(-1)).toEqual(['note_addenda', 'notes', 'session_note_addenda', 'session_notes']);
    // The colleague's read returns no session note, so it names no session part.
    await notesOf(colleague, client);
    expect((await leavesAbout(client)).filter((l) => l.action === 'client.read').at(-1)!.leaf[9]).toEqual(['note_addenda', 'notes']);
  });

  it('makes addenda unreadable when the client is erased: session-note keys go with the client, general-note addenda with its key', async () => {
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Erase With Addenda' })).json().id as string;
    const general = await addNote(org.owner, client, 'general', 'general before erasure');
    const session = await addNote(org.owner, client, 'session', 'session before erasure');
    expect((await amend(org.owner, client, general.id, 'QZERASEGENQ')).statusCode).toBe(201);
    expect((await amend(org.owner, client, session.id, 'QZERASESESSQ')).statusCode).toBe(201);
    // A copy of the rows as a backup would hold them.
    const copy = await org.deps.db.selectFrom('note_addenda').selectAll().where('client_id', '=', client).orderBy('kind').execute();
    expect(copy.map((r) => r.kind)).toEqual(['general', 'session']);
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    const erased = await org.owner.request('DELETE', `/api/v1/clients/${client}`, { reason: 'subject_request' });
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json().destroyed).toEqual(expect.arrayContaining([{ data: 'General-note addenda', records: 1 }, { data: 'Session-note addenda', records: 1 }]));
    expect(await org.deps.db.selectFrom('note_addenda').select('id').where('client_id', '=', client).execute()).toEqual([]);
    expect(await org.vault.keystore.db.selectFrom('data_keys').select('owner_id').where('owner_id', 'in', [client, session.id]).execute()).toEqual([]);
    // The keys destroyed are the client's and the session note's: an addendum has no key of its own to name in the ledger.
    const ledger = (await org.deps.keyring.erasureLedger()).map((e) => e.owner_id);
    expect(ledger).toEqual(expect.arrayContaining([client, session.id]));
    for (const row of copy) expect(ledger).not.toContain(row.id);
    org.deps.keyring.clearCache();
    await expect(org.deps.keyring.dataKey(org.orgId, client, copy[0]!.text_ct)).rejects.toThrow();
    await expect(org.deps.keyring.dataKey(org.orgId, session.id, copy[1]!.text_ct)).rejects.toThrow();
  });

  it('moves addenda with their notes when two clients are merged', async () => {
    const keep = (await org.owner.request('POST', '/api/v1/clients', { name: 'Merge Keep' })).json().id as string;
    const dup = (await org.owner.request('POST', '/api/v1/clients', { name: 'Merge Dup' })).json().id as string;
    for (const c of [keep, dup]) await org.owner.request('PUT', `/api/v1/clients/${c}/caseload/${authorId}`);
    const general = await addNote(author, dup, 'general', 'dup general');
    const session = await addNote(author, dup, 'session', 'dup session');
    expect((await amend(author, dup, general.id, 'QZMERGEGENQ')).statusCode).toBe(201);
    expect((await amend(author, dup, session.id, 'QZMERGESESSQ')).statusCode).toBe(201);
    const before = await org.deps.db.selectFrom('note_addenda').selectAll().where('client_id', '=', dup).orderBy('kind').execute();
    await org.owner.request('POST', '/api/v1/auth/step-up', { password: STAFF_PASSWORD });
    expect((await org.owner.request('POST', `/api/v1/clients/${keep}/merge`, { duplicate_id: dup })).statusCode).toBe(204);
    const after = await org.deps.db.selectFrom('note_addenda').selectAll().where('note_id', 'in', [general.id, session.id]).orderBy('kind').execute();
    expect(after.map((r) => [r.client_id, r.kind])).toEqual([[keep, 'general'], [keep, 'session']]);
    // The general note's addendum is re-sealed under the kept client's key; the session note's keeps its note's key.
    expect(Buffer.from(after[0]!.text_ct).equals(Buffer.from(before[0]!.text_ct))).toBe(false);
    expect(Buffer.from(after[1]!.text_ct).equals(Buffer.from(before[1]!.text_ct))).toBe(true);
    await expect(org.deps.keyring.dataKey(org.orgId, keep, after[0]!.text_ct)).resolves.toBeDefined();
    const notes = await notesOf(author, keep);
    expect(notes.find((n) => n.id === general.id)!.addenda.map((a) => a.text)).toEqual(['QZMERGEGENQ']);
    expect(notes.find((n) => n.id === session.id)!.addenda.map((a) => a.text)).toEqual(['QZMERGESESSQ']);
    expect(await org.deps.db.selectFrom('note_addenda').select('id').where('client_id', '=', dup).execute()).toEqual([]);
  });

  it('has no route that edits or deletes a note: the only writes on notes add a note or an addendum', async () => {
    const onNotes = org.app.routes.filter((r) => r.url.includes('/notes'));
    expect(onNotes.filter((r) => !['GET', 'HEAD', 'POST'].includes(r.method))).toEqual([]);
    expect(onNotes.filter((r) => r.method === 'POST').map((r) => r.url).sort()).toEqual(['/api/v1/clients/:id/notes', '/api/v1/clients/:id/notes/:noteId/addenda']);
    // Nor does anything else answer an edit of a note: the text stays as written.
    const note = await addNote(author, clientId, 'general', 'QZUNCHANGEDQ');
    for (const method of ['PATCH', 'PUT', 'DELETE'] as const) {
      for (const url of [`/api/v1/clients/${clientId}/notes/${note.id}`, `/api/v1/clients/${clientId}/notes`, `/api/v1/clients/${clientId}/notes/${note.id}/addenda`]) {
        expect((await org.owner.request(method, url, { body: 'QZEDITEDQ', text: 'QZEDITEDQ' })).statusCode, `${method} ${url}`).toBe(404);
      }
    }
    const read = (await notesOf(author, clientId)).find((n) => n.id === note.id)!;
    expect(read).toMatchObject({ body: 'QZUNCHANGEDQ', addenda: [] });
  });
});
