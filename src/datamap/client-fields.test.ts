import { expect, it } from 'vitest';
import { describeEachEngine } from '../../test/support/engines.ts';
import { assertValidMap, searchableFields } from '../platform/datamap/datamap.ts';
import { CLIENT_FIELDS, CLIENT_MAP, columnOf } from './client-fields.ts';

describeEachEngine('client data map', (t) => {
  it('obeys the map rules: confidential and above encrypted, nothing restricted searchable', () => {
    expect(() => assertValidMap(CLIENT_MAP)).not.toThrow();
    expect(searchableFields(CLIENT_MAP).map((f) => f.name)).toEqual(['name', 'email', 'phone', 'identifiers']);
    for (const field of CLIENT_FIELDS) {
      expect(field.encrypted, field.name).toBe(true);
      expect(field.purpose.length, field.name).toBeGreaterThan(10);
    }
  });

  it('matches the live schema: one ciphertext column per field, and no ciphertext column the map does not declare', async () => {
    const tables = await t().database.db.introspection.getTables();
    const clients = tables.find((x) => x.name === 'clients')!;
    const sealedColumns = clients.columns.map((c) => c.name).filter((c) => c.endsWith('_ct'));
    expect(sealedColumns.sort()).toEqual(CLIENT_FIELDS.map((f) => columnOf(f.name)).sort());
    const plaintextColumns = clients.columns.map((c) => c.name).filter((c) => !c.endsWith('_ct'));
    // Every clear column is scheduling or segment metadata, added on purpose (cadence: migration 0014;
    // the contact dates the list is ordered by: 0031).
    expect(plaintextColumns.sort()).toEqual(['cadence_days', 'created_at', 'id', 'last_contact_at', 'next_appointment_at', 'org_id', 'status', 'updated_at']);
  });
});
