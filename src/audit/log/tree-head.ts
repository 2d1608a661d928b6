/** A signed tree head as exported (`confidant audit head`). */
export interface TreeHead {
  tree_size: number;
  /** Hex. */
  root_hash: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** Base64 Ed25519 signature over `signed_bytes`. */
  signature: string;
  /** Base64 of exactly the signed bytes (RFC 6962 §3.5 TreeHeadSignature). */
  signed_bytes: string;
  key_id: string;
}

/**
 * The bytes a tree head signature covers, RFC 6962 §3.5: version v1 (0), signature type tree_hash (1),
 * uint64 timestamp (ms), uint64 tree_size, 32-byte root hash.
 */
export function treeHeadBytes(timestamp: number, treeSize: number, root: Uint8Array): Buffer {
  const out = Buffer.alloc(2 + 8 + 8 + 32);
  out[0] = 0;
  out[1] = 1;
  out.writeBigUInt64BE(BigInt(timestamp), 2);
  out.writeBigUInt64BE(BigInt(treeSize), 10);
  Buffer.from(root).copy(out, 18);
  return out;
}

export function toTreeHead(size: number, root: Uint8Array, timestamp: number, signature: Uint8Array, keyId: string): TreeHead {
  return {
    tree_size: size,
    root_hash: Buffer.from(root).toString('hex'),
    timestamp,
    signature: Buffer.from(signature).toString('base64'),
    signed_bytes: treeHeadBytes(timestamp, size, root).toString('base64'),
    key_id: keyId,
  };
}
