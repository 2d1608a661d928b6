import { type Kysely, sql } from 'kysely';
import { binaryType } from '../database.ts';
import { sealedCheck } from './0002-clients.ts';

/** Sessions, MFA, invites, API tokens, caseloads, break-glass grants, alerts; org security settings. */
export async function up(db: Kysely<any>): Promise<void> {
  const bytes = binaryType(db);
  await db.schema.alterTable('organisations').addColumn('require_mfa', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('organisations').addColumn('idle_timeout_ms', 'bigint', (c) => c.notNull().defaultTo(15 * 60_000)).execute();
  await db.schema.alterTable('organisations').addColumn('absolute_timeout_ms', 'bigint', (c) => c.notNull().defaultTo(12 * 3_600_000)).execute();

  for (const [column, type] of [
    ['failed_logins', 'integer'],
    ['locked_at', 'bigint'],
    ['last_failed_at', 'bigint'],
    ['last_sign_in_at', 'bigint'],
    ['totp_last_step', 'bigint'],
  ] as const) {
    await db.schema.alterTable('users').addColumn(column, type, (c) => (column === 'failed_logins' ? c.notNull().defaultTo(0) : c)).execute();
  }
  // The TOTP secret, sealed like client data (Confidant ciphertext, checked below the application).
  await db.schema.alterTable('users').addColumn('totp_secret_ct', bytes, (c) => c.check(sealedCheck(db, 'totp_secret_ct'))).execute();
  await db.schema.alterTable('users').addColumn('totp_confirmed', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // A secret being enrolled is kept apart until confirmed, so re-enrolling never switches MFA off.
  await db.schema.alterTable('users').addColumn('totp_pending_ct', bytes, (c) => c.check(sealedCheck(db, 'totp_pending_ct'))).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('mfa_pending', 'mfa_enrolment', 'active')`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('authenticated_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('mfa_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();

  await db.schema
    .createTable('invites')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();

  await db.schema
    .createTable('caseload')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('caseload_pk', ['org_id', 'user_id', 'client_id'])
    .execute();
  await db.schema.createIndex('caseload_client_idx').on('caseload').columns(['org_id', 'client_id']).execute();

  await db.schema
    .createTable('break_glass')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('review_decision', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', 'bigint')
    .execute();
  await db.schema.createIndex('break_glass_grant_idx').on('break_glass').columns(['org_id', 'user_id', 'client_id', 'expires_at']).execute();

  await db.schema
    .createTable('alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('record_id', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'bigint')
    .execute();
  await db.schema.createIndex('alerts_org_idx').on('alerts').columns(['org_id', 'created_at']).execute();
}
