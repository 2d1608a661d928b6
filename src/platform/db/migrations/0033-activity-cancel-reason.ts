import { type Kysely, sql } from 'kysely';

/**
 * Why an appointment was cancelled: by the client, by the practice, or late by the client (what a
 * practice's cancellation policy and its invoices turn on). Scheduling metadata like the status, kept in
 * the clear; a closed list held by a CHECK (the service's `CANCEL_REASONS` is the same list — a
 * migration is a frozen snapshot and imports no domain code). Null for everything not cancelled.
 * Numbered 0033: invoices are being written in parallel.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('activities')
    .addColumn('cancel_reason', 'text', (c) => c.check(sql`cancel_reason in ('by_client', 'by_practice', 'late_by_client')`))
    .execute();
}
