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

/** What {@link checkLeaf} found in a sound event (one object, reused: this runs once per event). */
export interface CheckedLeaf {
  event: LoggedEvent | null;
  hash: Buffer | null;
}

/**
 * The checks every stored event must pass wherever the log is read back (verification, and before a
 * head is signed): stored at its position, a valid leaf of that index, hashing to its stored hash,
 * with a valid MAC. Returns the problem, or null with the event and its leaf hash in `out`.
 */
export function checkLeaf(index: number, macKey: KeyObject, idx: number, leaf: Uint8Array, storedHash: Uint8Array, mac: Uint8Array, out: CheckedLeaf): Problem | null {
  if (idx !== index) return { index, kind: 'missing', message: `event ${index} is missing (deleted)` };
  const event = decodeLeaf(leaf);
  if (!event) return { index, kind: 'altered', message: `event ${index} is not a valid audit record (altered)` };
  if (event.index !== index) return { index, kind: 'moved', message: `event ${index} holds the record of event ${event.index} (moved, reordered or inserted)` };
  const hash = leafHash(leaf);
  if (!same(hash, storedHash)) return { index, kind: 'altered', message: `event ${index} was altered` };
  if (!same(leafMac(macKey, hash), mac)) return { index, kind: 'forged', message: `event ${index} was not written by Confidant (altered or inserted)` };
  out.event = event;
  out.hash = hash;
  return null;
}
