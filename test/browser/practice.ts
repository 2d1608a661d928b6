/**
 * A practice for the browser journeys, made over the HTTP API of a real `confidant serve`: the owner
 * (created by `confidant init`) signs in and enrols TOTP, then invites staff, who accept, sign in and
 * enrol TOTP too. Each person comes back with their TOTP secret, for the journey to sign in with.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { generateSync } from 'otplib';
import type { Page } from 'playwright-core';
import { freePort, runCli, startServe } from '../support/cli.ts';
import { type GatedBrowser, launchGated } from './gates.ts';

/** A cookie session on the API, as a browser would hold it (same CSRF header as the web app). */
export function apiSession(base: string) {
  let cookie = '';
  return async (method: string, p: string, body?: object) => {
    const res = await fetch(`${base}${p}`, { method, headers: { 'content-type': 'application/json', 'x-confidant-csrf': '1', ...(cookie ? { cookie } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0]!;
    return res;
  };
}
export type ApiCall = ReturnType<typeof apiSession>;

/** Signs in with a password and enrols an authenticator app; returns the session and the secret. */
async function enrol(base: string, person: { email: string; password: string }): Promise<{ call: ApiCall; secret: string }> {
  const call = apiSession(base);
  expect((await call('POST', '/api/v1/auth/login', person)).status).toBe(200);
  const { secret } = (await (await call('POST', '/api/v1/auth/mfa/totp')).json()) as { secret: string };
  expect((await call('POST', '/api/v1/auth/mfa/totp/confirm', { code: generateSync({ secret }) })).status).toBe(200);
  return { call, secret };
}

/** The owner, signed in over the API with TOTP enrolled, invites `email` as `role`; returns the invitation link. */
export async function inviteOverApi(base: string, owner: { email: string; password: string }, email: string, role = 'practitioner'): Promise<string> {
  const { call } = await enrol(base, owner);
  const invited = await call('POST', '/api/v1/staff/invites', { email, role });
  expect(invited.status).toBe(201);
  return ((await invited.json()) as { invite_url: string }).invite_url;
}

export interface Person {
  email: string;
  password: string;
  secret: string;
  userId: string;
  /** The person's own API session (for setting the scene, never for the journey's steps). */
  call: ApiCall;
}

/** The owner and the staff asked for, each with TOTP enrolled. */
export async function practiceOverApi(base: string, owner: { email: string; password: string }, staff: { email: string; password: string; role: string }[]): Promise<{ owner: Person; staff: Person[] }> {
  const o = await enrol(base, owner);
  const people: Person[] = [];
  for (const s of staff) {
    const invited = await o.call('POST', '/api/v1/staff/invites', { email: s.email, role: s.role });
    expect(invited.status).toBe(201);
    const token = new URL(((await invited.json()) as { invite_url: string }).invite_url).searchParams.get('token')!;
    expect((await apiSession(base)('POST', '/api/v1/invites/accept', { token, password: s.password })).status).toBeLessThan(300);
    const e = await enrol(base, s);
    people.push({ ...s, ...e, userId: ((await (await e.call('GET', '/api/v1/auth/me')).json()) as { user_id: string }).user_id });
  }
  const ownerId = ((await (await o.call('GET', '/api/v1/auth/me')).json()) as { user_id: string }).user_id;
  return { owner: { ...owner, ...o, userId: ownerId }, staff: people };
}

/** Signs in through the web app's pages with a password and the authenticator's current code. */
export async function signInWithTotp(page: Page, origin: string, person: { email: string; password: string; secret: string }): Promise<void> {
  await page.goto(`${origin}/sign-in`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('E-mail address').fill(person.email);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // A code is good once, and enrolment used this period's: the next period's is accepted too (one step of drift).
  await page.getByRole('textbox', { name: 'Code' }).fill(generateSync({ secret: person.secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('whoami').filter({ hasText: person.email }).waitFor({ state: 'attached' });
}

/** A journey's practice: a fresh `confidant serve` with its owner and staff, and the browsers it opens. */
export interface Journey {
  marker: string;
  env: NodeJS.ProcessEnv;
  /** The server's address (its origin) and the base URL the API helpers take. */
  origin: string;
  url: string;
  owner: Person;
  staff: Person[];
  /** Gate findings; the journey fails at the end unless there are none. */
  problems: string[];
  /** Opens a gated Chromium, screenshotted to /tmp/failed-<label>-<name>.png if the journey fails, closed at its end. */
  browser(name: string, options?: Parameters<typeof launchGated>[2]): Promise<GatedBrowser>;
  /** With CONFIDANT_SCREENSHOTS set: the page in dark and in light (`name-dark.png`, `name.png`), left in light. */
  shot(page: Page, name: string): Promise<void>;
}

/**
 * Runs a browser journey against a practice of its own: `confidant init` (owner `owner.<marker>@…`),
 * `confidant serve`, then the staff asked for (`<name>.<marker>@example.test`), each with TOTP
 * enrolled over the API. Whatever happens, the browsers close, the server stops and its data goes.
 */
export async function withPractice(label: string, staff: { name: string; role: string }[], journey: (j: Journey) => Promise<void>): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), `confidant-browser-${label}-`));
  const marker = randomBytes(5).toString('hex');
  const owner = { email: `owner.${marker}@example.test`, password: `owner ${marker} long passphrase` };
  const env = { CONFIDANT_DATA: path.join(root, 'data') };
  expect((await runCli(['init', '--owner-email', owner.email, '--org-name', `Harbour ${marker}`], { env: { ...env, CONFIDANT_OWNER_PASSWORD: owner.password } })).code).toBe(0);
  const serve = await startServe({ ...env, PORT: String(await freePort()), HOST: '127.0.0.1' });
  const browsers = new Map<string, GatedBrowser>();
  const problems: string[] = [];
  try {
    const people = await practiceOverApi(serve.url, owner, staff.map((s) => ({ email: `${s.name}.${marker}@example.test`, password: `${s.name} ${marker} passphrase`, role: s.role })));
    await journey({
      marker,
      env,
      origin: new URL(serve.url).origin,
      url: serve.url,
      owner: people.owner,
      staff: people.staff,
      problems,
      browser: async (name, options) => {
        const launched = await launchGated(new URL(serve.url).origin, 'light', options);
        browsers.set(name, launched);
        return launched;
      },
      shot: async (page, name) => {
        const dir = process.env.CONFIDANT_SCREENSHOTS;
        if (!dir) return;
        for (const colorScheme of ['dark', 'light'] as const) {
          await page.emulateMedia({ colorScheme });
          await page.screenshot({ path: path.join(dir, `${name}${colorScheme === 'dark' ? '-dark' : ''}.png`), fullPage: true });
        }
      },
    });
  } catch (error) {
    for (const [name, b] of browsers) await b.page.screenshot({ path: `/tmp/failed-${label}-${name}.png`, fullPage: true }).catch(() => undefined);
    throw error;
  } finally {
    for (const b of browsers.values()) await b.close();
    serve.child.kill('SIGTERM');
    await serve.exited;
    rmSync(root, { recursive: true, force: true });
  }
  expect(problems).toEqual([]);
}
