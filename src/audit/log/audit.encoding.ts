import { AppError } from '../../platform/errors/index.ts';
import { AUDIT_ACTIONS, type AuditEvent, type LoggedEvent } from './audit.types.ts';

export const LEAF_FORMAT = 'confidant-audit-v1';

// Names and ids have a shape no e-mail, phone number, name or free text has, so a value passed where
// a name belongs is refused instead of being written to the log.
const NAME = /^[a-z][a-z0-9_.:-]{0,80}$/;
const ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const IP = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * Checks an event before it is queued: a closed action list, names and ids shaped like names and ids,
 * bounded purpose text.
 *
 * @throws AppError INTERNAL naming the offending attribute (a programming error, never user input).
 */
export function assertValidEvent(event: AuditEvent): void {
  const bad = (what: string) => new AppError('INTERNAL', `audit event refused: ${what} is not a name or id`);
  if (!(AUDIT_ACTIONS as readonly string[]).includes(event.action)) throw bad('action');
  for (const field of event.fields) if (!NAME.test(field)) throw bad('a field name');
  for (const id of event.recordIds) if (!ID.test(id)) throw bad('a record id');
  for (const [what, value] of [
    ['organisation', event.orgId],
    ['actor', event.actorId],
    ['request id', event.requestId],
  ] as const) {
    if (value !== null && !ID.test(value)) throw bad(what);
  }
  if (event.recordType !== null && !NAME.test(event.recordType)) throw bad('record type');
  if (event.ip !== null && !IP.test(event.ip)) throw bad('ip');
  if (event.purpose !== null && event.purpose.length > 500) throw bad('purpose');
}

/**
 * The canonical leaf bytes of an event at `index`: UTF-8 of a JSON array in this fixed order,
 * serialised without whitespace (JSON.stringify):
 * `["confidant-audit-v1", index, time, org, actor_type, actor_id, action, record_type,
 *   [record ids], [field names, sorted], purpose, outcome, request_id, ip]`.
 * Absent values are `null`. Anyone can rebuild these bytes from an export and recompute the tree.
 */
export function encodeLeaf(index: number, event: AuditEvent): Buffer {
  return Buffer.from(
    JSON.stringify([
      LEAF_FORMAT,
      index,
      event.time,
      event.orgId,
      event.actorType,
      event.actorId,
      event.action,
      event.recordType,
      event.recordIds,
      [...new Set(event.fields)].sort(),
      event.purpose,
      event.outcome,
      event.requestId,
      event.ip,
    ]),
    'utf8',
  );
}

/** Parses leaf bytes back into an event. Returns null when they are not a valid v1 leaf. */
export function decodeLeaf(leaf: Uint8Array): LoggedEvent | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(leaf).toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 14 || parsed[0] !== LEAF_FORMAT) return null;
  const [, index, time, orgId, actorType, actorId, action, recordType, recordIds, fields, purpose, outcome, requestId, ip] = parsed as [
    string,
    number,
    number,
    string | null,
    LoggedEvent['actorType'],
    string | null,
    LoggedEvent['action'],
    string | null,
    string[],
    string[],
    string | null,
    LoggedEvent['outcome'],
    string | null,
    string | null,
  ];
  return { index, time, orgId, actorType, actorId, action, recordType, recordIds, fields, purpose, outcome, requestId, ip };
}

/** The queued form of an event (JSON of the event object; the index is assigned later). */
export function encodeQueued(event: AuditEvent): string {
  assertValidEvent(event);
  return JSON.stringify(event);
}

export function decodeQueued(text: string): AuditEvent {
  return JSON.parse(text) as AuditEvent;
}
