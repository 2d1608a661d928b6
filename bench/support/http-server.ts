// The HTTP benchmark's server: the real app over the deployment in CONFIDANT_DATA, plus one route the
// product does not have — the same client read without its audit event — as the baseline.
import { pino } from 'pino';
import { requireAuth } from '../../src/auth/sessions/authenticate.ts';
import { openRows } from '../../src/clients/records/client.service.ts';
import { findClientRow } from '../../src/clients/records/client.store.ts';
import { buildApp } from '../../src/main/app.ts';
import { loadConfig } from '../../src/main/config.ts';
import { openDeployment } from '../../src/main/server.ts';

const config = loadConfig(process.env);
const deployment = await openDeployment(config, process.env);
const { app } = await buildApp({ config, database: deployment.database, clients: deployment.clients, logger: pino({ level: 'silent' }), signInPerMinute: 1_000_000 });
app.get('/bench/unaudited/:id', { config: { policy: { access: 'authenticated', action: 'client.read' } } }, async (request) => {
  const { actor } = requireAuth(request);
  const row = await findClientRow(deployment.database.db, actor.orgId, (request.params as { id: string }).id);
  const [record] = await openRows(deployment.clients, actor.orgId, [row!], {});
  return { id: record!.id, fields: record!.fields };
});
await app.listen({ port: config.port, host: '127.0.0.1' });
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  await app.close();
  await deployment.close();
  process.exit(0);
});
