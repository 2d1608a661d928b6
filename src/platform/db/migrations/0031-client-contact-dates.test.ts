import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../../test/support/engines.ts';
import { migrateToLatest } from '../migrate.ts';
import { MIGRATIONS } from './index.ts';

/** Migration 0031 backfills each client's contact dates from the activities and notes already there. */
describeEachEngine(
  'migration 0031: contact dates backfilled',
  (t) => {
    it('sets last contact and next appointment from existing rows, and leaves clients without any null', async () => {
      const { db } = t().database;
      const before = Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '0031'));
      await migrateToLatest(db, before);
      const sealed = new Uint8Array(64).fill(7);
      sealed[0] = 1;
      const now = Date.now();
      await db.insertInto('organisations').values({ id: 'org', name: 'Org', created_at: now }).execute();
      for (const id of ['a', 'b', 'c']) await db.insertInto('clients').values({ id, org_id: 'org', status: 'active', created_at: now, updated_at: now, name_ct: sealed } as never).execute();
      const activity = (id: string, client: string, kind: string, status: string, at: number) =>
        db.insertInto('activities').values({ id, org_id: 'org', client_id: client, kind, channel: null, direction: null, status, at, duration_min: null, assignee_id: null, recurrence_days: null, related_id: null, details_ct: null, created_by: 'u', created_at: now } as never).execute();
      await activity('a1', 'a', 'interaction', 'logged', now - 9000);
      await activity('a2', 'a', 'appointment', 'booked', now - 5000); // begun: a contact
      await activity('a3', 'a', 'appointment', 'cancelled', now - 1000); // no contact
      await activity('a4', 'a', 'appointment', 'booked', now + 90_000); // next
      await activity('a5', 'a', 'appointment', 'booked', now + 50_000_000);
      await activity('a6', 'a', 'follow_up', 'open', now - 100); // neither
      await activity('b1', 'b', 'appointment', 'no_show', now - 100);
      await db.insertInto('notes').values({ id: 'n1', org_id: 'org', client_id: 'b', author_id: 'u', kind: 'general', body_ct: sealed, created_at: now - 700 }).execute();
      await migrateToLatest(db);
      const rows = await db.selectFrom('clients').select(['id', 'last_contact_at', 'next_appointment_at']).orderBy('id').execute();
      expect(rows.map((r) => [r.id, r.last_contact_at === null ? null : Number(r.last_contact_at), r.next_appointment_at === null ? null : Number(r.next_appointment_at)])).toEqual([
        ['a', now - 5000, now + 90_000],
        ['b', now - 700, null],
        ['c', null, null],
      ]);
    });
  },
  { migrate: false },
);
