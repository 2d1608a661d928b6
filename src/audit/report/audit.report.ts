import { CLIENT_FIELDS } from '../../datamap/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { AuditLog } from '../log/index.ts';
import { decodeLeaf } from '../log/index.ts';
import { type AccessContext, actorOf } from '../log/index.ts';
import { consistencyProof, inclusionProof, leafHash, rootOf } from '../log/index.ts';
import { listClientLeaves, listLeavesBetween, listStaff } from './audit.report.store.ts';

/** One line of "who looked at my record". */
export interface AccessLogEntry {
  index: number;
  time: string;
  who: { type: string; id: string | null; name: string | null; role: string | null };
  action: string;
  /** Field groups touched (identity, contact, …), never values. */
  parts: string[];
  why: string | null;
  outcome: string;
}

const GROUP_OF = new Map<string, string>(CLIENT_FIELDS.map((f) => [f.name, f.group]));

/** Field names → the data map's field groups (custom fields are the `custom` group). */
export function fieldGroups(fields: readonly string[]): string[] {
  return [...new Set(fields.map((f) => (f.startsWith('custom.') ? 'custom' : (GROUP_OF.get(f) ?? 'other'))))].sort();
}

/**
 * Every logged access to one client, oldest first: who (with role and sign-in name for staff), when,
 * which parts of the record, why, and the outcome. Read from the authenticated leaves, found through
 * the subject index. The report itself is audited as a read of the record's access log.
 *
 * Caller must be allowed to see the client's access log (the client's practitioner, or an auditor).
 */
export async function clientAccessLog(audit: AuditLog, ctx: AccessContext, orgId: string, clientId: string): Promise<AccessLogEntry[]> {
  const db = audit.db;
  await audit.sequence();
  const rows = await listClientLeaves(db, orgId, clientId);
  const users = await staffNames(db, orgId);
  const entries = rows.flatMap((row) => {
    const event = decodeLeaf(row.leaf);
    if (!event || event.index !== row.idx) return [];
    const user = event.actorType === 'user' && event.actorId ? users.get(event.actorId) : undefined;
    return [
      {
        index: event.index,
        time: new Date(event.time).toISOString(),
        who: { type: event.actorType, id: event.actorId, name: user?.email ?? null, role: user?.role ?? null },
        action: event.action,
        parts: fieldGroups(event.fields),
        why: event.purpose,
        outcome: event.outcome,
      },
    ];
  });
  await audit.record({ time: Date.now(), orgId, ...actorOf(ctx), action: 'client.read', recordType: 'client_access_log', recordIds: [clientId], fields: [], outcome: 'allowed' });
  return entries;
}

async function staffNames(db: Db, orgId: string): Promise<Map<string, { email: string; role: string }>> {
  const rows = await listStaff(db, orgId);
  return new Map(rows.map((r) => [r.id, { email: r.email, role: r.role }]));
}

/** Leaf hashes of the first `size` events (for proofs). */
async function leafHashes(db: Db, size: number): Promise<Buffer[]> {
  const hashes: Buffer[] = [];
  for (let from = 0; from < size; ) {
    const rows = await listLeavesBetween(db, from, size);
    if (rows.length === 0) break;
    // Hashes are recomputed from the leaves, not read from the stored column.
    for (const row of rows) hashes.push(leafHash(row.leaf));
    from = rows[rows.length - 1]!.idx + 1;
  }
  if (hashes.length !== size) throw new AppError('INTEGRITY_ERROR', `the log has fewer than ${size} events; run confidant audit verify`);
  return hashes;
}

/** RFC 6962 inclusion proof of event `index` in the tree of size `size` (default: the whole log). */
export async function proveInclusion(audit: AuditLog, index: number, size?: number) {
  const tree = await audit.currentTree();
  const n = size ?? tree.size;
  if (!Number.isInteger(index) || index < 0 || !Number.isInteger(n) || index >= n || n > tree.size) {
    throw new AppError('VALIDATION_FAILED', `need 0 ≤ index < size ≤ ${tree.size}`);
  }
  const hashes = await leafHashes(audit.db, n);
  return {
    leaf_index: index,
    tree_size: n,
    leaf_hash: hashes[index]!.toString('hex'),
    audit_path: inclusionProof(hashes, index, n).map((h) => h.toString('hex')),
    root_hash: rootOf(hashes, n).toString('hex'),
  };
}

/** RFC 6962 consistency proof between the trees of sizes `first` and `second`. */
export async function proveConsistency(audit: AuditLog, first: number, second: number) {
  const tree = await audit.currentTree();
  if (!Number.isInteger(first) || !Number.isInteger(second) || first < 1 || first > second || second > tree.size) {
    throw new AppError('VALIDATION_FAILED', `need 1 ≤ first ≤ second ≤ ${tree.size}`);
  }
  const hashes = await leafHashes(audit.db, second);
  return {
    first,
    second,
    proof: consistencyProof(hashes, first, second).map((h) => h.toString('hex')),
    first_root: rootOf(hashes, first).toString('hex'),
    second_root: rootOf(hashes, second).toString('hex'),
  };
}
