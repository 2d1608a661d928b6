import { pino } from 'pino';
import { expect, it } from 'vitest';
import { describeEachEngine, type TestDatabase } from '../../../test/support/engines.ts';
import { issueSetupLink, purgeSetupTokensJob } from '../../auth/setup/setup.service.ts';
import { type Job, startScheduler } from './scheduler.ts';

const quiet = pino({ level: 'silent' });
const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** The database as a second app instance sees it (SQLite serves one process: the same handle). */
const secondInstance = (t: TestDatabase) => (t.engine === 'sqlite' ? Promise.resolve(t.database) : t.connectAgain());

describeEachEngine('scheduler', (t) => {
  it('runs jobs on exactly one leader, never overlapping, and hands over when the leader stops', async () => {
    const other = await secondInstance(t());
    let runs = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const job: Job = {
      name: 'count',
      intervalMs: 5,
      run: async () => {
        runs++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 20));
        concurrent--;
      },
    };
    const a = startScheduler({ database: t().database, logger: quiet, jobs: [job], retryMs: 20 });
    await until(() => a.isLeader());
    const b = startScheduler({ database: other, logger: quiet, jobs: [job], retryMs: 20 });
    await until(() => runs >= 3);
    expect(b.isLeader()).toBe(false);
    expect(maxConcurrent).toBe(1);

    await a.stop();
    await until(() => b.isLeader());
    const before = runs;
    await until(() => runs > before);
    await b.stop();
    expect(a.isLeader()).toBe(false);
    if (other !== t().database) await other.close();
  });

  it('purges setup tokens that expired or were used more than a day ago', async () => {
    const { db } = t().database;
    const day = 24 * 60 * 60 * 1000;
    const now = 1_900_000_000_000;
    await issueSetupLink(db, 'http://h', now - 3 * day); // expired 2 days ago
    await issueSetupLink(db, 'http://h', now); // live; retires the previous one as used at `now`
    await purgeSetupTokensJob.run({ db, now, logger: quiet });
    expect(await db.selectFrom('setup_tokens').select('expires_at').execute()).toEqual([{ expires_at: now + day }]);
  });
});
