import type { KeyObject } from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { verifyEd25519 } from '../platform/crypto/signing.ts';
import type { Schema } from '../platform/db/schema.ts';
import { decodeLeaf } from './audit.encoding.ts';
import { type TreeHead, leafMac, treeHeadBytes } from './audit.service.ts';
import { Frontier, leafHash } from './merkle.ts';

export type ProblemKind = 'altered' | 'forged' | 'missing' | 'moved' | 'truncated' | 'rewritten' | 'bad-signature';

export interface VerifyResult {
  ok: boolean;
  /** Events checked. */
  size: number;
  /** Root of the recomputed tree, hex. */
  root: string;
  /** Signed heads whose signature and root were checked. */
  headsChecked: number;
  /** The first problem found, by log position. */
  problem?: { index: number; kind: ProblemKind; message: string };
}

export interface VerifyKeys {
  macKey: KeyObject;
  publicKey: KeyObject;
}

const PAGE = 20_000;

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Recomputes the whole log from its stored leaves, offline: every leaf's position, hash and MAC, the
 * query columns and record index derived from it, the Merkle root at every signed head (and each
 * head's Ed25519 signature), and — given a head exported earlier — that the log still extends it
 * (no truncation, no rewriting behind it). Stops at the first problem and names its index.
 */
export async function verifyLog(db: Kysely<Schema>, keys: VerifyKeys, options: { head?: TreeHead; progress?: (done: number) => void } = {}): Promise<VerifyResult> {
  const heads = (await db.selectFrom('audit_heads').selectAll().orderBy('tree_size').execute()).map((h) => ({
    size: h.tree_size,
    root: Buffer.from(h.root_hash),
    valid: verifyEd25519(keys.publicKey, treeHeadBytes(h.timestamp, h.tree_size, h.root_hash), h.signature),
  }));
  const saved = options.head ? parseHead(options.head, keys.publicKey) : undefined;
  const frontier = new Frontier();
  let headsChecked = 0;
  const fail = (index: number, kind: ProblemKind, message: string): VerifyResult => ({
    ok: false,
    size: frontier.size,
    root: frontier.root().toString('hex'),
    headsChecked,
    problem: { index, kind, message },
  });
  const headsAt = new Map<number, typeof heads>();
  for (const head of heads) headsAt.set(head.size, [...(headsAt.get(head.size) ?? []), head]);
  const checkHeadsAt = (size: number): VerifyResult | null => {
    for (const head of headsAt.get(size) ?? []) {
      if (!head.valid) return fail(size - 1, 'bad-signature', `the signed tree head at size ${size} has an invalid signature`);
      if (!head.root.equals(frontier.root())) return fail(size - 1, 'rewritten', `the log up to index ${size - 1} does not match its signed tree head`);
      headsChecked++;
    }
    if (saved && saved.size === size) {
      if (!saved.valid) return fail(size - 1, 'bad-signature', 'the given tree head has an invalid signature');
      if (!saved.root.equals(frontier.root())) return fail(size - 1, 'rewritten', `the log up to index ${size - 1} was rewritten after the given head was exported`);
      headsChecked++;
    }
    return null;
  };
  if (saved && !saved.valid) return fail(0, 'bad-signature', 'the given tree head has an invalid signature');

  for (let from = 0; ; ) {
    const rows = await db.selectFrom('audit_log').selectAll().where('idx', '>=', from).orderBy('idx').limit(PAGE).execute();
    if (rows.length === 0) break;
    const last = rows[rows.length - 1]!.idx;
    const subjects = await db.selectFrom('audit_subjects').select(['org_id', 'record_id', 'idx']).where('idx', '>=', from).where('idx', '<=', last).execute();
    const subjectsByIdx = new Map<number, string[]>();
    for (const s of subjects) {
      const list = subjectsByIdx.get(s.idx);
      if (list) list.push(`${s.org_id}/${s.record_id}`);
      else subjectsByIdx.set(s.idx, [`${s.org_id}/${s.record_id}`]);
    }
    for (const row of rows) {
      const index = frontier.size;
      if (row.idx !== index) return fail(index, 'missing', `event ${index} is missing (deleted)`);
      const event = decodeLeaf(row.leaf);
      if (!event) return fail(index, 'altered', `event ${index} is not a valid audit record (altered)`);
      if (event.index !== index) return fail(index, 'moved', `event ${index} holds the record of event ${event.index} (moved, reordered or inserted)`);
      const hash = leafHash(row.leaf);
      if (!same(hash, row.leaf_hash)) return fail(index, 'altered', `event ${index} was altered`);
      if (!same(leafMac(keys.macKey, hash), row.leaf_mac)) return fail(index, 'forged', `event ${index} was not written by Confidant (altered or inserted)`);
      if (row.time !== event.time || row.org_id !== event.orgId || row.actor_id !== event.actorId || row.action !== event.action) {
        return fail(index, 'altered', `event ${index} was altered (its query columns no longer match it)`);
      }
      if (!sameSubjects(event.orgId, event.recordIds, subjectsByIdx.get(index))) return fail(index, 'altered', `the record index of event ${index} was altered`);
      frontier.push(hash);
      if (headsAt.has(frontier.size) || saved?.size === frontier.size) {
        const problem = checkHeadsAt(frontier.size);
        if (problem) return problem;
      }
    }
    from = last + 1;
    options.progress?.(frontier.size);
  }
  if (saved && saved.size > frontier.size) {
    return fail(frontier.size, 'truncated', `the log ends at ${frontier.size} events but the given head covers ${saved.size}: events from index ${frontier.size} were removed`);
  }
  const beyond = heads.find((h) => h.size > frontier.size);
  if (beyond) {
    return fail(frontier.size, 'truncated', `the log ends at ${frontier.size} events but a signed head covers ${beyond.size}: events from index ${frontier.size} were removed`);
  }
  return { ok: true, size: frontier.size, root: frontier.root().toString('hex'), headsChecked };
}

/** Whether the subject index rows of an event are exactly its organisation's record ids. */
function sameSubjects(orgId: string | null, recordIds: readonly string[], actual: readonly string[] | undefined): boolean {
  if (!orgId) return actual === undefined;
  const expected = recordIds.length === 1 ? recordIds.map((id) => `${orgId}/${id}`) : [...new Set(recordIds)].map((id) => `${orgId}/${id}`);
  if (expected.length !== (actual?.length ?? 0)) return false;
  if (expected.length === 1) return expected[0] === actual![0];
  return expected.sort().join('\n') === [...actual!].sort().join('\n');
}

function parseHead(head: TreeHead, publicKey: KeyObject): { size: number; root: Buffer; valid: boolean } {
  const root = Buffer.from(head.root_hash, 'hex');
  const signed = treeHeadBytes(head.timestamp, head.tree_size, root);
  const valid =
    Buffer.from(head.signed_bytes, 'base64').equals(signed) && verifyEd25519(publicKey, signed, Buffer.from(head.signature, 'base64'));
  return { size: head.tree_size, root, valid };
}
