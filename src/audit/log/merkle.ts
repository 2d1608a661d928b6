import { hash } from 'node:crypto';

/**
 * RFC 6962 §2.1 Merkle hash trees over SHA-256:
 * leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖ right), the empty tree's hash is
 * SHA-256(""), and a tree of n leaves splits at k, the largest power of two below n.
 */
// One scratch buffer per thread, reused: `hash` is synchronous, and building the prefixed input
// with Buffer.concat costs more than the hash itself for inputs this small.
let scratch = Buffer.allocUnsafe(4096);
const nodeScratch = Buffer.alloc(65, 0x01);

export function leafHash(leaf: Uint8Array): Buffer {
  const length = leaf.length + 1;
  if (length > scratch.length) scratch = Buffer.allocUnsafe(length * 2);
  scratch[0] = 0x00;
  scratch.set(leaf, 1);
  return hash('sha256', scratch.subarray(0, length), 'buffer');
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== 32 || right.length !== 32) return hash('sha256', Buffer.concat([nodeScratch.subarray(0, 1), left, right]), 'buffer');
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 33);
  return hash('sha256', nodeScratch, 'buffer');
}

export const EMPTY_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

/** Largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The right edge of a tree: the roots of its perfect subtrees, largest (leftmost) first, one per set
 * bit of the size. Appending a leaf merges equal-sized peaks, so a root of any size costs O(log n).
 */
export class Frontier {
  readonly peaks: Buffer[];
  size: number;

  constructor(size = 0, peaks: Buffer[] = []) {
    this.size = size;
    this.peaks = peaks;
  }

  /** Appends one leaf hash. */
  push(leaf: Buffer): void {
    let node = leaf;
    let size = this.size;
    // Each trailing one bit of the old size is a peak of the same height as `node`: merge it.
    while (size & 1) {
      node = nodeHash(this.peaks.pop()!, node);
      size >>>= 1;
    }
    this.peaks.push(node);
    this.size++;
  }

  /** The RFC 6962 root of the leaves pushed so far. */
  root(): Buffer {
    if (this.peaks.length === 0) return EMPTY_ROOT;
    let root = this.peaks[this.peaks.length - 1]!;
    for (let i = this.peaks.length - 2; i >= 0; i--) root = nodeHash(this.peaks[i]!, root);
    return root;
  }

  /** Serialises the peaks (concatenated 32-byte hashes) for storage. */
  encode(): Buffer {
    return Buffer.concat(this.peaks);
  }

  /** The frontier stored by {@link encode}; null when the bytes cannot be the peaks of a tree of `size`. */
  static decode(size: number, bytes: Uint8Array): Frontier | null;
  static decode(size: number, bytes: Uint8Array): Frontier | null {
    let bits = 0;
    for (let n = size; n > 0; n = Math.floor(n / 2)) bits += n % 2;
    if (bytes.length !== bits * 32) return null;
    const peaks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 32) peaks.push(Buffer.from(bytes.subarray(i, i + 32)));
    return new Frontier(size, peaks);
  }
}

/** MTH over leaf hashes `hashes[from, to)`. */
function subtreeRoot(hashes: readonly Buffer[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return hashes[from]!;
  const frontier = new Frontier();
  // A range starting at a multiple of its split is built left to right like a whole tree.
  for (let i = from; i < to; i++) frontier.push(hashes[i]!);
  return frontier.root();
}

/** The root of the first `size` leaf hashes. */
export function rootOf(hashes: readonly Buffer[], size = hashes.length): Buffer {
  return subtreeRoot(hashes, 0, size);
}

/** RFC 6962 §2.1.1 audit path (inclusion proof) of leaf `m` in the tree of the first `n` leaves. */
export function inclusionProof(hashes: readonly Buffer[], m: number, n: number): Buffer[] {
  if (m < 0 || m >= n || n > hashes.length) throw new RangeError('leaf index outside the tree');
  const path: Buffer[] = [];
  const walk = (m: number, from: number, to: number) => {
    const size = to - from;
    if (size === 1) return;
    const k = splitPoint(size);
    if (m < k) {
      walk(m, from, from + k);
      path.push(subtreeRoot(hashes, from + k, to));
    } else {
      walk(m - k, from + k, to);
      path.push(subtreeRoot(hashes, from, from + k));
    }
  };
  walk(m, 0, n);
  return path;
}

/** RFC 6962 §2.1.2 consistency proof between the trees of the first `m` and first `n` leaves. */
export function consistencyProof(hashes: readonly Buffer[], m: number, n: number): Buffer[] {
  if (m < 0 || m > n || n > hashes.length) throw new RangeError('tree sizes outside the log');
  if (m === 0 || m === n) return [];
  const proof: Buffer[] = [];
  const sub = (m: number, from: number, to: number, complete: boolean) => {
    const size = to - from;
    if (m === size) {
      if (!complete) proof.push(subtreeRoot(hashes, from, to));
      return;
    }
    const k = splitPoint(size);
    if (m <= k) {
      sub(m, from, from + k, complete);
      proof.push(subtreeRoot(hashes, from + k, to));
    } else {
      sub(m - k, from + k, to, false);
      proof.push(subtreeRoot(hashes, from, from + k));
    }
  };
  sub(m, 0, n, true);
  return proof;
}

/** Verifies an inclusion proof (RFC 9162 §2.1.3.2 algorithm, equivalent for RFC 6962 trees). */
export function verifyInclusion(leaf: Buffer, m: number, n: number, path: readonly Buffer[], root: Buffer): boolean {
  if (m >= n) return false;
  let fn = m;
  let sn = n - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>>= 1;
    sn >>>= 1;
  }
  return sn === 0 && r.equals(root);
}

/** Verifies a consistency proof (RFC 9162 §2.1.4.2 algorithm). */
export function verifyConsistency(m: number, n: number, proof: readonly Buffer[], firstRoot: Buffer, secondRoot: Buffer): boolean {
  if (m > n) return false;
  if (m === n) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (m === 0) return proof.length === 0;
  const path = [...proof];
  if ((m & (m - 1)) === 0) path.unshift(firstRoot);
  if (path.length === 0) return false;
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn >>>= 1;
    sn >>>= 1;
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>>= 1;
    sn >>>= 1;
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}
