import { beforeAll, expect, it } from 'vitest';
import { AuditLog } from '../src/audit/log/audit.service.ts';
import type { AuditEvent } from '../src/audit/log/audit.types.ts';
import { verifyLog } from '../src/audit/verify/audit.verify.ts';
import { describeEachEngine } from './support/engines.ts';
import { dropAuditGuards } from './support/tamper.ts';
import { useServices } from './support/deployment.ts';

const event = (i: number): AuditEvent => ({ time: 1_800_000_000_000 + i, orgId: 'org-a', actorType: 'user', actorId: 'user-1', action: 'client.read', recordType: 'client', recordIds: [`c${i}`], fields: ['name'], purpose: null, outcome: 'allowed', requestId: null, ip: null });

describeEachEngine('audit verify finds a tail cut without its traces', (t) => {
  const opened = useServices(t, { orgId: null });
  let audit: AuditLog;
  beforeAll(async () => {
    audit = opened.deps.audit;
    await dropAuditGuards(t().database.db);
  });

  it('from the sequencer state, then from the record index, when no signed head covers the tail', async () => {
    const db = t().database.db;
    const keys = { macKey: audit.macKey, publicKey: audit.publicKey.key };
    await db.transaction().execute((tx) => audit.appendManyInTx(tx, Array.from({ length: 6 }, (_, i) => event(i))));
    expect(await audit.sequence(10)).toBe(6);
    expect(await verifyLog(db, keys)).toMatchObject({ ok: true, size: 6 });
    await db.deleteFrom('audit_log').where('idx', '>=', 4).execute();
    expect((await verifyLog(db, keys)).problem).toMatchObject({ index: 4, kind: 'truncated', message: expect.stringContaining("the sequencer's state records 6") });
    // The administrator sets the tree state back too: the record index still names the cut events.
    await db.updateTable('audit_tree').set({ size: 4 }).where('id', '=', 1).execute();
    expect((await verifyLog(db, keys)).problem).toMatchObject({ index: 4, kind: 'truncated', message: expect.stringContaining('the record index names event 4') });
    // With every trace inside the database cut, only an exported head can tell (test/heads.test.ts).
    await db.deleteFrom('audit_subjects').where('idx', '>=', 4).execute();
    expect(await verifyLog(db, keys)).toMatchObject({ ok: true, size: 4 });
  });
});
