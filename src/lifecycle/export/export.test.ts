import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { deployment } from '../../../test/support/deployment.ts';

/** Exports of client records: age-encrypted by default, audited and alerted. */
describeEachEngine('exports', (t) => {
  it('exports what the exporter may read, age-encrypted by default, audited (and alerted); plaintext only when asked', async () => {
    const { Decrypter } = await import('age-encryption');
    const org = await deployment(t());
    const exported = (await org.owner.request('POST', '/api/v1/clients', { name: 'Export Me', email: 'export@example.org', date_of_birth: '1970-01-01' })).json().id;
    await org.owner.request('POST', '/api/v1/clients', { name: '=HYPERLINK("x")', email: 'formula@example.org' });
    // Session notes (and notes at all) never leave through an export.
    expect((await org.owner.request('POST', `/api/v1/clients/${exported}/notes`, { body: 'QZSESSIONEXPORTQ private session note', kind: 'session' })).statusCode).toBe(201);
    const encrypted = await org.owner.request('POST', '/api/v1/exports/clients', { format: 'csv', passphrase: 'a long export passphrase' });
    expect(encrypted.statusCode, encrypted.body).toBe(200);
    expect(encrypted.rawPayload.toString('latin1')).not.toContain('export@example.org');
    expect(encrypted.rawPayload.subarray(0, 21).toString()).toBe('age-encryption.org/v1');
    const decrypter = new Decrypter();
    decrypter.addPassphrase('a long export passphrase');
    const csvText = await decrypter.decrypt(new Uint8Array(encrypted.rawPayload), 'text');
    expect(csvText.split('\n')[0]).toBe(
      '"confidant_id","status","name","preferred_name","email","phone","postal_address.line1","postal_address.line2","postal_address.city","postal_address.region","postal_address.postcode","postal_address.country","date_of_birth","identifiers","tags","sensitive_tags","caseload","confidant_created_at","confidant_contact_preferences"',
    );
    expect(csvText).toContain('"export@example.org"');
    expect(csvText).toContain(`"'=HYPERLINK(""x"")"`); // formulas neutralised

    expect((await org.owner.request('POST', '/api/v1/exports/clients', { format: 'json' })).statusCode).toBe(400);
    const plain = await org.owner.request('POST', '/api/v1/exports/clients', { format: 'json', plaintext: true, purpose: 'migration' });
    expect(plain.body.trim().split('\n').map((l) => JSON.parse(l).name).sort()).toEqual(['=HYPERLINK("x")', 'Export Me']);
    expect(plain.body).not.toContain('QZSESSIONEXPORTQ');
    expect(csvText).not.toContain('QZSESSIONEXPORTQ');

    // The front desk may not export at all.
    const reception = await org.signInAs('reception');
    expect((await reception.request('POST', '/api/v1/exports/clients', { format: 'json', plaintext: true })).statusCode).toBe(403);
    await org.deps.audit.sequence();
    const exports = await org.deps.db.selectFrom('audit_log').select('leaf').where('action', '=', 'client.export').execute();
    const purposes = exports.map((e) => JSON.parse(Buffer.from(e.leaf).toString())[10]);
    expect(purposes).toContain('plaintext export: migration');
    // The purpose is kept in the append-only log: a code from a closed list, never free text.
    const freeText = await org.owner.request('POST', '/api/v1/exports/clients', { format: 'json', plaintext: true, purpose: 'QZCANARYQ for Jane Doe' });
    expect(freeText.statusCode).toBe(400);
    expect(freeText.body).not.toContain('QZCANARYQ');
    const { evaluateAlertRules } = await import('../../audit/alerts/alert-rules.ts');
    await evaluateAlertRules(org.deps.db, org.deps.audit);
    const alerts = (await org.owner.request('GET', '/api/v1/alerts')).json().alerts as { kind: string; detail: string }[];
    expect(alerts.some((a) => a.kind === 'export')).toBe(true);
    // The plaintext export came within a minute of the encrypted one, whose "export" alert covers
    // that window: it still raised its own alert.
    expect(alerts.filter((a) => a.kind === 'plaintext_export').map((a) => a.detail)).toEqual(['an unencrypted export of client records was started by a staff member (purpose migration)']);
  });
});
