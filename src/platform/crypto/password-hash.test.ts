import { argon2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hash.ts';

describe('Argon2id password hashing', () => {
  it('produces a standard PHC string with at least OWASP parameters and a fresh salt', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
  });

  it('verifies the right password and refuses a wrong or malformed one', async () => {
    const phc = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', phc)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', phc)).toBe(false);
    expect(await verifyPassword('x', 'not a hash')).toBe(false);
    expect(await verifyPassword('x', phc.replace('argon2id', 'argon2i'))).toBe(false);
  });

  it('encodes exactly the Argon2id tag of (password, salt, parameters)', async () => {
    const phc = await hashPassword('pässwörd with ünïcode');
    const [, , , , salt, tag] = phc.split('$');
    const expected = argon2Sync('argon2id', {
      message: Buffer.from('pässwörd with ünïcode'),
      nonce: Buffer.from(salt!, 'base64'),
      memory: 19456,
      passes: 2,
      parallelism: 1,
      tagLength: 32,
    });
    expect(Buffer.from(tag!, 'base64').equals(expected)).toBe(true);
  });
});
