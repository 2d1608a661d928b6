/**
 * Reports over the audit log: who looked at a client's record.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { clientAccessLog, proveConsistency, proveInclusion } from './audit.report.ts';
