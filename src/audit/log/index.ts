/**
 * The tamper-evident audit log: events, their encoding, the Merkle tree and its signed heads.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { raiseAlert } from './alert-raise.ts';
export type { AlertKind } from './alert-raise.ts';
export { decodeLeaf } from './audit.encoding.ts';
export { auditJobs } from './audit.jobs.ts';
export { checkLeaf } from './audit.leaf.ts';
export type { CheckedLeaf, Problem, ProblemKind } from './audit.leaf.ts';
export { AuditLog } from './audit.service.ts';
export { actorOf } from './audit.types.ts';
export type { AccessContext, AuditAction, AuditEvent, LoggedEvent } from './audit.types.ts';
export { EMPTY_ROOT, Frontier, consistencyProof, inclusionProof, leafHash, rootOf } from './merkle.ts';
export { operatorContext } from './operator.ts';
export { toTreeHead, treeHeadBytes } from './tree-head.ts';
export type { TreeHead } from './tree-head.ts';
