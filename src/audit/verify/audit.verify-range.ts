import type { KeyObject } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { Db } from '../../platform/db/index.ts';
import { type CheckedLeaf, type Problem, checkLeaf } from '../log/index.ts';
import { Frontier } from '../log/index.ts';
import { type LogRow, type SubjectRow, listLogRows, listSubjectRows, prepareRangeReads } from './audit.verify.store.ts';

export type { Problem, ProblemKind } from '../log/index.ts';
export type { LogRow, SubjectRow } from './audit.verify.store.ts';

/** Reads the stored log by index range `[from, to)`, in index order. */
export interface LogReader {
  events(from: number, to: number): Promise<LogRow[]> | LogRow[];
  subjects(from: number, to: number): Promise<SubjectRow[]> | SubjectRow[];
  close?(): void;
}

export interface RangeTask {
  from: number;
  to: number;
  /** Tree sizes in `(from, to]` whose frontier (peaks of this range only) the caller needs. */
  headSizes: number[];
}

export interface RangeResult {
  from: number;
  /** Leaves verified (from `from`), stopping before the first problem. */
  verified: number;
  /** Peaks of the range's own subtree forest after `size − from` leaves, for each requested size reached. */
  peaksAt: Array<[number, Buffer[]]>;
  /** Peaks after the last verified leaf. */
  peaks: Buffer[];
  problem?: Problem;
}

const PAGE = 8192;

/**
 * Verifies the events `[from, to)` on their own: each is present at its position, decodes as a leaf of
 * that index, hashes to its stored leaf hash, carries a valid MAC, and agrees with
 * its query columns and subject index rows. Also builds the range's Merkle peaks, so a caller can join
 * ranges that start at multiples of a power of two into the whole tree. Stops at the first problem.
 */
export async function verifyRange(reader: LogReader, macKey: KeyObject, task: RangeTask): Promise<RangeResult> {
  const frontier = new Frontier();
  const wanted = new Set(task.headSizes);
  const peaksAt: Array<[number, Buffer[]]> = [];
  const checked: CheckedLeaf = { event: null, hash: null };
  const done = (problem?: Problem): RangeResult => ({ from: task.from, verified: frontier.size, peaksAt, peaks: [...frontier.peaks], ...(problem ? { problem } : {}) });
  for (let page = task.from; page < task.to; page += PAGE) {
    const end = Math.min(page + PAGE, task.to);
    const rows = await reader.events(page, end);
    const subjectsByIdx = new Map<number, SubjectRow[]>();
    for (const row of await reader.subjects(page, end)) {
      const list = subjectsByIdx.get(row[0]);
      if (list) list.push(row);
      else subjectsByIdx.set(row[0], [row]);
    }
    let position = page;
    for (const [idx, leaf, storedHash, mac, time, org, actor, action] of rows) {
      const index = position++;
      const problem = checkLeaf(index, macKey, idx, leaf, storedHash, mac, checked);
      if (problem) return done(problem);
      const event = checked.event!;
      const hash = checked.hash!;
      if (time !== event.time || org !== event.orgId || actor !== event.actorId || action !== event.action) {
        return done({ index, kind: 'altered', message: `event ${index} was altered (its query columns no longer match it)` });
      }
      if (!sameSubjects(event.orgId, event.recordIds, subjectsByIdx.get(index))) return done({ index, kind: 'altered', message: `the record index of event ${index} was altered` });
      frontier.push(hash);
      if (wanted.has(index + 1)) peaksAt.push([index + 1, [...frontier.peaks]]);
    }
    if (position < end) return done({ index: position, kind: 'missing', message: `event ${position} is missing (deleted)` });
  }
  return done();
}

/**
 * Whether the subject index rows of an event are exactly one row per distinct record id it names,
 * each under its organisation. An event without an organisation, or naming no record (an invite, a
 * search that found nothing, the alerts inbox), has no rows; duplicate ids in an event share one.
 */
function sameSubjects(orgId: string | null, recordIds: readonly string[], actual: readonly SubjectRow[] | undefined): boolean {
  if (!actual) return orgId === null || recordIds.length === 0;
  if (orgId === null) return false;
  // The common case, one record read: no sets.
  if (recordIds.length === 1) return actual.length === 1 && actual[0]![1] === orgId && actual[0]![2] === recordIds[0];
  const expected = new Set(recordIds);
  if (actual.length !== expected.size) return false;
  const seen = new Set<string>();
  for (const [, org, record] of actual) {
    if (org !== orgId || !expected.has(record) || seen.has(record)) return false;
    seen.add(record);
  }
  return true;
}

/** Reads through Kysely: any engine, in the caller's process. */
export function kyselyReader(db: Db): LogReader {
  return {
    events: (from, to) => listLogRows(db, from, to),
    subjects: (from, to) => listSubjectRows(db, from, to),
  };
}

/** Reads a SQLite file directly, rows as arrays (what a verify worker uses: no per-row objects). */
export function sqliteReader(database: DatabaseSync): LogReader {
  const reads = prepareRangeReads(database);
  return {
    events: (from, to) => reads.events(from, to),
    subjects: (from, to) => reads.subjects(from, to),
    close: () => database.close(),
  };
}
