import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, Frontier, consistencyProof, inclusionProof, leafHash, rootOf, verifyConsistency, verifyInclusion } from './merkle.ts';

// An independent reference, written from RFC 6962 §2.1 text: recursive MTH, and verifiers that
// rebuild the root by following the same recursion the proofs were defined by.
const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return sha(Buffer.from([0]), leaves[0]!);
  const s = k(leaves.length);
  return sha(Buffer.from([1]), mth(leaves.slice(0, s)), mth(leaves.slice(s)));
}
/** Root from a leaf's hash and its audit path, following PATH(m, D[n]) backwards. */
function rootFromPath(leafHashValue: Buffer, m: number, n: number, path: Buffer[]): Buffer | null {
  if (n === 1) return path.length === 0 ? leafHashValue : null;
  if (path.length === 0) return null;
  const s = k(n);
  const sibling = path[path.length - 1]!;
  const rest = path.slice(0, -1);
  if (m < s) {
    const left = rootFromPath(leafHashValue, m, s, rest);
    return left && sha(Buffer.from([1]), left, sibling);
  }
  const right = rootFromPath(leafHashValue, m - s, n - s, rest);
  return right && sha(Buffer.from([1]), sibling, right);
}
/** Both roots from a consistency proof, following SUBPROOF(m, D[n], b) backwards. */
function rootsFromProof(m: number, n: number, proof: Buffer[], first: Buffer, complete = true): [Buffer, Buffer] | null {
  if (m === n) {
    if (complete) return proof.length === 0 ? [first, first] : null;
    return proof.length === 1 ? [proof[0]!, proof[0]!] : null;
  }
  if (proof.length === 0) return null;
  const s = k(n);
  const last = proof[proof.length - 1]!;
  const rest = proof.slice(0, -1);
  if (m <= s) {
    const inner = rootsFromProof(m, s, rest, first, complete);
    return inner && [inner[0], sha(Buffer.from([1]), inner[1], last)];
  }
  const inner = rootsFromProof(m - s, n - s, rest, first, false);
  return inner && [sha(Buffer.from([1]), last, inner[0]), sha(Buffer.from([1]), last, inner[1])];
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`leaf ${i}`));
const flip = (b: Buffer) => {
  const c = Buffer.from(b);
  c[c.length >> 1]! ^= 1;
  return c;
};

describe('RFC 6962 Merkle tree', () => {
  it('matches the recursive definition for every size up to 70, incrementally and at once', () => {
    expect(rootOf([])).toEqual(EMPTY_ROOT);
    const frontier = new Frontier();
    const leaves = leavesOf(70);
    for (let n = 1; n <= leaves.length; n++) {
      frontier.push(leafHash(leaves[n - 1]!));
      const expected = mth(leaves.slice(0, n));
      expect(frontier.root().equals(expected), `size ${n}`).toBe(true);
      expect(rootOf(leaves.slice(0, n).map(leafHash)).equals(expected)).toBe(true);
      const copy = Frontier.decode(n, frontier.encode())!;
      expect(copy.root().equals(expected)).toBe(true);
    }
  });

  it('gives inclusion proofs that the independent verifier accepts, and refuses any changed byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }))), ([n, m]) => {
        const leaves = leavesOf(n);
        const hashes = leaves.map(leafHash);
        const root = mth(leaves);
        const path = inclusionProof(hashes, m, n);
        expect(rootFromPath(hashes[m]!, m, n, path)?.equals(root)).toBe(true);
        expect(verifyInclusion(hashes[m]!, m, n, path, root)).toBe(true);
        expect(verifyInclusion(flip(hashes[m]!), m, n, path, root)).toBe(false);
        expect(verifyInclusion(hashes[m]!, m, n, path, flip(root))).toBe(false);
        path.forEach((_, i) => {
          const bad = path.map((p, j) => (i === j ? flip(p) : p));
          expect(rootFromPath(hashes[m]!, m, n, bad)?.equals(root) ?? false).toBe(false);
          expect(verifyInclusion(hashes[m]!, m, n, bad, root)).toBe(false);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('gives consistency proofs that the independent verifier accepts, and refuses any changed byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n))), ([m, n]) => {
        const leaves = leavesOf(n);
        const hashes = leaves.map(leafHash);
        const first = mth(leaves.slice(0, m));
        const second = mth(leaves);
        const proof = consistencyProof(hashes, m, n);
        const rebuilt = rootsFromProof(m, n, proof, first);
        expect(rebuilt?.[0].equals(first) && rebuilt[1].equals(second)).toBe(true);
        expect(verifyConsistency(m, n, proof, first, second)).toBe(true);
        expect(verifyConsistency(m, n, proof, flip(first), second)).toBe(false);
        expect(verifyConsistency(m, n, proof, first, flip(second))).toBe(false);
        proof.forEach((_, i) => {
          const bad = proof.map((p, j) => (i === j ? flip(p) : p));
          expect(verifyConsistency(m, n, bad, first, second)).toBe(false);
        });
      }),
      { numRuns: 150 },
    );
  });
});
