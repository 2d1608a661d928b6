import fc from 'fast-check';
import { beforeAll, expect, it } from 'vitest';
import { encodeLeaf } from '../src/audit/log/audit.encoding.ts';
import { AuditLog } from '../src/audit/log/audit.service.ts';
import { AUDIT_ACTIONS, type AuditEvent } from '../src/audit/log/audit.types.ts';
import { verifyLog } from '../src/audit/verify/audit.verify.ts';
import { leafHash } from '../src/audit/log/merkle.ts';
import { describeEachEngine } from './support/engines.ts';
import { dropAuditGuards } from './support/tamper.ts';
import { useServices } from './support/deployment.ts';

// Random mixes of events in every shape the log holds: with or without an organisation, naming no
// record, one, or many (duplicates included), any action, outcome and purpose text.
const eventArb: fc.Arbitrary<AuditEvent> = fc.record({
  time: fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
  orgId: fc.option(fc.constantFrom('org-a', 'org-b'), { nil: null }),
  actorType: fc.constantFrom('user', 'token', 'operator', 'system', 'anonymous'),
  actorId: fc.option(fc.constantFrom('user-1', 'user-2'), { nil: null }),
  action: fc.constantFrom(...AUDIT_ACTIONS),
  recordType: fc.option(fc.constantFrom('client', 'user', 'alert', 'organisation'), { nil: null }),
  recordIds: fc.oneof(fc.constant<string[]>([]), fc.array(fc.constantFrom('c1', 'c2', 'c3', 'c4'), { minLength: 1, maxLength: 3 }), fc.array(fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6'), { maxLength: 40 })),
  fields: fc.subarray(['name', 'email', 'phone', 'date_of_birth']),
  purpose: fc.option(fc.string({ unit: 'binary', maxLength: 24 }), { nil: null }),
  outcome: fc.constantFrom('allowed', 'denied', 'error'),
  requestId: fc.option(fc.constantFrom('req-1', 'req-2'), { nil: null }),
  ip: fc.option(fc.constantFrom('127.0.0.1', '::1'), { nil: null }),
});

type Tamper = 'leaf' | 'columns' | 'subject-added' | 'subject-removed' | 'deleted' | 'mac' | 'rehashed';
const EXPECTED_KIND: Record<Tamper, string> = { leaf: 'altered', columns: 'altered', 'subject-added': 'altered', 'subject-removed': 'altered', deleted: 'missing', mac: 'forged', rehashed: 'forged' };

const caseArb = fc.record({
  events: fc.array(eventArb, { minLength: 1, maxLength: 14 }),
  sequenceBatch: fc.integer({ min: 1, max: 6 }),
  signHead: fc.boolean(),
  rangeSize: fc.constantFrom(1, 2, 4, 8, 65_536),
  tamper: fc.record({
    pick: fc.nat(),
    what: fc.constantFrom<Tamper>('leaf', 'columns', 'subject-added', 'subject-removed', 'deleted', 'mac', 'rehashed'),
    position: fc.integer({ min: 2, max: 13 }),
    column: fc.constantFrom('time', 'org_id', 'actor_id', 'action'),
  }),
});

describeEachEngine('audit verify over random event mixes (property)', (t) => {
  const opened = useServices(t, { orgId: null });
  let audit: AuditLog;
  beforeAll(async () => {
    audit = opened.deps.audit;
    await dropAuditGuards(t().database.db); // each run starts from an empty log
  });

  it('passes on every untampered log, and names the one event that was tampered with', async () => {
    const db = t().database.db;
    const keys = { macKey: audit.macKey, publicKey: audit.publicKey.key };
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ events, sequenceBatch, signHead, rangeSize, tamper }) => {
        for (const table of ['audit_queue', 'audit_log', 'audit_subjects', 'audit_heads', 'audit_tree'] as const) await db.deleteFrom(table).execute();
        await db.transaction().execute((tx) => audit.appendManyInTx(tx, events));
        expect(await audit.sequence(sequenceBatch)).toBe(events.length);
        if (signHead) await audit.signHead();
        const clean = await verifyLog(db, keys, { rangeSize });
        expect(clean, JSON.stringify(clean.problem)).toMatchObject({ ok: true, size: events.length, headsChecked: signHead ? 1 : 0, queued: 0 });

        const index = tamper.pick % events.length;
        const row = await db.selectFrom('audit_log').selectAll().where('idx', '=', index).executeTakeFirstOrThrow();
        const subjects = await db.selectFrom('audit_subjects').selectAll().where('idx', '=', index).execute();
        const target = db.updateTable('audit_log').where('idx', '=', index);
        let what = tamper.what;
        if (what === 'subject-removed' && subjects.length === 0) what = 'subject-added';
        switch (what) {
          case 'leaf': {
            const leaf = JSON.parse(Buffer.from(row.leaf).toString());
            leaf[tamper.position] = leaf[tamper.position] === 'tampered' ? 'tampered again' : 'tampered';
            await target.set({ leaf: Buffer.from(JSON.stringify(leaf)) }).execute();
            break;
          }
          case 'columns': {
            const changed = { time: Number(row.time) + 1, org_id: row.org_id === null ? 'org-z' : null, actor_id: row.actor_id === null ? 'user-z' : null, action: row.action === 'client.read' ? 'client.update' : 'client.read' };
            await target.set({ [tamper.column]: changed[tamper.column] }).execute();
            break;
          }
          case 'subject-added':
            await db.insertInto('audit_subjects').values({ org_id: row.org_id ?? 'org-a', record_id: 'intruder', idx: index }).execute();
            break;
          case 'subject-removed':
            await db.deleteFrom('audit_subjects').where('idx', '=', index).where('record_id', '=', subjects[0]!.record_id).execute();
            break;
          case 'deleted':
            await db.deleteFrom('audit_log').where('idx', '=', index).execute();
            break;
          case 'mac':
            await target.set({ leaf_mac: Buffer.from(row.leaf_mac).map((b, i) => (i === 0 ? b ^ 1 : b)) }).execute();
            break;
          case 'rehashed': {
            // A well-formed leaf for the same index, its hash recomputed: only the MAC gives it away.
            const leaf = encodeLeaf(index, { ...events[index]!, actorId: 'someone-else' });
            await target.set({ leaf, leaf_hash: leafHash(leaf), actor_id: 'someone-else' }).execute();
            break;
          }
        }
        const result = await verifyLog(db, keys, { rangeSize });
        if (what === 'deleted' && index === events.length - 1) {
          // Removing the newest event is truncation: the sequencer's stored tree size (and any signed
          // head covering it) still counts it. (Cutting those too is what exported heads are for:
          // test/heads.test.ts.)
          expect(result.problem).toMatchObject({ index, kind: 'truncated' });
          return;
        }
        expect(result.ok).toBe(false);
        expect(result.problem, what).toMatchObject({ index, kind: EXPECTED_KIND[what] });
      }),
      { numRuns: 40 },
    );
  });
});
