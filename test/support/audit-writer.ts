// A second (or third) "app instance" for the multi-writer audit test: it opens the deployment named
// by its environment and appends events as fast as it can, sequencing as it goes, then exits.
import { loadConfig } from '../../src/main/config.ts';
import { openDeployment } from '../../src/main/server.ts';

const count = Number(process.argv[2] ?? 100);
const tag = process.argv[3] ?? 'w';
const deployment = await openDeployment(loadConfig(process.env), process.env);
const writes: Promise<void>[] = [];
for (let i = 0; i < count; i++) {
  const event = {
    time: Date.now(),
    orgId: null,
    actorType: 'system' as const,
    actorId: `${tag}-${i}`,
    action: 'config.change' as const,
    recordType: null,
    recordIds: [],
    fields: [],
    purpose: null,
    outcome: 'allowed' as const,
    requestId: null,
    ip: null,
  };
  writes.push(i % 2 === 0 ? deployment.audit.record(event) : deployment.audit.append(event));
  if (i % 10 === 0) writes.push(deployment.audit.sequence().then(() => undefined));
}
await Promise.all(writes);
await deployment.close();
