import type { Kysely } from 'kysely';

/**
 * Recurring appointments (issue 16): the occurrences of a series are ordinary appointment rows that
 * share a `series_id` (the series' own id, not a row of another table; null for a single booking).
 * `series_time_zone` is the IANA zone whose local wall-clock time the occurrences keep, so moving
 * "this and following" later reads local times in the zone the series was booked in. Scheduling
 * metadata in the clear, like the time and the status. The index finds a series' rows ("this and
 * following").
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('activities').addColumn('series_id', 'text').execute();
  await db.schema.alterTable('activities').addColumn('series_time_zone', 'text').execute();
  await db.schema.createIndex('activities_series_idx').on('activities').columns(['org_id', 'series_id', 'at']).execute();
}
