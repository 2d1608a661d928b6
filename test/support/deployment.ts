import { afterAll, beforeAll, onTestFinished } from 'vitest';
import type { ClientDeps } from '../../src/clients/records/client.service.ts';
import type { Vault } from '../../src/platform/crypto/keystore.ts';
import type { StaffRole } from '../../src/platform/db/schema.ts';
import type { TestApp, buildTestApp } from './app.ts';
import type { TestDatabase } from './engines.ts';
import { type Browser, type OrgFixture, orgFixture } from './http.ts';
import { clientDeps, openTestVault } from './vault.ts';

/**
 * The deployment a test runs against, in one call instead of the same four set-up lines and two
 * clean-up lines in every file: a key store beside the test database, an organisation, and either
 * the client services alone (`services`) or the in-process HTTP app with the owner signed in
 * (`deployment`). Inside a test, the `…` functions open one for that test and close it when the test
 * finishes, passed or failed; in a describe body, the `use…` functions open one in beforeAll for the
 * whole suite and close it in afterAll.
 */

/** A key store, an organisation row and the client services over a test database (no HTTP app). */
export interface Services {
  vault: Vault & { schema?: string };
  deps: ClientDeps;
  /** The organisation's id ('' when opened with `orgId: null`). */
  orgId: string;
}

/** An organisation with its owner signed in to the in-process app, over its own key store. */
export interface Deployment extends OrgFixture {
  vault: Vault & { schema?: string };
  /** A new active staff member of `role`, signed in. */
  signInAs(role: StaffRole): Promise<Browser>;
  /** A second, separate organisation on the same app and key store (closed with this one). */
  anotherOrganisation(): Promise<OrgFixture & { signInAs(role: StaffRole): Promise<Browser> }>;
}

export interface DeploymentOptions {
  requireMfa?: boolean;
  /** An app built by the test (over `services`' deps), instead of the default one. */
  app?: TestApp;
  /** The configuration of the default app (a deployment's relay or public URL), instead of none. */
  appConfig?: Parameters<typeof buildTestApp>[1];
  /** A key store opened by the test; it is then the test's to close. */
  vault?: Vault & { schema?: string };
}

/** Opens the client services; `orgId: null` inserts no organisation row. */
async function openServices(t: TestDatabase, options: { orgId?: string | null } = {}): Promise<Services & { close(): Promise<void> }> {
  const vault = await openTestVault(t);
  try {
    const { deps, orgId } = options.orgId === undefined ? await clientDeps(t, vault) : await clientDeps(t, vault, options.orgId);
    return { vault, deps, orgId, close: () => vault.close() };
  } catch (error) {
    await vault.close();
    throw error;
  }
}

const withSignInAs = <T extends OrgFixture>(org: T) => Object.assign(org, { signInAs: async (role: StaffRole) => org.signIn((await org.addStaff(role)).email) });

async function openDeployment(t: TestDatabase, options: DeploymentOptions = {}): Promise<Deployment & { close(): Promise<void> }> {
  const vault = options.vault ?? (await openTestVault(t));
  const closeVault = options.vault ? async () => {} : () => vault.close();
  let org: OrgFixture;
  try {
    org = await orgFixture(t, vault, { ...(options.requireMfa ? { requireMfa: true } : {}), ...(options.app ? { app: options.app } : {}), ...(options.appConfig ? { appConfig: options.appConfig } : {}) });
  } catch (error) {
    await options.app?.app.close();
    await closeVault();
    throw error;
  }
  const anotherOrganisation = async () => withSignInAs(await orgFixture(t, vault, { app: org.app }));
  const close = async () => {
    try {
      await org.app.app.close();
    } finally {
      await closeVault();
    }
  };
  return Object.assign(withSignInAs(org), { vault, anotherOrganisation, close });
}

/** In a test: the client services over `t`, closed when the test finishes. */
export async function services(t: TestDatabase, options: { orgId?: string | null } = {}): Promise<Services> {
  const opened = await openServices(t, options);
  onTestFinished(() => opened.close());
  return opened;
}

/** In a test: an organisation and its HTTP app over `t`, closed (app, then key store) when the test finishes. */
export async function deployment(t: TestDatabase, options: DeploymentOptions = {}): Promise<Deployment> {
  const opened = await openDeployment(t, options);
  onTestFinished(() => opened.close());
  return opened;
}

/** In a describe body: the client services for the whole suite (opened in beforeAll, closed in afterAll). */
export function useServices(t: () => TestDatabase, options: { orgId?: string | null } = {}): Services {
  return suiteScoped('useServices', () => openServices(t(), options));
}

/** In a describe body: an organisation and its HTTP app for the whole suite (opened in beforeAll, closed in afterAll). */
export function useDeployment(t: () => TestDatabase, options: Omit<DeploymentOptions, 'app' | 'vault'> = {}): Deployment {
  return suiteScoped('useDeployment', () => openDeployment(t(), options));
}

/**
 * Registers the suite's open and close hooks and returns a stand-in that reads through to the opened
 * value: suites declare it once (`const org = useDeployment(t)`) and use it in hooks and tests.
 */
function suiteScoped<T extends object>(name: string, open: () => Promise<T & { close(): Promise<void> }>): T {
  let value: (T & { close(): Promise<void> }) | undefined;
  beforeAll(async () => {
    value = await open();
  });
  afterAll(async () => {
    await value?.close();
    value = undefined;
  });
  return new Proxy({} as T, {
    get(_target, property) {
      if (!value) throw new Error(`${name}(): the deployment is open only inside the suite's hooks and tests (read ${String(property)})`);
      return Reflect.get(value, property, value) as unknown;
    },
  });
}
