import { type KeyObject, createHmac, timingSafeEqual } from 'node:crypto';
import { decodeLeaf } from './audit.encoding.ts';
import type { LoggedEvent } from './audit.types.ts';
import { leafHash } from './merkle.ts';

export type ProblemKind = 'altered' | 'forged' | 'missing' | 'moved' | 'truncated' | 'rewritten' | 'bad-signature';

export interface Problem {
  index: number;
  kind: ProblemKind;
  message: string;
}

/** MAC over a leaf hash, stored beside it: proves the event was written by Confidant, not a DB editor. */
export function leafMac(macKey: KeyObject, leafHashValue: Uint8Array): Buffer {
  return createHmac('sha256', macKey).update(leafHashValue).digest().subarray(0, 16);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The checks every stored event must pass wherever the log is read back (verification, and before a
 * head is signed): stored at its position, a valid leaf of that index, hashing to its stored hash,
 * with a valid MAC. Returns the event and its leaf hash, or the problem.
 */
export function checkLeaf(
  index: number,
  macKey: KeyObject,
  row: { idx: number; leaf: Uint8Array; leafHash: Uint8Array; mac: Uint8Array },
): { event: LoggedEvent; hash: Buffer } | { problem: Problem } {
  if (row.idx !== index) return { problem: { index, kind: 'missing', message: `event ${index} is missing (deleted)` } };
  const event = decodeLeaf(row.leaf);
  if (!event) return { problem: { index, kind: 'altered', message: `event ${index} is not a valid audit record (altered)` } };
  if (event.index !== index) return { problem: { index, kind: 'moved', message: `event ${index} holds the record of event ${event.index} (moved, reordered or inserted)` } };
  const hash = leafHash(row.leaf);
  if (!same(hash, row.leafHash)) return { problem: { index, kind: 'altered', message: `event ${index} was altered` } };
  if (!same(leafMac(macKey, hash), row.mac)) return { problem: { index, kind: 'forged', message: `event ${index} was not written by Confidant (altered or inserted)` } };
  return { event, hash };
}
