import { randomUUID } from 'node:crypto';
import { openField, sealField } from '../../platform/datamap/index.ts';
import { type Caller, requireClient } from '../records/index.ts';
import { type ClientDeps, clientEvent } from '../records/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { codecOf, entryOf, placeOf } from '../../datamap/index.ts';
import { insertNote, listReadableNotes } from './notes.store.ts';

/** General notes are under the client's key, session notes under keys of their own (the data map's two note entries). */
const NOTE = entryOf('notes.body_ct:general');
const BODY = codecOf(NOTE);
const notePlace = (orgId: string, id: string) => placeOf(NOTE, orgId, { id });

export type NoteKind = 'general' | 'session';
export const MAX_NOTE_LENGTH = 64 * 1024;

export interface NoteView {
  id: string;
  kind: NoteKind;
  author_id: string;
  created_at: string;
  body: string;
}


/**
 * Adds a note. General notes are sealed under the client's key; session notes (psychotherapy notes)
 * under a key of their own, and only their author will ever read them. Card numbers are refused.
 * Caller holds `client.notes` for the client (practitioners: on their caseload).
 */
export async function addNote(deps: ClientDeps, caller: Caller, clientId: string, input: { kind: NoteKind; body: string }, now = Date.now()): Promise<NoteView> {
  await requireClient(deps, caller, 'client.notes', clientId, ['notes']);
  refuseCardData({ body: input.body });
  const id = randomUUID();
  const { orgId } = caller.actor;
  const key = input.kind === 'session' ? await deps.keyring.createDataKey(orgId, id) : await deps.keyring.dataKey(orgId, clientId);
  const body_ct = sealField(key, notePlace(orgId, id), BODY, input.body);
  await deps.db.transaction().execute(async (tx) => {
    await insertNote(tx, { id, org_id: orgId, client_id: clientId, author_id: caller.actor.userId, kind: input.kind, body_ct, created_at: now });
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [clientId], [input.kind === 'session' ? 'session_notes' : 'notes'], now));
  });
  return { id, kind: input.kind, author_id: caller.actor.userId, created_at: new Date(now).toISOString(), body: input.body };
}

/**
 * The client's notes the caller may read: general notes, and session notes they wrote themselves —
 * nobody else's session notes, whatever their role. The read is audited before it is returned.
 */
export async function listNotes(deps: ClientDeps, caller: Caller, clientId: string): Promise<NoteView[]> {
  await requireClient(deps, caller, 'client.notes', clientId, ['notes']);
  const { orgId, userId } = caller.actor;
  const rows = await listReadableNotes(deps.db, orgId, clientId, userId);
  const notes: NoteView[] = [];
  for (const row of rows) {
    const key = await deps.keyring.dataKey(orgId, row.kind === 'session' ? row.id : clientId, row.body_ct);
    notes.push({ id: row.id, kind: row.kind, author_id: row.author_id, created_at: new Date(row.created_at).toISOString(), body: openField(key, notePlace(orgId, row.id), BODY, row.body_ct) as string });
  }
  const kinds = [...new Set(notes.map((n) => (n.kind === 'session' ? 'session_notes' : 'notes')))];
  await deps.audit.append(clientEvent(caller.ctx, orgId, 'client.read', [clientId], kinds.length ? kinds : ['notes']));
  return notes;
}
