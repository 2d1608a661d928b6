import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../audit/log/index.ts';
import { type AccessContext, actorOf } from '../../audit/log/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { hashPassword } from '../../platform/crypto/index.ts';
import { hashToken, newToken } from '../../platform/crypto/index.ts';
import { refuseCardData } from '../../platform/datamap/index.ts';
import { AppError } from '../../platform/errors/index.ts';
import type { Job } from '../../platform/jobs/index.ts';
import { normalisePassword } from './password-policy.ts';
import * as store from './setup.store.ts';

/** How long a setup link stays valid. */
export const SETUP_LINK_TTL_MS = 24 * 60 * 60 * 1000;

export interface OwnerInput {
  email: string;
  password: string;
  organisationName: string;
}

export interface CreatedOwner {
  organisationId: string;
  userId: string;
}

/**
 * Issues a one-time setup link when the deployment has no owner yet, retiring any earlier unused
 * link so only the newest works. Returns null when an owner exists (no link is needed).
 * Only the token's hash is stored.
 */
export async function issueSetupLink(db: Db, baseUrl: string, now = Date.now()): Promise<{ url: string; expiresAt: number } | null> {
  const token = newToken();
  const expiresAt = now + SETUP_LINK_TTL_MS;
  const issued = await db.transaction().execute(async (tx) => {
    if ((await store.countOwners(tx)) > 0) return false;
    await store.retireUnusedSetupTokens(tx, now);
    await store.insertSetupToken(tx, hashToken(token), now, expiresAt);
    return true;
  });
  return issued ? { url: `${baseUrl}/setup?token=${encodeURIComponent(token)}`, expiresAt } : null;
}

/** True when `token` is a live setup token (unused, unexpired) and no owner exists yet. */
export async function isSetupTokenUsable(db: Db, token: string, now = Date.now()): Promise<boolean> {
  return (await store.countOwners(db)) === 0 && (await store.isSetupTokenLive(db, hashToken(token), now));
}

/** Removes setup tokens that expired or were used more than a day ago; returns how many. */
export async function purgeOldSetupTokens(db: Db, now = Date.now()): Promise<number> {
  return store.deleteSetupTokensBefore(db, now - 24 * 60 * 60 * 1000);
}

/** Scheduled job: keep the setup token table to live and recent tokens only. */
export const purgeSetupTokensJob: Job = {
  name: 'purge-setup-tokens',
  intervalMs: 60 * 60 * 1000,
  run: async ({ db, now }) => void (await purgeOldSetupTokens(db, now)),
};

/**
 * Completes setup through a setup link: consumes the token and creates the organisation and its
 * owner in one transaction. Caller: anyone holding the link (the token is the credential).
 *
 * @throws AppError TOKEN_INVALID when the token is unknown, used or expired (one code for all three);
 *   PASSWORD_REJECTED when the password breaks the policy; CONFLICT when an owner already exists;
 *   CARD_DATA_REFUSED when the organisation name or e-mail holds a card number (the link stays valid).
 */
export async function completeSetup(db: Db, token: string, input: OwnerInput, now = Date.now()): Promise<CreatedOwner> {
  const password = normalisePassword(input.password);
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (tx) => {
    if (!(await store.consumeSetupToken(tx, hashToken(token), now))) {
      throw new AppError('TOKEN_INVALID', 'this setup link is invalid, already used or expired; restart Confidant to get a new one');
    }
    return createOwnerIn(tx, input, passwordHash, now);
  });
}

/**
 * Creates the first organisation and its owner without a link (the operator's `confidant init`).
 *
 * @throws AppError CONFLICT when an owner already exists; PASSWORD_REJECTED as above.
 */
export async function createOwner(db: Db, input: OwnerInput, now = Date.now()): Promise<CreatedOwner> {
  const passwordHash = await hashPassword(normalisePassword(input.password));
  return db.transaction().execute(async (tx) => {
    const created = await createOwnerIn(tx, input, passwordHash, now);
    await store.retireUnusedSetupTokens(tx, now);
    return created;
  });
}

async function createOwnerIn(tx: Tx, input: OwnerInput, passwordHash: string, now: number): Promise<CreatedOwner> {
  if ((await store.countOwners(tx)) > 0) {
    throw new AppError('CONFLICT', 'Confidant is already set up: an owner account exists');
  }
  return createOrganisationIn(tx, input, passwordHash, now);
}

/**
 * Creates one more organisation with its owner, for operators who host several practices in one
 * deployment (`confidant org create`). Organisations share nothing but the deployment: each has its
 * own keys, staff, clients and settings (MFA required). Audited as `org.create` in the same transaction.
 *
 * Caller: the operator (the command line); there is no HTTP route for it.
 * @throws AppError CONFLICT when a staff account already uses the e-mail address (sign-in names are
 *   unique across the deployment); PASSWORD_REJECTED when the password breaks the policy.
 *
 * ### Examples
 * ```ts
 * const { organisationId } = await createOrganisation(db, audit, { email: 'owner@b.example', password, organisationName: 'Practice B' }, operatorContext());
 * ```
 */
export async function createOrganisation(db: Db, audit: AuditLog, input: OwnerInput, ctx: AccessContext, now = Date.now()): Promise<CreatedOwner> {
  const passwordHash = await hashPassword(normalisePassword(input.password));
  return db.transaction().execute(async (tx) => {
    const created = await createOrganisationIn(tx, input, passwordHash, now);
    await audit.appendInTx(tx, { time: now, orgId: created.organisationId, ...actorOf(ctx), action: 'org.create', recordType: 'organisation', recordIds: [], fields: [], outcome: 'allowed' });
    return created;
  });
}

/** The organisations of the deployment, oldest first: id, name, creation time and staff count. */
export async function listOrganisations(db: Db): Promise<Array<{ id: string; name: string; created_at: number; staff: number }>> {
  return store.listOrganisations(db);
}

async function createOrganisationIn(tx: Tx, input: OwnerInput, passwordHash: string, now: number): Promise<CreatedOwner> {
  refuseCardData({ organisation_name: input.organisationName, email: input.email });
  if ((await store.findUserIdByEmail(tx, input.email)) !== null) {
    throw new AppError('CONFLICT', 'a staff account with this e-mail address already exists');
  }
  const organisationId = randomUUID();
  const userId = randomUUID();
  await store.insertOrganisation(tx, { id: organisationId, name: input.organisationName, created_at: now });
  await store.insertUser(tx, { id: userId, org_id: organisationId, email: input.email, role: 'owner', password_hash: passwordHash, now });
  return { organisationId, userId };
}
