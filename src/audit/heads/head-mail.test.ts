import { expect, it } from 'vitest';
import { mailDailyHead } from './head-mail.service.ts';
import { smtpMailer } from '../../platform/mail/mailer.ts';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';
import { startTestRelay } from '../../../test/support/smtp.ts';

const DAY = 86_400_000;

describeEachEngine('the daily signed head by e-mail', (t) => {
  it('mails each active owner of each organisation the newest head once a UTC day, with no client data, and not again after a restart', async () => {
    const a = await deployment(t());
    const b = await a.anotherOrganisation();
    // A second owner of A, and a disabled one: the disabled one gets nothing. Staff of other roles neither.
    const second = await a.addStaff('owner');
    const gone = await a.addStaff('owner');
    await a.deps.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', gone.id).execute();
    const admin = await a.addStaff('admin');
    const client = (await a.owner.request('POST', '/api/v1/clients', { name: 'Zebedee QZSURNAMEQ', email: 'qzmail@example.org' })).json().id;
    const head = (await a.deps.audit.signHead())!;

    const box = await startTestRelay();
    // Each message as its recipients (joined) and decoded text.
    const received = () => box.received.map((m) => ({ to: m.to.join(','), text: m.text }));
    const mailer = smtpMailer(`smtp://127.0.0.1:${box.port}`, 'confidant@crm.example');
    try {
      const owners = await a.deps.db.selectFrom('users').select('email').where('role', '=', 'owner').where('status', '=', 'active').orderBy('email').execute();
      expect(owners.map((o) => o.email)).toEqual(expect.arrayContaining([second.email]));
      const day1 = Date.UTC(2026, 11, 1, 0, 20);
      // The relay is down at first: one alert for the streak, nothing recorded, so the next run sends.
      const state = { failing: false };
      const down = { send: () => Promise.reject(new Error('connection refused')) };
      expect(await mailDailyHead(a.deps.audit, down, state, { now: day1 })).toBe(0);
      expect(await mailDailyHead(a.deps.audit, down, state, { now: day1 + 60_000 })).toBe(0);
      const failures = await a.deps.db.selectFrom('alerts').select('org_id').where('kind', '=', 'head_export_failed').execute();
      expect(failures.map((f) => f.org_id).sort()).toEqual([a.orgId, b.orgId].sort());

      expect(await mailDailyHead(a.deps.audit, mailer, state, { now: day1 + 15 * 60_000 })).toBe(owners.length);
      expect(received().map((m) => m.to).sort()).toEqual(owners.map((o) => o.email));
      expect(received().map((m) => m.to)).not.toContain(gone.email);
      expect(received().map((m) => m.to)).not.toContain(admin.email);
      // Later the same day, and after a restart (fresh state): nothing more.
      expect(await mailDailyHead(a.deps.audit, mailer, state, { now: day1 + 12 * 3_600_000 })).toBe(0);
      expect(await mailDailyHead(a.deps.audit, mailer, { failing: false }, { now: day1 + 23 * 3_600_000 })).toBe(0);
      expect(received()).toHaveLength(owners.length);

      const mail = received()[0]!.text;
      expect(mail).toContain('Subject: Confidant: signed audit head for 2026-12-01');
      for (const part of [`events (tree size): ${head.tree_size}`, `root hash:          ${head.root_hash}`, `signed at:          ${new Date(head.timestamp).toISOString()}`, head.key_id, 'confidant audit verify --head FILE']) expect(mail).toContain(part);
      expect(mail).toContain(JSON.stringify(head)); // the head as `audit head --json` prints it
      for (const secret of ['Zebedee', 'QZSURNAMEQ', 'qzmail', client]) expect(mail).not.toContain(secret);

      // The next day, each owner gets the day's newest head.
      expect(await mailDailyHead(a.deps.audit, mailer, state, { now: day1 + DAY })).toBe(owners.length);
      expect(received().at(-1)!.text).toContain('Subject: Confidant: signed audit head for 2026-12-02');
      const recorded = await a.deps.db.selectFrom('head_mails').select(['for_date', 'tree_size']).execute();
      expect(recorded).toHaveLength(owners.length * 2);
      expect(new Set(recorded.map((r) => Number(r.tree_size)))).toEqual(new Set([head.tree_size]));
    } finally {
      await box.close();
    }
  });
});
