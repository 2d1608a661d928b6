import type { Logger } from 'pino';
import type { Database, Db, Leadership } from '../db/database.ts';

/** A piece of scheduled work. It must be idempotent: a new leader may repeat a run. */
export interface Job {
  name: string;
  /** How often it runs while this process leads; it also runs once on gaining leadership. */
  intervalMs: number;
  run(context: { db: Db; now: number; logger: Logger }): Promise<void>;
}

export interface Scheduler {
  isLeader(): boolean;
  /** Stops every job (waiting for running ones) and gives up leadership. */
  stop(): Promise<void>;
}

const LEADER_LOCK = 'confidant-scheduler';

/**
 * Runs scheduled jobs on exactly one process among all that share the database: each process keeps
 * trying to take the leader lock (every `retryMs`); the holder runs the jobs; if its lock connection
 * drops it stops and goes back to trying. A run of a job never overlaps the previous run of the same
 * job. Job failures are logged and do not stop the scheduler.
 */
export function startScheduler(options: { database: Database; logger: Logger; jobs: Job[]; retryMs?: number }): Scheduler {
  const { database, logger, jobs } = options;
  const retryMs = options.retryMs ?? 5000;
  let leadership: Leadership | null = null;
  let stopped = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const timers: NodeJS.Timeout[] = [];
  const running = new Map<string, Promise<void>>();

  const runJob = (job: Job) => {
    if (running.has(job.name) || !leadership) return;
    const run = job
      .run({ db: database.db, now: Date.now(), logger })
      .catch((error: unknown) => logger.error({ err: error, job: job.name }, 'scheduled job failed'))
      .finally(() => running.delete(job.name));
    running.set(job.name, run);
  };

  const lead = (held: Leadership) => {
    leadership = held;
    logger.info('scheduler: this process leads scheduled jobs');
    for (const job of jobs) {
      runJob(job);
      timers.push(setInterval(() => runJob(job), job.intervalMs));
    }
    held.lost.then(() => {
      if (stopped || leadership !== held) return;
      logger.warn('scheduler: leadership lost; retrying');
      resign();
      retryTimer = setTimeout(attempt, retryMs);
    });
  };

  const resign = () => {
    for (const timer of timers.splice(0)) clearInterval(timer);
    leadership = null;
  };

  const attempt = async () => {
    if (stopped) return;
    const held = await database.tryLeadership(LEADER_LOCK).catch(() => null);
    if (stopped) {
      await held?.release();
      return;
    }
    if (held) lead(held);
    else retryTimer = setTimeout(attempt, retryMs);
  };

  void attempt();
  return {
    isLeader: () => leadership !== null,
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const held = leadership;
      resign();
      await Promise.all(running.values());
      await held?.release();
    },
  };
}
