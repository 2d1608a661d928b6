import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { openField, sealField } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { type Caller, requireClient } from '../records/index.ts';
import { type ClientDeps, clientEvent } from '../records/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { codecOf, entryOf, placeOf } from '../../datamap/index.ts';
import { deniedEvent } from '../../access/gate/index.ts';
import { refreshContactDates } from '../contact-dates/index.ts';
import { findNote, insertAddendum, insertNote, isClientAppointment, listAddendaOf, listReadableNotes } from './notes.store.ts';

/** General notes are under the client's key, session notes under keys of their own (the data map's two note entries). */
const NOTE = entryOf('notes.body_ct:general');
const BODY = codecOf(NOTE);
const notePlace = (orgId: string, id: string) => placeOf(NOTE, orgId, { id });
/** Addenda are sealed under their note's key (the client's, or the session note's own), each bound to its own id. */
const ADDENDUM = entryOf('note_addenda.text_ct:general');
const TEXT = codecOf(ADDENDUM);
const addendumPlace = (orgId: string, id: string) => placeOf(ADDENDUM, orgId, { id });

export type NoteKind = 'general' | 'session';
export const MAX_NOTE_LENGTH = 64 * 1024;
export const MAX_ADDENDUM_LENGTH = MAX_NOTE_LENGTH;

export interface AddendumView {
  id: string;
  note_id: string;
  author_id: string;
  created_at: string;
  text: string;
}

export interface NoteView {
  id: string;
  kind: NoteKind;
  author_id: string;
  created_at: string;
  body: string;
  /** The appointment the note records, or null. */
  activity_id: string | null;
  /** What was added later, oldest first; the body above is the original, never changed. */
  addenda: AddendumView[];
}

/** The audit's names of what a read or a write of notes touched. */
const PART = { general: 'notes', session: 'session_notes' } as const;
const ADDENDA_PART = { general: 'note_addenda', session: 'session_note_addenda' } as const;

/** The key that seals a note of `kind` (and its addenda): the client's, or the session note's own. */
function noteKey(deps: ClientDeps, orgId: string, clientId: string, note: { id: string; kind: NoteKind }, sealed?: Uint8Array) {
  return deps.keyring.dataKey(orgId, note.kind === 'session' ? note.id : clientId, sealed);
}

/**
 * Adds a note. General notes are sealed under the client's key; session notes (psychotherapy notes)
 * under a key of their own, and only their author will ever read them. Card numbers are refused.
 * `activity_id` names the appointment the note records (it must be an appointment of the same
 * client): the to-chart queue counts an appointment charted once a note names it.
 * Caller holds `client.notes` for the client (practitioners: on their caseload).
 *
 * @throws AppError FORBIDDEN / NOT_FOUND from the gate, VALIDATION_FAILED (`activity_id` is not an
 *   appointment of this client), CARD_DATA_REFUSED.
 */
export async function addNote(deps: ClientDeps, caller: Caller, clientId: string, input: { kind: NoteKind; body: string; activity_id?: string | undefined }, now = Date.now()): Promise<NoteView> {
  await requireClient(deps, caller, 'client.notes', clientId, ['notes']);
  refuseCardData({ body: input.body });
  const activityId = input.activity_id ?? null;
  if (activityId !== null && !(await isClientAppointment(deps.db, caller.actor.orgId, clientId, activityId))) {
    throw new AppError('VALIDATION_FAILED', 'body.activity_id: must be an appointment of this client', { fields: ['body.activity_id'] });
  }
  const id = randomUUID();
  const { orgId } = caller.actor;
  const key = input.kind === 'session' ? await deps.keyring.createDataKey(orgId, id) : await deps.keyring.dataKey(orgId, clientId);
  const body_ct = sealField(key, notePlace(orgId, id), BODY, input.body);
  await deps.db.transaction().execute(async (tx) => {
    await insertNote(tx, { id, org_id: orgId, client_id: clientId, author_id: caller.actor.userId, kind: input.kind, body_ct, created_at: now, activity_id: activityId });
    await refreshContactDates(tx, orgId, [clientId], now);
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [clientId], [PART[input.kind]], now));
  });
  return { id, kind: input.kind, author_id: caller.actor.userId, created_at: new Date(now).toISOString(), body: input.body, activity_id: activityId, addenda: [] };
}

/**
 * Amends a note with an addendum: the note's text stays as it was written (no route edits it), and
 * the addendum is kept beside it with its author and time. It is sealed like the note — a general
 * note's under the client's key, a session note's under that note's own key.
 *
 * Who may: whoever may write notes for the client (`client.notes`, through the gate: owners, and
 * practitioners with the client on their caseload or a break-glass grant) may amend any general
 * note; a session note only by its author (who still needs `client.notes` for the client). To anyone
 * else a session note does not exist: NOT_FOUND, as for a note that never existed, and the attempt
 * is audited as a denial naming the client. Card numbers are refused, naming `text`.
 *
 * @throws AppError NOT_FOUND (no such note on this client, or another author's session note),
 *   FORBIDDEN / NOT_FOUND from the gate, CARD_DATA_REFUSED.
 */
export async function addAddendum(deps: ClientDeps, caller: Caller, clientId: string, noteId: string, input: { text: string }, now = Date.now()): Promise<AddendumView> {
  await requireClient(deps, caller, 'client.notes', clientId, ['note_addenda']);
  const { orgId, userId } = caller.actor;
  const note = await findNote(deps.db, orgId, clientId, noteId);
  if (note?.kind === 'session' && note.author_id !== userId) {
    await deps.audit.append({ ...deniedEvent(caller.ctx, orgId, 'client.notes', [clientId], now), fields: [ADDENDA_PART.session] });
  }
  if (!note || (note.kind === 'session' && note.author_id !== userId)) throw new AppError('NOT_FOUND', 'no such note');
  refuseCardData({ text: input.text });
  const id = uuidv7();
  const key = await noteKey(deps, orgId, clientId, note);
  const text_ct = sealField(key, addendumPlace(orgId, id), TEXT, input.text);
  await deps.db.transaction().execute(async (tx) => {
    await insertAddendum(tx, { id, org_id: orgId, client_id: clientId, note_id: note.id, author_id: userId, kind: note.kind, text_ct, created_at: now });
    await deps.audit.appendInTx(tx, clientEvent(caller.ctx, orgId, 'client.update', [clientId], [ADDENDA_PART[note.kind]], now));
  });
  return { id, note_id: note.id, author_id: userId, created_at: new Date(now).toISOString(), text: input.text };
}

/**
 * The client's notes the caller may read, each with its addenda in order: general notes, and session
 * notes they wrote themselves — nobody else's session notes, whatever their role. The read is
 * audited before it is returned, naming the parts read (notes, session notes, and their addenda).
 */
export async function listNotes(deps: ClientDeps, caller: Caller, clientId: string): Promise<NoteView[]> {
  await requireClient(deps, caller, 'client.notes', clientId, ['notes']);
  const { orgId, userId } = caller.actor;
  const rows = await listReadableNotes(deps.db, orgId, clientId, userId);
  const addenda = Map.groupBy(await listAddendaOf(deps.db, orgId, clientId, rows.map((r) => r.id)), (a) => a.note_id);
  const parts = new Set<string>();
  const notes: NoteView[] = [];
  for (const row of rows) {
    const key = await noteKey(deps, orgId, clientId, row, row.body_ct);
    parts.add(PART[row.kind]);
    const amended: AddendumView[] = [];
    for (const a of addenda.get(row.id) ?? []) {
      const aKey = await noteKey(deps, orgId, clientId, row, a.text_ct);
      amended.push({ id: a.id, note_id: a.note_id, author_id: a.author_id, created_at: new Date(a.created_at).toISOString(), text: openField(aKey, addendumPlace(orgId, a.id), TEXT, a.text_ct) as string });
      parts.add(ADDENDA_PART[row.kind]);
    }
    notes.push({ id: row.id, kind: row.kind, author_id: row.author_id, created_at: new Date(row.created_at).toISOString(), body: openField(key, notePlace(orgId, row.id), BODY, row.body_ct) as string, activity_id: row.activity_id ?? null, addenda: amended });
  }
  await deps.audit.append(clientEvent(caller.ctx, orgId, 'client.read', [clientId], parts.size ? [...parts] : ['notes']));
  return notes;
}
