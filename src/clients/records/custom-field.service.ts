import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { assertValidField } from '../../platform/datamap/index.ts';
import { CLASSIFICATIONS, type FieldSpec } from '../../platform/datamap/index.ts';
import type { CustomFieldTable, Db } from '../../platform/db/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import { CLIENT_FIELDS } from '../../datamap/index.ts';
import * as store from './client.store.ts';

/** A custom field: the data map's attributes plus its id (used in ciphertext context and indexes). */
export interface CustomFieldSpec extends FieldSpec {
  id: string;
}

/** An admin's definition of a custom field, parsed at the boundary. */
export const customFieldDefinition = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be 1-40 lower-case letters, digits or underscores, starting with a letter'),
  label: z.string().trim().min(1).max(100),
  kind: z.enum(['text', 'email', 'phone', 'date', 'address', 'identifiers']),
  classification: z.enum(CLASSIFICATIONS as [string, ...string[]]).transform((v) => v as FieldSpec['classification']),
  encrypted: z.boolean().default(true),
  search: z.enum(['none', 'exact']).default('none'),
  purpose: z.string().trim().min(3, 'must say why the field is collected').max(300),
  // A custom value lives in the client record and dies with it; what the law keeps after an erasure
  // (invoices) is built in, under the retained-records key.
  retention: z.literal('client-record', { error: 'custom fields are kept as long as the client record (client-record); records the law keeps after an erasure are built in' }).default('client-record'),
  export: z.enum(['include', 'exclude']).default('include'),
  /** Default: `crypto-shred` for encrypted fields, `delete` for plaintext ones (which no key can shred). */
  erase: z.enum(['crypto-shred', 'delete']).optional(),
});
export type CustomFieldDefinition = z.input<typeof customFieldDefinition>;

/** A definition as stored; re-checked on every load, since the database is not trusted. */
function toSpec(row: CustomFieldTable): CustomFieldSpec {
  const spec = rowToSpec(row);
  try {
    assertValidField(spec);
  } catch {
    throw new AppError('INTEGRITY_ERROR', `the stored definition of custom field ${row.id} breaks the data map rules`);
  }
  return spec;
}

function rowToSpec(row: CustomFieldTable): CustomFieldSpec {
  return {
    id: row.id,
    name: row.name,
    label: row.label,
    kind: row.kind as FieldSpec['kind'],
    classification: row.classification as FieldSpec['classification'],
    encrypted: row.encrypted === 1,
    search: row.search as FieldSpec['search'],
    group: 'custom',
    purpose: row.purpose,
    retention: row.retention as FieldSpec['retention'],
    export: row.export as FieldSpec['export'],
    erase: row.erase as FieldSpec['erase'],
    required: false,
  };
}

/**
 * Declares a custom client field for an organisation, with the same attributes as built-in fields
 * and the same rules (confidential and above encrypted; restricted and secret never searchable).
 *
 * @throws AppError VALIDATION_FAILED for a bad definition; CONFLICT when the name is taken; CARD_DATA_REFUSED
 *   when the label or purpose holds a card number.
 */
export async function defineCustomField(db: Db, orgId: string, input: CustomFieldDefinition, now = Date.now()): Promise<CustomFieldSpec> {
  const parsed = customFieldDefinition.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('VALIDATION_FAILED', `custom field ${String(issue?.path.join('.') ?? '')}: ${issue?.message ?? 'invalid'}`);
  }
  const def = { ...parsed.data, erase: parsed.data.erase ?? (parsed.data.encrypted ? 'crypto-shred' : 'delete') };
  if (!def.encrypted && def.erase === 'crypto-shred') throw new AppError('VALIDATION_FAILED', 'custom field erase: a field that is not encrypted cannot be crypto-shredded; use erase "delete"', { field: def.name });
  refuseCardData({ label: def.label, purpose: def.purpose });
  const row: CustomFieldTable = { id: randomUUID(), org_id: orgId, record_type: 'client', ...def, encrypted: def.encrypted ? 1 : 0, created_at: now };
  const spec = rowToSpec(row);
  assertValidField(spec);
  if (CLIENT_FIELDS.some((f) => f.name === def.name)) throw new AppError('CONFLICT', `${def.name} is a built-in client field`);
  if ((await store.listCustomFields(db, orgId, 'client')).some((f) => f.name === def.name)) {
    throw new AppError('CONFLICT', `a custom field named ${def.name} already exists`);
  }
  await store.insertCustomField(db, row);
  return spec;
}

/** The organisation's custom client fields. */
export async function listCustomFields(db: Db, orgId: string): Promise<CustomFieldSpec[]> {
  return (await store.listCustomFields(db, orgId, 'client')).map(toSpec);
}
