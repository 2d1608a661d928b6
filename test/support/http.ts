import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { generateSync } from 'otplib';
import { createOrganisation, createOwner } from '../../src/auth/setup/setup.service.ts';
import { operatorContext } from '../../src/audit/log/operator.ts';
import type { ClientDeps } from '../../src/clients/records/client.service.ts';
import { hashPassword } from '../../src/platform/crypto/password-hash.ts';
import type { Vault } from '../../src/platform/crypto/keystore.ts';
import type { StaffRole } from '../../src/platform/db/schema.ts';
import { type TestApp, buildTestApp } from './app.ts';
import type { TestDatabase } from './engines.ts';
import { clientDeps } from './vault.ts';

export const STAFF_PASSWORD = 'staff passphrase for tests';
let staffHash: Promise<string> | undefined;

/** A signed-in browser: its cookie, and requests that send it (with the CSRF header on changes). */
export interface Browser {
  cookie: string;
  userId: string;
  request(method: InjectOptions['method'], url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** The session cookie value from a response, or null. */
export function sessionCookie(res: LightMyRequestResponse): string | null {
  const cookie = res.cookies.find((c) => c.name === '__Host-sid');
  return cookie ? cookie.value : null;
}

export function browser(app: FastifyInstance, cookie: string, userId = ''): Browser {
  const b: Browser = {
    cookie,
    userId,
    request: async (method, url, body, headers = {}) => {
      const res = await app.inject({
        method,
        url,
        headers: { cookie: `__Host-sid=${b.cookie}`, 'x-confidant-csrf': '1', ...headers },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      const next = sessionCookie(res);
      if (next) b.cookie = next;
      return res;
    },
  };
  return b;
}

/** An organisation with an owner, its app, and helpers to add staff and sign in. */
export interface OrgFixture {
  app: TestApp;
  deps: ClientDeps;
  orgId: string;
  ownerId: string;
  addStaff(role: StaffRole, email?: string): Promise<{ id: string; email: string }>;
  signIn(email: string, password?: string): Promise<Browser>;
  owner: Browser;
}

/**
 * Builds an organisation (MFA not required, unless `requireMfa`) on a test database, with its owner
 * signed in. A second call on the same database adds a second, separate organisation.
 */
export async function orgFixture(t: TestDatabase, vault: Vault, options: { requireMfa?: boolean; app?: TestApp; appConfig?: Parameters<typeof buildTestApp>[1] } = {}): Promise<OrgFixture> {
  const { deps } = await clientDeps(t, vault, null);
  const suffix = randomUUID().slice(0, 8);
  const created = await createOwnerAnywhere(deps, `owner-${suffix}@example.test`);
  const orgId = created.organisationId;
  await deps.db.updateTable('organisations').set({ require_mfa: options.requireMfa ? 1 : 0 }).where('id', '=', orgId).execute();
  const app = options.app ?? (await buildTestApp(t, options.appConfig ?? {}, deps));
  const signIn = async (email: string, password = STAFF_PASSWORD): Promise<Browser> => {
    const res = await app.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    if (res.statusCode !== 200) throw new Error(`sign-in failed for ${email}: ${res.body}`);
    const user = await deps.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    return browser(app.app, sessionCookie(res)!, user.id);
  };
  const addStaff = async (role: StaffRole, email = `${role}-${randomUUID().slice(0, 8)}@example.test`) => {
    staffHash ??= hashPassword(STAFF_PASSWORD);
    const id = randomUUID();
    const now = Date.now();
    await deps.db
      .insertInto('users')
      .values({ id, org_id: orgId, email, role, status: 'active', password_hash: await staffHash, created_at: now, updated_at: now, locked_at: null, last_failed_at: null, last_sign_in_at: null, totp_last_step: null, totp_secret_ct: null })
      .execute();
    return { id, email };
  };
  return { app, deps, orgId, ownerId: created.userId, addStaff, signIn, owner: await signIn(`owner-${suffix}@example.test`) };
}

async function createOwnerAnywhere(deps: ClientDeps, email: string) {
  // The first organisation is set up as a new deployment is; later ones as an operator adds them
  // (`confidant org create`).
  const existing = await deps.db.selectFrom('users').select('id').where('role', '=', 'owner').executeTakeFirst();
  const input = { email, password: STAFF_PASSWORD, organisationName: existing ? 'Practice B' : 'Practice A' };
  return existing ? createOrganisation(deps.db, deps.audit, input, operatorContext()) : createOwner(deps.db, input);
}

/** Every staff role, owner first. */
export const ROLES: readonly StaffRole[] = ['owner', 'admin', 'practitioner', 'reception', 'billing', 'marketing', 'auditor'];

/** The organisation's owner and a new, signed-in staff member of every other role. */
export async function signInEveryRole(org: OrgFixture): Promise<Record<StaffRole, Browser>> {
  const as = { owner: org.owner } as Record<StaffRole, Browser>;
  for (const role of ROLES.filter((r) => r !== 'owner')) as[role] = await org.signIn((await org.addStaff(role)).email);
  return as;
}

/** The current TOTP code for a base32 secret (what an authenticator app would show). */
export function totp(secret: string, at = Date.now()): string {
  return generateSync({ secret, epoch: Math.floor(at / 1000) });
}
