import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { decryptStringSync, encryptStringSync, generateKey, parseKeySync } from '@47ng/cloak';
import cs from 'ciphersweet-js';
import { BlindIndexer, type IndexVersion } from '../src/platform/crypto/blind-index.ts';
import { openField, sealField } from '../src/platform/datamap/record-codec.ts';
import { type Result, measure, printTable, ratio } from './harness.ts';

// Field crypto: encrypt then decrypt one e-mail-sized value (a realistic client field), through
// (a) bare node:crypto AES-256-GCM with a KeyObject — the floor; (b) Confidant's sealField/openField
// (format, context binding, encoding); (c) @47ng/cloak, the engine of prisma-field-encryption;
// (d) ciphersweet-js (encrypt + fast blind index + decrypt). Then blind indexes alone.
const N = Number(process.env.BENCH_FIELDS ?? 100_000);
const value = 'ada.lovelace.byron@analytical-engine.example';
const plaintext = Buffer.from(value);
const key = createSecretKey(randomBytes(32));
const aad = Buffer.from('confidant/v1\u0000org-1\u0000client\u0000email\u0000client-1');
const results: Result[] = [];

results.push(
  await measure('bare node:crypto AES-256-GCM', N, () => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', key, iv);
    c.setAAD(aad);
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    const tag = c.getAuthTag();
    const d = createDecipheriv('aes-256-gcm', key, iv);
    d.setAAD(aad);
    d.setAuthTag(tag);
    Buffer.concat([d.update(ct), d.final()]).toString('utf8');
  }),
);

const dataKey = { ref: { id: 42, version: 1 }, key };
const place = { orgId: 'org-1', recordType: 'client', recordId: 'client-1' };
const spec = { name: 'email', kind: 'email' as const };
results.push(await measure('confidant sealField+openField', N, () => openField(dataKey, place, spec, sealField(dataKey, place, spec, value))));

const cloakKey = parseKeySync(generateKey());
results.push(await measure('@47ng/cloak (sync)', N, () => decryptStringSync(encryptStringSync(value, cloakKey), cloakKey)));

const engine = new cs.CipherSweet(new cs.StringProvider(randomBytes(32).toString('hex')), new cs.FIPSCrypto());
const csField = new cs.EncryptedField(engine, 'clients', 'email');
csField.addBlindIndex(new cs.BlindIndex('email_idx', [], 16, true));
results.push(
  await measure('ciphersweet-js (FIPSCrypto, fast index)', Math.ceil(N / 20), async () => {
    const [ct] = await csField.prepareForStorage(value);
    await csField.decryptValue(ct);
  }),
);

const find = (name: string) => results.find((r) => r.name.startsWith(name));
printTable(
  `field crypto: encrypt + decrypt one ${plaintext.length}-byte field (ops = round trips)`,
  results,
  `ratio confidant ÷ bare node:crypto: ${ratio(find('confidant'), find('bare'))} (target ≥ 0.8×); confidant ÷ cloak: ${ratio(find('confidant'), find('@47ng'))} (target ≥ 3×); confidant ÷ ciphersweet: ${ratio(find('confidant'), find('ciphersweet'))}`,
);

// Blind indexes alone: HMAC-SHA-256 under an HKDF-derived per-field KeyObject, truncated.
const indexer = new BlindIndexer(null as never);
const version: IndexVersion = { version: 1, bits: 16, key: createSecretKey(randomBytes(32)), fieldKeys: new Map() };
const idx: Result[] = [];
idx.push(await measure('confidant blind index', N, () => indexer.hash(version, 'client', 'email', value)));
idx.push(await measure('ciphersweet-js fast blind index', Math.ceil(N / 20), () => csField.getBlindIndex(value, 'email_idx')));
printTable('blind index of one value (ops = index values)', idx, `ratio confidant ÷ ciphersweet-js fast index: ${ratio(idx[0], idx[1])}`);
