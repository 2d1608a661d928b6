import { type Kysely, sql } from 'kysely';
import { engineOf } from '../database.ts';

/**
 * The blind index in two orders, so that bulk imports never insert at random places of a large tree:
 *
 * - `client_terms`, keyed by client: the index rows a client has. Client ids are time-ordered, so new
 *   clients' rows land at the right edge of this tree. Deleting a client (erasure, merge) cascades here.
 * - `client_index`, keyed by value: what searches read. An import adds its rows here in key order, once,
 *   after its last batch (src/clients/index-merge.ts); a single create adds them directly. A trigger
 *   deletes a value row whenever its client row goes, so nothing outlives its client, and counts the
 *   deletion in `client_terms_epoch` so that a merge running meanwhile re-reads what it merges.
 *
 * `client_index` loses its foreign key and its client-id index (the value-ordered tree is then one
 * B-tree, not three); on SQLite both tables are WITHOUT ROWID.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = engineOf(db) === 'postgres';
  const rowid = postgres ? sql`` : sql` without rowid`;
  await sql`create table client_terms (
    client_id text not null references clients(id) on delete cascade,
    field text not null,
    key_version integer not null,
    value bigint not null,
    org_id text not null,
    primary key (client_id, field, key_version, value)
  )${rowid}`.execute(db);
  await sql`insert into client_terms (client_id, field, key_version, value, org_id)
    select client_id, field, key_version, value, org_id from client_index order by client_id, field, key_version, value`.execute(db);
  // Bumped by every deletion of an index row: a merge in progress learns that rows it has read may be
  // gone (src/clients/index-merge.ts).
  await sql`create table client_terms_epoch (id integer primary key, deletions bigint not null)`.execute(db);
  await sql`insert into client_terms_epoch (id, deletions) values (1, 0)`.execute(db);
  if (postgres) {
    await sql`do $$ declare c text; begin
      for c in select conname from pg_constraint where conrelid = 'client_index'::regclass and contype = 'f' loop
        execute format('alter table client_index drop constraint %I', c);
      end loop;
    end $$`.execute(db);
    await db.schema.dropIndex('client_index_client_idx').execute();
    await sql`create function client_terms_gone() returns trigger language plpgsql as $$
      begin
        update client_terms_epoch set deletions = deletions + 1 where id = 1;
        delete from client_index where org_id = old.org_id and field = old.field and key_version = old.key_version and value = old.value and client_id = old.client_id;
        return old;
      end $$`.execute(db);
    await sql`create trigger client_terms_gone after delete on client_terms for each row execute function client_terms_gone()`.execute(db);
  } else {
    await sql`create table client_index_by_value (
      org_id text not null,
      field text not null,
      key_version integer not null,
      value bigint not null,
      client_id text not null,
      primary key (org_id, field, key_version, value, client_id)
    ) without rowid`.execute(db);
    await sql`insert into client_index_by_value select org_id, field, key_version, value, client_id from client_index order by org_id, field, key_version, value, client_id`.execute(db);
    await sql`drop table client_index`.execute(db);
    await sql`alter table client_index_by_value rename to client_index`.execute(db);
    await sql`create trigger client_terms_gone after delete on client_terms begin
      update client_terms_epoch set deletions = deletions + 1 where id = 1;
      delete from client_index where org_id = old.org_id and field = old.field and key_version = old.key_version and value = old.value and client_id = old.client_id;
    end`.execute(db);
  }
  // The lowest client id an import has committed (its index rows are at or after it); null once the
  // import is finished and merged.
  await db.schema.alterTable('imports').addColumn('index_from', 'text').execute();
  // rows_done when a merge of the import's index rows last completed (the scheduler's merge of a
  // stopped import is not repeated until the import moves again).
  await db.schema.alterTable('imports').addColumn('index_merged_rows', 'bigint').execute();
  // When the import last committed a batch: an import that stopped moving long ago has crashed.
  await db.schema.alterTable('imports').addColumn('progress_at', 'bigint').execute();
}
