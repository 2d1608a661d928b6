import type { LoggedEvent } from '../../src/audit/log/index.ts';
import { decodeLeaf } from '../../src/audit/log/audit.encoding.ts';
import type { ClientDeps } from '../../src/clients/records/client.service.ts';

/** The organisation's sequenced audit events of one action, oldest first (sequenced first, so none is missed). */
export async function auditEventsOf(deps: Pick<ClientDeps, 'db' | 'audit'>, orgId: string, action: string): Promise<LoggedEvent[]> {
  await deps.audit.sequence();
  const rows = await deps.db.selectFrom('audit_log').select('leaf').where('action', '=', action).orderBy('idx').execute();
  return rows.map((r) => decodeLeaf(r.leaf)!).filter((e) => e.orgId === orgId);
}

/** The audit events one request wrote (matched by its request id), oldest first, each with its leaf as JSON text (`raw`, to search for values). */
export async function requestEvents(deps: Pick<ClientDeps, 'db' | 'audit'>, res: { headers: Record<string, unknown> }): Promise<(LoggedEvent & { raw: string })[]> {
  await deps.audit.sequence();
  const rows = await deps.db.selectFrom('audit_log').select('leaf').orderBy('idx').execute();
  return rows
    .map((r) => ({ event: decodeLeaf(r.leaf)!, raw: Buffer.from(r.leaf).toString() }))
    .filter(({ event }) => event.requestId === res.headers['x-request-id'])
    .map(({ event, raw }) => ({ ...event, raw }));
}
