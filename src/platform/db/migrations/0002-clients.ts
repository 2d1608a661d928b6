import { type Kysely, sql } from 'kysely';
import { MIN_SEALED_BYTES } from '../../crypto/aead.ts';
import { binaryType, engineOf } from '../database.ts';

/**
 * A database-level guard: the column holds Confidant ciphertext (format byte 0x01, at least a header,
 * nonce and tag), so plaintext can never be written to it, by the application or by anyone else.
 */
export function sealedCheck(db: Kysely<any>, column: string) {
  const c = sql.ref(column);
  return engineOf(db) === 'postgres'
    ? sql`${c} is null or (octet_length(${c}) >= ${sql.lit(MIN_SEALED_BYTES)} and get_byte(${c}, 0) = 1)`
    : sql`${c} is null or (typeof(${c}) = 'blob' and length(${c}) >= ${sql.lit(MIN_SEALED_BYTES)} and substr(${c}, 1, 1) = x'01')`;
}

/** Clients (one ciphertext column per data-map field), blind indexes, custom fields, erasure mirror. */
export async function up(db: Kysely<any>): Promise<void> {
  const bytes = binaryType(db);
  let clients = db.schema
    .createTable('clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('lead', 'active', 'inactive', 'former')`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull());
  // One ciphertext column per client field of the data map as it stood at this migration; a test
  // holds the data map and the live schema together.
  for (const [column, required] of [
    ['name_ct', true],
    ['preferred_name_ct', false],
    ['email_ct', false],
    ['phone_ct', false],
    ['postal_address_ct', false],
    ['date_of_birth_ct', false],
    ['identifiers_ct', false],
  ] as const) {
    clients = clients.addColumn(column, bytes, (c) => (required ? c.notNull() : c).check(sealedCheck(db, column)));
  }
  await clients.execute();
  await db.schema.createIndex('clients_org_idx').on('clients').columns(['org_id', 'created_at']).execute();

  await db.schema
    .createTable('client_index')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('key_version', 'integer', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('client_index_pk', ['org_id', 'field', 'key_version', 'value', 'client_id'])
    .execute();
  await db.schema.createIndex('client_index_client_idx').on('client_index').column('client_id').execute();

  await db.schema
    .createTable('custom_fields')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('record_type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) => c.notNull())
    .addColumn('encrypted', 'integer', (c) => c.notNull())
    .addColumn('search', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('retention', 'text', (c) => c.notNull())
    .addColumn('export', 'text', (c) => c.notNull())
    .addColumn('erase', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('custom_fields_name_uq', ['org_id', 'record_type', 'name'])
    // The data map's rules, enforced below the application too: a definition edited in the database
    // cannot make a confidential field plaintext or a restricted field searchable.
    .addCheckConstraint('custom_fields_encrypted_rule', sql`encrypted = 1 or classification in ('public', 'internal')`)
    .addCheckConstraint('custom_fields_search_rule', sql`search = 'none' or (encrypted = 1 and classification in ('public', 'internal', 'confidential'))`)
    .addCheckConstraint('custom_fields_kind_rule', sql`kind in ('text', 'email', 'phone', 'date', 'address', 'identifiers')`)
    .execute();

  await db.schema
    .createTable('client_custom_values')
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('field_id', 'text', (c) => c.notNull().references('custom_fields.id'))
    .addColumn('value_ct', bytes, (c) => c.check(sealedCheck(db, 'value_ct')))
    .addColumn('value_plain', 'text')
    .addPrimaryKeyConstraint('client_custom_values_pk', ['client_id', 'field_id'])
    .addCheckConstraint('client_custom_values_one_value', sql`(value_ct is null) <> (value_plain is null)`)
    .execute();

  // A copy of the key store's erasure ledger, so that a data copy restored from before an erasure is
  // purged of that client when opened (and a restored key store is purged of the key).
  await db.schema
    .createTable('erasure_ledger')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('erased_at', 'bigint', (c) => c.notNull())
    .addColumn('mac', 'text', (c) => c.notNull())
    .execute();
}
