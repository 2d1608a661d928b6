import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/support/cli.ts';
import { isAppError } from '../errors/app-error.ts';
import { envKeyProvider, newRootKeyBase64 } from './key-provider.ts';
import { openVault } from './keystore.ts';
import { rootKeyPath } from './root-key.ts';

const tempData = () => path.join(mkdtempSync(path.join(tmpdir(), 'confidant-ks-')), 'data');

describe('root key providers and start-up checks', () => {
  it('takes the root key from CONFIDANT_ROOT_KEY and refuses a different one later', async () => {
    const dataDir = tempData();
    const env = { CONFIDANT_ROOT_KEY: newRootKeyBase64() };
    const vault = await openVault(envKeyProvider(env), { dataDir });
    await vault.keyring.ensureOrgKey('org-1');
    await vault.close();
    expect(existsSync(rootKeyPath(dataDir))).toBe(false);

    const again = await openVault(envKeyProvider(env), { dataDir });
    expect(await again.keyring.ensureOrgKey('org-1')).toBe(1);
    await again.close();

    const wrong = await openVault(envKeyProvider({ CONFIDANT_ROOT_KEY: newRootKeyBase64() }), { dataDir }).catch((e: unknown) => e);
    expect(isAppError(wrong, 'KEY_UNAVAILABLE')).toBe(true);
    expect((wrong as Error).message).toContain('CONFIDANT_ROOT_KEY');
    const short = await openVault(envKeyProvider({ CONFIDANT_ROOT_KEY: 'c2hvcnQ=' }), { dataDir }).catch((e: unknown) => e);
    expect((short as Error).message).toBe('CONFIDANT_ROOT_KEY must be the base64 encoding of exactly 32 bytes');
  });

  it('stops start-up with a clear message when the root key file goes missing, creating nothing', async () => {
    const data = tempData();
    const init = await runCli(['init', '--owner-email', 'o@example.test'], { env: { CONFIDANT_DATA: data, CONFIDANT_OWNER_PASSWORD: 'a long enough passphrase' } });
    expect(init.code).toBe(0);
    // The owner exists; make the key store hold an organisation key, then lose the key file.
    const add = await runCli(['clients', 'add'], { env: { CONFIDANT_DATA: data }, input: '{"name":"Someone"}' });
    expect(add.code).toBe(0);
    rmSync(rootKeyPath(data));
    const result = await runCli(['migrate'], { env: { CONFIDANT_DATA: data } });
    expect(result.code).toBe(7);
    expect(result.stderr).toBe(`confidant: the root key file ${rootKeyPath(data)} is missing, and the key store needs it; restore it from your key backup\n`);
    expect(existsSync(rootKeyPath(data))).toBe(false);

    // The whole keys directory lost: refused too, instead of starting with every client unreadable.
    rmSync(path.dirname(rootKeyPath(data)), { recursive: true });
    const lost = await runCli(['clients', 'find', '--name', 'someone'], { env: { CONFIDANT_DATA: data } });
    expect(lost.code).toBe(7);
    expect(lost.stderr).toContain('restore it from your key backup');
  });
});
