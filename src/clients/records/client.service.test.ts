import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { clientDeps, openTestVault } from '../../../test/support/vault.ts';
import type { Vault } from '../../platform/crypto/keystore.ts';
import { isAppError } from '../../platform/errors/app-error.ts';
import { type ClientDeps, createClient, createClients, findClients, getClient, updateClient } from './client.service.ts';
import { defineCustomField } from './custom-field.service.ts';
import { operatorContext } from '../../audit/log/operator.ts';

const OP = operatorContext();

const ada = {
  name: 'Ada Lovelace-Byron',
  preferred_name: 'Ada',
  email: 'Ada.Lovelace@Example.org',
  phone: '020 7946 0958',
  postal_address: { line1: '12 St James Square', city: 'London', postcode: 'SW1Y 4JH', country: 'GB' },
  date_of_birth: '1815-12-10',
  identifiers: [{ scheme: 'nhs', value: '943 476 5919' }],
};

describeEachEngine('client records through the data map', (t) => {
  let vault: Vault;
  let deps: ClientDeps;
  let orgId: string;
  beforeAll(async () => {
    vault = await openTestVault(t());
    ({ deps, orgId } = await clientDeps(t(), vault));
  });
  afterAll(async () => vault.close());

  it('round-trips every field and returns only the fields asked for', async () => {
    const id = await createClient(deps, OP, orgId, ada);
    const record = await getClient(deps, OP, orgId, id);
    expect(record.fields).toEqual(ada);
    expect(record.status).toBe('active');
    const narrow = await getClient(deps, OP, orgId, id, { fields: ['name', 'email'] });
    expect(narrow.fields).toEqual({ name: ada.name, email: ada.email });
  });

  it('finds clients by normalised e-mail, phone, name words and identifier, re-checking every candidate', async () => {
    const [grace, alan] = await createClients(deps, OP, orgId, [
      { name: 'Grace Brewster Hopper', email: 'grace@navy.example', phone: '+1 (415) 555-2671', identifiers: [{ scheme: 'ssn', value: '078-05-1120' }] },
      { name: 'Alan Turing', email: 'alan@bletchley.example', phone: '01908 640404' },
    ]);
    const ids = async (field: 'email' | 'phone' | 'name' | 'identifiers', value: string) => (await findClients(deps, OP, orgId, { field, value })).map((r) => r.id);
    expect(await ids('email', '  GRACE@navy.EXAMPLE ')).toEqual([grace]);
    expect(await ids('phone', '+14155552671')).toEqual([grace]);
    expect(await ids('phone', '+44 1908 640404')).toEqual([alan]);
    expect(await ids('name', 'hopper grace')).toEqual([grace]);
    expect(await ids('name', 'ZOË')).toEqual([]);
    expect(await ids('name', 'turing')).toEqual([alan]);
    expect(await ids('name', 'alan hopper')).toEqual([]);
    expect(await ids('identifiers', 'ssn:078 05 1120')).toEqual([grace]);
    expect(await ids('identifiers', 'nhs:078-05-1120')).toEqual([]);
    expect(await ids('email', 'nobody@example.org')).toEqual([]);
  });

  it('folds accents and case in names', async () => {
    const id = await createClient(deps, OP, orgId, { name: "Zoë O'Brien" });
    expect((await findClients(deps, OP, orgId, { field: 'name', value: 'zoe obrien' })).map((r) => r.id)).toEqual([id]);
  });

  it('refuses bad input naming the field, never echoing the value', async () => {
    for (const [input, field] of [
      [{ name: '' }, 'name'],
      [{ name: 'X', email: 'CANARY-not-an-email' }, 'email'],
      [{ name: 'X', date_of_birth: '1815-13-45' }, 'date_of_birth'],
      [{ name: 'X', phone: 'CANARY' }, 'phone'],
      // A key the map does not have is counted, never repeated: a key can carry a value too.
      [{ name: 'X', shoe_size_CANARY: 'x' }, '1 unknown field (accepted: name, preferred_name, email'],
    ] as const) {
      const error = await createClient(deps, OP, orgId, input).catch((e: unknown) => e);
      expect(isAppError(error, 'VALIDATION_FAILED'), field).toBe(true);
      expect((error as Error).message).toContain(field);
      expect((error as Error).message).not.toContain('CANARY');
    }
  });

  it('stores custom fields with the same attributes, encrypted and searchable when declared so', async () => {
    const insurer = await defineCustomField(deps.db, orgId, { name: 'insurer_ref', label: 'Insurer reference', kind: 'text', classification: 'confidential', search: 'exact', purpose: 'bill the insurer' });
    await defineCustomField(deps.db, orgId, { name: 'referral_source', label: 'Referral source', kind: 'text', classification: 'internal', encrypted: false, purpose: 'know which channels work' });
    const id = await createClient(deps, OP, orgId, { name: 'Custom Person', custom: { insurer_ref: 'AXA 99-1', referral_source: 'web' } });
    expect((await getClient(deps, OP, orgId, id)).custom).toEqual({ insurer_ref: 'AXA 99-1', referral_source: 'web' });
    const stored = await deps.db.selectFrom('client_custom_values').selectAll().where('client_id', '=', id).execute();
    expect(stored.filter((r) => r.value_ct !== null)).toHaveLength(1);
    // null removes a custom value, its index rows with it; the others stay.
    const indexRows = () => deps.db.selectFrom('client_index').select('value').where('client_id', '=', id).where('field', '=', `custom:${insurer.id}`).execute();
    expect((await indexRows()).length).toBeGreaterThan(0);
    await updateClient(deps, OP, orgId, id, { custom: { insurer_ref: null } });
    expect((await getClient(deps, OP, orgId, id)).custom).toEqual({ referral_source: 'web' });
    expect(await indexRows()).toEqual([]);

    const bad = [
      { name: 'diagnosis', label: 'Diagnosis', kind: 'text', classification: 'restricted', search: 'exact', purpose: 'care' },
      { name: 'secret_plain', label: 'S', kind: 'text', classification: 'confidential', encrypted: false, purpose: 'care' },
      { name: 'email', label: 'E', kind: 'email', classification: 'confidential', purpose: 'clash' },
    ] as const;
    for (const def of bad) {
      const error = await defineCustomField(deps.db, orgId, def).catch((e: unknown) => e);
      expect(isAppError(error), def.name).toBe(true);
    }
  });

  it('answers NOT_FOUND for unknown ids and for clients of another organisation', async () => {
    const id = await createClient(deps, OP, orgId, { name: 'Org A client' });
    const other = await clientDeps(t(), vault);
    expect(isAppError(await getClient(deps, OP, other.orgId, id).catch((e: unknown) => e), 'NOT_FOUND')).toBe(true);
    expect(isAppError(await getClient(deps, OP, orgId, 'no-such-id').catch((e: unknown) => e), 'NOT_FOUND')).toBe(true);
    expect(await findClients(deps, OP, other.orgId, { field: 'name', value: 'Org A client' })).toEqual([]);
  });
});
