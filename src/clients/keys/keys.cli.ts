import { operatorContext } from '../../audit/log/index.ts';
import { type Output, print, progressReporter } from '../../platform/cli/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { ClientCommandContext } from '../records/index.ts';
import { clientEvent } from '../records/index.ts';
import { rotateClientKey, rotateIndexKey, rotateOrgKey } from './client-keys.service.ts';

/** `confidant keys rotate --org | --index | --client ID` (root rotation is wired in src/main). */
export async function rotateClientKeys(ctx: ClientCommandContext, out: Output, which: { org?: boolean; index?: boolean; client?: string; expectedClients?: string }): Promise<void> {
  const { deps, orgId } = ctx;
  const audited = (purpose: string, recordIds: string[]) =>
    deps.audit.record({ ...clientEvent(operatorContext(purpose), orgId, 'keys.rotate', recordIds, []), recordType: recordIds.length > 0 ? 'client' : 'key' });
  if (which.client) {
    const version = await rotateClientKey(deps, orgId, which.client);
    await audited('client data key', [which.client]);
    print(out, `Client ${which.client} re-encrypted under data key version ${version}.`, { rotated: 'client', client_id: which.client, version });
    return;
  }
  const expectedClients = which.expectedClients === undefined ? undefined : Number(which.expectedClients);
  if (expectedClients !== undefined && (!Number.isInteger(expectedClients) || expectedClients < 1)) {
    throw new AppError('VALIDATION_FAILED', '--expected-clients must be a whole number of at least 1');
  }
  const progress = progressReporter(out, which.org ? 'rewrapping data keys' : 'rebuilding blind indexes');
  let version: number;
  try {
    version = which.org ? await rotateOrgKey(deps, orgId, progress.update) : await rotateIndexKey(deps, orgId, progress.update, { expectedClients });
  } finally {
    progress.stop();
  }
  const kind = which.org ? 'organisation' : 'index';
  await audited(`${kind} key`, []);
  print(out, `Rotated the ${kind} key: now version ${version}.`, { rotated: kind, version });
}
