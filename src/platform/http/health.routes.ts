import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Database, isReachable } from '../db/database.ts';
import { readMigrationStatus } from '../db/migrate.ts';

const health = z.object({ status: z.literal('ok') });
const readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ database: z.enum(['ok', 'unreachable']), migrations: z.enum(['current', 'pending', 'newer', 'unknown']) }),
});

/** `/healthz`: the process is up. `/readyz`: the database answers and its schema is current. */
export async function healthRoutes(app: FastifyInstance, options: { database: Database }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/healthz',
    {
      config: { policy: { access: 'public', reason: 'liveness probe; reveals nothing' } },
      schema: { tags: ['health'], summary: 'Liveness: the process is up', response: { 200: health } },
    },
    async () => ({ status: 'ok' as const }),
  );
  r.get(
    '/readyz',
    {
      config: { policy: { access: 'public', reason: 'readiness probe; reveals nothing' } },
      schema: { tags: ['health'], summary: 'Readiness: database reachable and migrations current', response: { 200: readiness, 503: readiness } },
    },
    async (_request, reply) => {
      const database = (await isReachable(options.database)) ? ('ok' as const) : ('unreachable' as const);
      const migrations = database === 'ok' ? await migrationState(options.database) : ('unknown' as const);
      const ready = database === 'ok' && migrations === 'current';
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { database, migrations } });
    },
  );
}

async function migrationState(database: Database): Promise<'current' | 'pending' | 'newer' | 'unknown'> {
  try {
    const status = await readMigrationStatus(database.db);
    if (status.unknown.length > 0) return 'newer';
    return status.pending.length > 0 ? 'pending' : 'current';
  } catch {
    return 'unknown';
  }
}
