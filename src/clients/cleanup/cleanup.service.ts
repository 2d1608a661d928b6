import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { authorize } from '../../access/roles/index.ts';
import { KIND_SCHEMAS } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { Caller } from '../../access/gate/index.ts';
import { type ClientDeps, clientEvent, openRows } from '../records/index.ts';
import type { ClientStatus } from '../../platform/db/index.ts';
import { listCustomFields } from '../records/index.ts';
import { pageClientRows } from '../records/index.ts';
import * as store from './cleanup.store.ts';

/** Clean-up work reads every record's contact fields or lists the whole organisation: owners and admins. A refusal is audited. */
async function allow(deps: ClientDeps, caller: Caller, report: string): Promise<void> {
  if (authorize(caller.actor, 'client.erase', { orgId: caller.actor.orgId }).allowed) return;
  await deps.audit.record({ ...clientEvent(caller.ctx, caller.actor.orgId, 'access.denied', [], []), outcome: 'denied', purpose: report });
  throw new AppError('FORBIDDEN', 'owners and admins run clean-up reports');
}

export interface ValidationFinding {
  client_id: string;
  /** `email`, `phone`, or `custom.<name>` for a custom field of those kinds. */
  field: string;
  /** Why the value looks wrong — never the value itself. */
  reason: string;
}

// Misspellings of the largest mail providers: a reply to these bounces or reaches a stranger.
const MISTYPED_DOMAINS = new Set([
  'gmial.com', 'gamil.com', 'gmai.com', 'gmal.com', 'gmail.co', 'gmail.con', 'gmaill.com', 'gnail.com',
  'hotmial.com', 'hotmal.com', 'hotmai.com', 'hotmail.co', 'hotmail.con', 'hotamil.com',
  'yahooo.com', 'yaho.com', 'yahoo.co', 'yahoo.con', 'outlok.com', 'outloo.com', 'outlook.co', 'outlook.con',
  'iclod.com', 'icloud.co', 'icoud.com', 'aol.co',
]);

/** Why an e-mail address is malformed or likely mistyped, or null when it looks deliverable. */
export function emailProblem(value: string): string | null {
  if (!KIND_SCHEMAS.email.safeParse(value).success) return 'not an e-mail address';
  const domain = value.trim().toLowerCase().split('@').pop() ?? '';
  if (!/\.[a-z]{2,}$/.test(domain)) return 'the domain has no top-level part (such as .com)';
  if (domain.includes('..')) return 'the domain has an empty part';
  if (MISTYPED_DOMAINS.has(domain)) return 'the domain looks like a misspelt mail provider';
  return null;
}

/** Why a phone number cannot be dialled as stored, or null when it is a valid number. */
export function phoneProblem(value: string, region: Parameters<typeof parsePhoneNumberFromString>[1]): string | null {
  const parsed = parsePhoneNumberFromString(value.trim(), region);
  if (!parsed) return 'not a phone number';
  if (!parsed.isPossible()) return 'the number has the wrong length for its country';
  if (!parsed.isValid()) return 'not a valid number for its country';
  return null;
}

const PAGE = 500;

/**
 * The validation report: every client's e-mail and phone fields (built-in and custom) checked against
 * what can actually reach someone. Findings name the client, the field and the reason — never the
 * value. Each page of records it decrypts is audited (purpose "validation report").
 */
export async function validationReport(deps: ClientDeps, caller: Caller, limit = 1000): Promise<{ findings: ValidationFinding[]; checked: number; truncated: boolean }> {
  await allow(deps, caller, 'validation report');
  const { orgId } = caller.actor;
  // Only fields the caller may read are opened and judged (a reason says something about a value).
  const allCustom = await listCustomFields(deps.db, orgId);
  const readable = authorize(caller.actor, 'client.read', { orgId }, allCustom).readable;
  const builtIn = (['email', 'phone'] as const).filter((f) => readable.has(f));
  const custom = allCustom.filter((f) => (f.kind === 'email' || f.kind === 'phone') && readable.has(`custom.${f.name}`));
  const fields = [...builtIn, ...custom.map((f) => f.name)];
  if (fields.length === 0) return { findings: [], checked: 0, truncated: false };
  const findings: ValidationFinding[] = [];
  let checked = 0;
  for (let after = ''; ; ) {
    const rows = await pageClientRows(deps.db, orgId, after, PAGE);
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    const records = await openRows(deps, orgId, rows, { fields });
    await deps.audit.record(clientEvent({ ...caller.ctx, purpose: 'validation report' }, orgId, 'client.search', records.map((r) => r.id), [...builtIn, ...custom.map((f) => `custom.${f.name}`)]));
    for (const record of records) {
      checked++;
      const check = (field: string, kind: 'email' | 'phone', value: unknown) => {
        if (typeof value !== 'string' || value === '') return;
        const reason = kind === 'email' ? emailProblem(value) : phoneProblem(value, deps.normalise.phoneRegion);
        if (reason && findings.length < limit) findings.push({ client_id: record.id, field, reason });
      };
      for (const field of builtIn) check(field, field, record.fields[field]);
      for (const field of custom) check(`custom.${field.name}`, field.kind as 'email' | 'phone', record.custom[field.name]);
    }
    if (findings.length >= limit) return { findings, checked, truncated: true };
  }
  return { findings, checked, truncated: false };
}

export interface StaleClient {
  client_id: string;
  status: ClientStatus;
  created_at: string;
  updated_at: string;
  /** Latest interaction, appointment or note, if any. */
  last_activity_at: string | null;
}

/**
 * Clients nobody has touched in `days` days: not updated, no interaction, appointment or note since —
 * candidates for the retention and disposal work. Metadata only (ids, status, dates): nothing is
 * decrypted. The list is audited by client ids.
 */
export async function staleClients(deps: ClientDeps, caller: Caller, options: { days: number; after?: string; limit?: number; now?: number }): Promise<{ clients: StaleClient[]; next: string | null }> {
  await allow(deps, caller, 'stale records');
  const { orgId } = caller.actor;
  const limit = options.limit ?? 200;
  const cutoff = (options.now ?? Date.now()) - options.days * 86_400_000;
  const rows = await store.listStaleClients(deps.db, orgId, cutoff, options.after ?? '', limit + 1);
  const page = rows.slice(0, limit);
  if (page.length > 0) await deps.audit.record(clientEvent({ ...caller.ctx, purpose: 'stale records' }, orgId, 'client.search', page.map((r) => r.id), ['status']));
  const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
  return {
    clients: page.map((r) => ({ client_id: r.id, status: r.status, created_at: iso(r.created_at)!, updated_at: iso(r.updated_at)!, last_activity_at: iso(maxOf(r.last_activity, r.last_note)) })),
    next: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b === null ? null : Number(b);
  return b === null ? Number(a) : Math.max(Number(a), Number(b));
}
