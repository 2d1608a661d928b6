import { expect, it } from 'vitest';
import { describeEachEngine } from '../../../test/support/engines.ts';
import { verifyPassword } from '../../platform/crypto/password-hash.ts';
import { isAppError } from '../../platform/errors/app-error.ts';
import { SETUP_LINK_TTL_MS, completeSetup, createOwner, isSetupTokenUsable, issueSetupLink } from './setup.service.ts';

const PASSWORD = 'a long enough passphrase';
const owner = { email: 'owner@example.test', password: PASSWORD, organisationName: 'Practice' };
const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;

describeEachEngine('first-run setup', (t) => {
  it('issues a link only while there is no owner, stores only the token hash, and burns it on use', async () => {
    const { db } = t().database;
    const now = 1_800_000_000_000;
    const link = await issueSetupLink(db, 'http://127.0.0.1:8080', now);
    expect(link?.url).toMatch(/^http:\/\/127\.0\.0\.1:8080\/setup\?token=[A-Za-z0-9_-]{43}$/);
    expect(link?.expiresAt).toBe(now + SETUP_LINK_TTL_MS);
    const token = tokenOf(link!.url);

    const stored = await db.selectFrom('setup_tokens').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(token);
    expect(stored[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);

    expect(await isSetupTokenUsable(db, token, now)).toBe(true);
    const created = await completeSetup(db, token, owner, now + 1000);
    const user = await db.selectFrom('users').selectAll().where('id', '=', created.userId).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ role: 'owner', org_id: created.organisationId, email: 'owner@example.test', status: 'active' });
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // A new organisation requires MFA of every role from the start.
    expect((await db.selectFrom('organisations').select('require_mfa').where('id', '=', created.organisationId).executeTakeFirstOrThrow()).require_mfa).toBe(1);
    expect(await verifyPassword(PASSWORD, user.password_hash)).toBe(true);

    // Single use, and no new link once an owner exists.
    expect(await isSetupTokenUsable(db, token, now + 2000)).toBe(false);
    const again = await completeSetup(db, token, { ...owner, email: 'other@example.test' }, now + 2000).catch((e: unknown) => e);
    expect(isAppError(again, 'TOKEN_INVALID')).toBe(true);
    expect(await issueSetupLink(db, 'http://x', now + 3000)).toBeNull();
    expect(isAppError(await createOwner(db, { ...owner, email: 'b@example.test' }).catch((e: unknown) => e), 'CONFLICT')).toBe(true);
  });
});

describeEachEngine('setup link lifetime', (t) => {
  it('refuses an expired link, keeps only the newest link, and rejects a short password without burning the link', async () => {
    const { db } = t().database;
    const now = 1_800_000_000_000;
    const first = tokenOf((await issueSetupLink(db, 'http://h', now))!.url);
    const expired = await completeSetup(db, first, owner, now + SETUP_LINK_TTL_MS + 1).catch((e: unknown) => e);
    expect(isAppError(expired, 'TOKEN_INVALID')).toBe(true);

    const second = tokenOf((await issueSetupLink(db, 'http://h', now + 10))!.url);
    const third = tokenOf((await issueSetupLink(db, 'http://h', now + 20))!.url);
    expect(await isSetupTokenUsable(db, second, now + 30)).toBe(false);
    expect(await isSetupTokenUsable(db, third, now + 30)).toBe(true);

    const weak = await completeSetup(db, third, { ...owner, password: 'short' }, now + 40).catch((e: unknown) => e);
    expect(isAppError(weak, 'PASSWORD_REJECTED')).toBe(true);
    expect((weak as Error).message).not.toContain('short');
    expect(await isSetupTokenUsable(db, third, now + 50)).toBe(true);

    const unknown = await completeSetup(db, 'not-a-token', owner, now + 60).catch((e: unknown) => e);
    expect(isAppError(unknown, 'TOKEN_INVALID')).toBe(true);
    await expect(completeSetup(db, third, owner, now + 70)).resolves.toHaveProperty('userId');
  });

  it('lets exactly one of two simultaneous submissions of the same link win', async () => {
    const { db } = t().database;
    await db.deleteFrom('users').execute();
    await db.deleteFrom('organisations').execute();
    const token = tokenOf((await issueSetupLink(db, 'http://h'))!.url);
    const results = await Promise.allSettled([
      completeSetup(db, token, { ...owner, email: 'a@example.test' }),
      completeSetup(db, token, { ...owner, email: 'b@example.test' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await db.selectFrom('users').select('id').execute()).toHaveLength(1);
  });
});
