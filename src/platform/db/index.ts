/**
 * The database: SQLite or PostgreSQL behind Kysely, its schema, migrations and bulk writes.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { insertRows } from './bulk-insert.ts';
export { analyze, analyzeJob, engineOf, isUniqueViolation, openDatabase, sqliteNeedsStatistics } from './database.ts';
export type { Database, Db, Tx } from './database.ts';
export { migrateToLatest } from './migrate.ts';
export type { ActivityTable, AuditLogTable, AuditSubjectTable, ClientCustomValueTable, ClientIndexTable, ClientStatus, ClientTable, CustomFieldTable, DigestTable, InvoiceTable, InvoicedActivityTable, RoomTable, Schema, SegmentTable, SessionState, SessionTable, StaffRole, WebauthnChallengeTable } from './schema.ts';
export { SQLITE_BUSY_TIMEOUT_MS } from './sqlite-adapter.ts';
