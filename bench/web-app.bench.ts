import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { faker } from '@faker-js/faker';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { generateSync } from 'otplib';
import { createOwner } from '../src/auth/setup/setup.service.ts';
import { loadConfig } from '../src/main/config.ts';
import { openDeployment } from '../src/main/server.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../test/browser/gates.ts';
import { practiceOverApi } from '../test/browser/practice.ts';
import { type ServeProcess, cleanEnv, freePort, runCli, startServe } from '../test/support/cli.ts';
import { PROBE } from './support/web-probe.ts';

// The web app at 100,000 clients (issue 15's performance section), in Debian's Chromium driven by
// playwright-core, each measure beside the API's own time for the same data: the same requests, with
// the same session cookie, over HTTP from this process (the baseline; same server, same run).
//
// The deployment: SQLite in a temporary data directory; the owner made and the blind index sized for
// the population in-process (as bench/import.bench.ts does), then BENCH_WEB_CLIENTS (default 100,000)
// realistic fake clients through `confidant clients import`, the fastest path there is; `confidant
// serve`; a practitioner invited, signed in with TOTP. The practitioner's list is their caseload:
// BENCH_WEB_CASELOAD (default 10,000: every tenth imported client, put there by the owner's bulk
// caseload action), so the list's caseload condition skips nine clients in ten. The 30 clients whose
// records are opened have 3 notes and 2 logged calls each.
//
//   first list   submit of the TOTP code → the signed-in shell painted, then the click on "Clients"
//                → the first row painted (the two added; the app lands on Home after sign-in); and
//                full loads of /clients → first row, timed from navigation start (10 loads);
//                API: GET /api/v1/clients?limit=100&order=last_contact (the list's first page).
//   scroll       the list scrolled (480 px a frame) until row 5,000 is rendered, reading pages of
//                100 as the end is reached; long tasks (PerformanceObserver 'longtask', installed by
//                addInitScript) and frames over 50 ms counted; API: the same 50 pages by cursor.
//   search       50 searches by full name through the list's form (Find by Name, "Search", "Find"),
//                submit → "{n} found." painted; API: POST /api/v1/clients/search {name, limit: 200}.
//   record       30 openings of a found client's record (a click on its row, in-app) → the heading
//                painted, and 30 full loads of /clients/<id> → the heading, from navigation start;
//                API: GET /api/v1/clients/:id (what the heading waits for), and the record's reads as
//                the page makes them (the client, then its timeline and notes together).
// The API pass comes last, once the server's one-minute cache of unwrapped data keys has emptied, and
// makes the browser's requests in the browser's order, so each meets that cache as the browser's did.
// Browser times run to the frame after the DOM showed the result (a requestAnimationFrame, then a
// task), on the page's own clock from the input event (or from navigation start for a full load).
// Times are p50/p95 (nearest rank); targets are printed with pass or miss, never asserted.
const CLIENTS = Number(process.env.BENCH_WEB_CLIENTS ?? 100_000);
const CASELOAD = Math.min(CLIENTS, Number(process.env.BENCH_WEB_CASELOAD ?? 10_000));
const SCROLL_ROWS = Math.min(5_000, CASELOAD);
const SEARCHES = 50;
const RECORDS = 30;
const FULL_LOADS = 10;
const SCROLL_STEP_PX = 480;
const STRIDE = Math.max(1, Math.floor(CLIENTS / CASELOAD));
/** How long the server's keyring keeps an unwrapped data key (src/platform/crypto/keyring.ts). */
const KEY_CACHE_MS = 60_000;
const TARGETS = { firstList: 1_000, longTasks: 0, search: 150, record: 300 };

const started = performance.now();
const root = mkdtempSync(path.join(tmpdir(), 'confidant-bench-web-'));
const dataDir = path.join(root, 'data');
let serve: ServeProcess | null = null;
let context: BrowserContext | null = null;
process.on('exit', () => {
  serve?.child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const say = (line: string) => process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

// --- the deployment --------------------------------------------------------------------------------
faker.seed(42);
const pool = Array.from({ length: 5000 }, () => [faker.person.firstName(), faker.person.lastName(), faker.date.birthdate().toISOString().slice(0, 10), faker.location.city()] as const);
/** Row i's name: first and last names from the pool, paired differently in each block of 5,000 rows. */
const nameOf = (i: number) => `${pool[i % 5000]![0]} ${pool[(Math.floor(i / 5000) * 131 + i * 31) % 5000]![1]}`;
const csv = path.join(root, 'clients.csv');
await new Promise<void>((resolve) => {
  const out = createWriteStream(csv);
  out.write('name,email,phone,date_of_birth,postal_address.city\n');
  let i = 0;
  const write = () => {
    let ok = true;
    while (i < CLIENTS && ok) {
      const [, , birth, city] = pool[(i * 7) % 5000]!;
      ok = out.write(`"${nameOf(i)}",c${i}.${(i * 7919) % 100_003}@example.org,+4420${String(70000000 + (i % 9_999_999)).slice(0, 8)},${birth},"${city}"\n`);
      i++;
    }
    if (i < CLIENTS) out.once('drain', write);
    else out.end(resolve);
  };
  write();
});

const owner = { email: 'owner@bench.test', password: 'bench owner passphrase, long enough' };
const practitioner = { email: 'pia@bench.test', password: 'bench practitioner passphrase', role: 'practitioner' };
const env = cleanEnv({ CONFIDANT_DATA: dataDir, CONFIDANT_LOG_LEVEL: 'silent' });
{
  const deployment = await openDeployment(loadConfig(env), env);
  const made = await createOwner(deployment.database.db, { email: owner.email, password: owner.password, organisationName: 'Bench practice' });
  await deployment.clients.indexer.versions(made.organisationId, CLIENTS); // the blind index sized for the population
  await deployment.close();
}
const importStart = performance.now();
const imported = await runCli(['clients', 'import', csv, '--json'], { env: { CONFIDANT_DATA: dataDir } });
if (imported.code !== 0) throw new Error(`confidant clients import failed:\n${imported.stderr.slice(-2000)}`);
say(`imported ${(JSON.parse(imported.stdout) as { imported: number }).imported.toLocaleString('en-US')} clients in ${((performance.now() - importStart) / 1000).toFixed(1)} s`);

serve = await startServe({ CONFIDANT_DATA: dataDir, PORT: String(await freePort()), HOST: '127.0.0.1' }, 60_000);
const origin = new URL(serve.url).origin;
const { owner: o, staff } = await practiceOverApi(origin, owner, [practitioner]);
const pia = staff[0]!;

// The caseload: every STRIDE-th imported row (row_number is the CSV's data row, from 1).
const db = new DatabaseSync(path.join(dataDir, 'confidant.db'), { readOnly: true });
const caseload = (db.prepare('select client_id as id, row_number as row from client_provenance where row_number is not null and (row_number - 1) % ? = 0 order by row_number limit ?').all(STRIDE, CASELOAD) as { id: string; row: number }[]).map((r) => ({ id: r.id, name: nameOf(r.row - 1) }));
db.close();
for (let i = 0; i < caseload.length; i += 1000) {
  const ids = caseload.slice(i, i + 1000).map((c) => c.id);
  const res = await o.call('POST', '/api/v1/clients/bulk/caseload', { client_ids: ids, expected_count: ids.length, operation: { op: 'add_to_caseload', user_id: pia.userId } });
  if (res.status !== 200) throw new Error(`bulk caseload answered ${res.status}: ${await res.text()}`);
}
// Searched and opened: spread over the caseload; the first RECORDS are opened, and have notes and calls.
const spread = (n: number, k: number) => caseload[Math.floor(((k + 0.5) * caseload.length) / n)]!;
const searched = Array.from({ length: SEARCHES }, (_, k) => spread(SEARCHES, k));
const opened = searched.slice(0, RECORDS);
for (const [k, c] of opened.entries()) {
  for (let n = 0; n < 3; n++) {
    const res = await pia.call('POST', `/api/v1/clients/${c.id}/notes`, { kind: 'general', body: `Session ${n + 1} with client ${k}: discussed the week, sleep and work; agreed to keep a diary until next time.` });
    if (res.status !== 201) throw new Error(`a note answered ${res.status}: ${await res.text()}`);
  }
  for (const direction of ['inbound', 'outbound'] as const) {
    const res = await pia.call('POST', `/api/v1/clients/${c.id}/activities`, { kind: 'interaction', channel: 'call', direction, details: { summary: `Call ${direction} about the next appointment` } });
    if (res.status !== 201) throw new Error(`an interaction answered ${res.status}: ${await res.text()}`);
  }
}
say(`deployment ready: ${CLIENTS.toLocaleString('en-US')} clients, ${caseload.length.toLocaleString('en-US')} on the practitioner's caseload; ${origin}`);

// --- the browser ---------------------------------------------------------------------------------
interface ScrollResult { ms: number; from: number; to: number; frames: number; stalled: number; worstFrame: number; slowFrames: number; rows: number; longtasks: { start: number; duration: number }[] }
interface Resource { path: string; start: number; ms: number; wait: number }
const loadBefore = loadavg()[0]!;
const profile = mkdtempSync(path.join(root, 'chromium-'));
context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1100, height: 800 } });
await context.addInitScript({ content: PROBE });
const page: Page = context.pages()[0] ?? (await context.newPage());
const inPage = <T>(expression: string) => page.evaluate(expression) as Promise<T>;
const resources = (from: number, to: number, part = '') => inPage<Resource[]>(`window.__bench.resources(${from}, ${to}, ${JSON.stringify(part)})`);
const longtaskSeen = async () => (await inPage<boolean>('window.__bench.longtaskSupported')) && (await inPage<boolean>('window.__bench.selfTest()'));

// (a) Sign in with TOTP, then the list.
await page.goto(`${origin}/sign-in`);
await page.getByLabel('E-mail address').fill(pia.email);
await page.getByLabel('Password').fill(pia.password);
await page.getByRole('button', { name: 'Sign in', exact: true }).click();
// A code is good once, and enrolment used this period's: the next period's is accepted too.
await page.getByRole('textbox', { name: 'Code' }).fill(generateSync({ secret: pia.secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
await inPage(`window.__bench.arm('shell', 'shell', ${JSON.stringify(pia.email)})`);
await page.getByRole('button', { name: 'Continue' }).click();
const shellAt = await inPage<number>("window.__bench.armed('shell')");
const submitAt = await inPage<number>('window.__bench.lastSubmit');
await inPage("window.__bench.arm('row', 'row')");
await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
const rowAt = await inPage<number>("window.__bench.armed('row')");
const clickAt = await inPage<number>('window.__bench.lastClick');
const signIn = { shell: shellAt - submitAt, list: rowAt - clickAt, requests: await resources(submitAt, rowAt) };
say(`sign-in → shell ${signIn.shell.toFixed(0)} ms, click Clients → first row ${signIn.list.toFixed(0)} ms`);

const fullList: number[] = [];
let fullListRequests: Resource[] = [];
for (let i = 0; i < FULL_LOADS + 1; i++) {
  await page.goto(`${origin}/clients`);
  const at = await inPage<number>('window.__bench.firstRow');
  if (i === 0) continue; // the first load after sign-in warms the browser's cache of the lazy chunks
  fullList.push(at);
  if (i === FULL_LOADS) fullListRequests = await resources(0, at);
}

// (b) Scroll through the caseload's first SCROLL_ROWS rows.
await page.goto(`${origin}/clients`);
await inPage('window.__bench.firstRow');
const longtasksOk = await longtaskSeen(); // before the scroll, outside its window
const scroll = await inPage<ScrollResult>(`window.__bench.scroll(${SCROLL_ROWS}, ${SCROLL_STEP_PX}, 600000)`);
const scrollPages = await resources(scroll.from, scroll.to, '/api/v1/clients?');
say(`scrolled to row ${scroll.rows} in ${(scroll.ms / 1000).toFixed(1)} s: ${scroll.longtasks.length} long tasks, ${scrollPages.length} pages read`);

// (c) and (d): search by name, and open the first RECORDS found clients' records from the results.
const searchMs: number[] = [];
const searchRequests: Resource[] = [];
const recordMs: number[] = [];
const recordRequests: Resource[] = [];
const searchBox = page.getByRole('search', { name: 'Find a client' });
const onList = async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
  await page.getByTestId('client-list').getByRole('listitem').first().waitFor();
};
await onList();
if ((await searchBox.getByRole('button', { name: /Find by/ }).textContent())?.includes('Name') !== true) throw new Error('the search form does not find by name by default');
for (const [k, client] of searched.entries()) {
  await searchBox.getByRole('textbox', { name: 'Search' }).fill(client.name);
  await inPage("window.__bench.arm('found', 'found')");
  await searchBox.getByRole('button', { name: 'Find', exact: true }).click();
  const foundAt = await inPage<number>("window.__bench.armed('found')");
  const at = await inPage<number>('window.__bench.lastSubmit');
  searchMs.push(foundAt - at);
  searchRequests.push(...(await resources(at, foundAt, '/api/v1/clients/search')));
  const row = page.getByTestId('client-list').getByRole('link', { name: client.name }).first();
  await row.waitFor();
  if (k < RECORDS) {
    await inPage(`window.__bench.arm('heading', 'heading', ${JSON.stringify(client.name)})`);
    await row.click();
    const headingAt = await inPage<number>("window.__bench.armed('heading')");
    const clicked = await inPage<number>('window.__bench.lastClick');
    recordMs.push(headingAt - clicked);
    recordRequests.push(...(await resources(clicked, headingAt, `/api/v1/clients/${client.id}`)).filter((r) => r.path === `/api/v1/clients/${client.id}`));
    if (!page.url().endsWith(`/clients/${client.id}`)) say(`note: "${client.name}" opened ${page.url()} (another client of that name)`);
    await onList();
  } else {
    await searchBox.getByRole('button', { name: 'Back to the list' }).click();
    await page.getByText(/^\d+ found\.$/).waitFor({ state: 'detached' });
  }
}
say(`${searchMs.length} searches, ${recordMs.length} records opened in-app`);

const fullRecord: number[] = [];
const boots: { html: number; dom: number; firstApi: number; me: number; client: number }[] = [];
for (const [k, client] of [opened[0]!, ...opened].entries()) {
  await page.goto(`${origin}/clients/${client.id}`);
  const at = await inPage<number>('window.__bench.recordHeading');
  if (k === 0) continue; // the first load warms the browser's cache of the record's lazy chunks
  fullRecord.push(at);
  const boot = await inPage<{ html: number; dom: number; firstApi: number; answered: Record<string, number> }>('window.__bench.boot()');
  boots.push({ html: boot.html, dom: boot.dom, firstApi: boot.firstApi, me: boot.answered['/api/v1/auth/me'] ?? NaN, client: boot.answered[`/api/v1/clients/${client.id}`] ?? NaN });
}
const userAgent = await inPage<string>('navigator.userAgent');

// --- the API's own time: the same requests, same session cookie, over HTTP from this process ---------
const cookie = (await context.cookies(origin)).map((c) => `${c.name}=${c.value}`).join('; ');
await context.close();
context = null;
async function api(method: 'GET' | 'POST', p: string, body?: object): Promise<{ ms: number; json: any }> {
  const t0 = performance.now();
  const res = await fetch(`${origin}${p}`, { method, headers: { cookie, 'x-confidant-csrf': '1', ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const json = (await res.json()) as any;
  const ms = performance.now() - t0;
  if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${JSON.stringify(json)}`);
  return { ms, json };
}
const FIRST_PAGE = '/api/v1/clients?limit=100&order=last_contact';
// The server keeps unwrapped data keys for a minute (the keyring's cache): the API pass waits that out,
// then makes the browser's requests in the browser's order, so each meets the cache as the browser's
// did — the list's first page cold once (as after sign-in) then warm (as the repeated full loads), the
// scroll's pages cold, each search cold, and each record read right after the search that found it.
await new Promise((resolve) => setTimeout(resolve, KEY_CACHE_MS + 1_000));
const apiFirstCold = (await api('GET', FIRST_PAGE)).ms;
const apiPages: number[] = [];
for (let cursor: string | null = null, rows = 0; rows < SCROLL_ROWS; ) {
  const page100: { ms: number; json: { clients: unknown[]; next: string | null } } = await api('GET', `${FIRST_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  if (cursor) apiPages.push(page100.ms); // the pages after the first, as the scroll reads them
  rows += page100.json.clients.length;
  cursor = page100.json.next;
  if (!cursor) break;
}
const apiFirst: number[] = [];
for (let i = 0; i < FULL_LOADS; i++) apiFirst.push((await api('GET', FIRST_PAGE)).ms);
const apiSearch: number[] = [];
const apiClient: number[] = [];
const apiRecordReads: number[] = [];
for (const [k, client] of searched.entries()) {
  apiSearch.push((await api('POST', '/api/v1/clients/search', { name: client.name, limit: 200 })).ms);
  if (k >= RECORDS) continue;
  const t0 = performance.now();
  apiClient.push((await api('GET', `/api/v1/clients/${client.id}`)).ms);
  await Promise.all([api('GET', `/api/v1/clients/${client.id}/timeline`), api('GET', `/api/v1/clients/${client.id}/notes`)]);
  apiRecordReads.push(performance.now() - t0);
}
await o.call('POST', '/api/v1/auth/logout').catch(() => undefined);
serve.child.kill('SIGTERM');
await serve.exited;
serve = null;

// --- the report -----------------------------------------------------------------------------------
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const ms = (x: number) => (Number.isNaN(x) ? 'n/a' : x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US'));
const p50p95 = (xs: number[]) => `${ms(pct(xs, 0.5))} / ${ms(pct(xs, 0.95))}`;
const verdict = (ok: boolean) => (ok ? 'pass' : 'MISS');
const signInTotal = signIn.shell + signIn.list;
const scrollLong = scroll.longtasks;
const rows: string[][] = [
  ['first list after sign-in: TOTP submit → shell, + click Clients → first row (1 run)', `${ms(signIn.shell)} + ${ms(signIn.list)} = ${ms(signInTotal)}`, '', `${ms(apiFirstCold)} (cold, 1)`, '≤ 1,000', verdict(signInTotal <= TARGETS.firstList)],
  [`first list, full load of /clients → first row (${fullList.length} loads)`, ms(pct(fullList, 0.5)), ms(pct(fullList, 0.95)), p50p95(apiFirst), '≤ 1,000', verdict(pct(fullList, 0.95) <= TARGETS.firstList)],
  [
    `scroll to row ${scroll.rows.toLocaleString('en-US')} (${scrollPages.length} pages of 100; long tasks > 50 ms)`,
    longtasksOk ? `${scrollLong.length} long tasks${scrollLong.length ? ` (max ${ms(Math.max(...scrollLong.map((t) => t.duration)))} ms)` : ''}` : 'longtask observer failed its check',
    `${(scroll.ms / 1000).toFixed(1)} s`,
    `${p50p95(apiPages)} a page`,
    '0 long tasks',
    verdict(longtasksOk && scrollLong.length <= TARGETS.longTasks),
  ],
  [`search by name → "{n} found." (${searchMs.length} searches)`, ms(pct(searchMs, 0.5)), ms(pct(searchMs, 0.95)), p50p95(apiSearch), '≤ 150', verdict(pct(searchMs, 0.95) <= TARGETS.search)],
  [`record, in-app: click a found row → heading (${recordMs.length})`, ms(pct(recordMs, 0.5)), ms(pct(recordMs, 0.95)), p50p95(apiClient), '≤ 300', verdict(pct(recordMs, 0.95) <= TARGETS.record)],
  [`record, full load of /clients/<id> → heading (${fullRecord.length})`, ms(pct(fullRecord, 0.5)), ms(pct(fullRecord, 0.95)), p50p95(apiClient), '≤ 300', verdict(pct(fullRecord, 0.95) <= TARGETS.record)],
];
const header = ['measure (ms unless said)', 'browser p50', 'browser p95', 'API p50 / p95', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
/** Where a long task fell: how long after the last page of the list had arrived (or before the first). */
const sincePage = (at: number) => {
  const arrived = scrollPages.map((r) => r.start + r.ms).filter((end) => end <= at);
  return arrived.length ? `${ms(at - Math.max(...arrived))} ms after a page arrived` : 'before any page arrived';
};
const requests = (rs: Resource[]) => rs.map((r) => `${r.path.replace(/[0-9a-f-]{36}/g, ':id')} ${ms(r.ms)}`).join(', ');
process.stdout.write(
  `\nthe web app at ${CLIENTS.toLocaleString('en-US')} clients (SQLite), a practitioner with ${caseload.length.toLocaleString('en-US')} on their caseload, ${/HeadlessChrome\/[\d.]+/.exec(userAgent)?.[0] ?? 'Chromium'} 1100×800; browser times to the frame after the DOM showed it; API: same requests and session over HTTP from the bench\n` +
    `${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n` +
    `scroll: ${scroll.frames} frames, ${scroll.slowFrames} over 50 ms (worst ${ms(scroll.worstFrame)} ms), ${scroll.stalled} frames at the end of the rows waiting for a page` +
    (scrollLong.length > 0 ? `; long tasks: ${scrollLong.map((t) => `${ms(t.duration)} ms ${sincePage(t.start)}`).join(', ')}` : '') +
    '\n' +
    `as the browser saw its requests (fetch → body; request sent → first byte): search ${p50p95(searchRequests.map((r) => r.ms))}; ${p50p95(searchRequests.map((r) => r.wait))} ms, record GET /api/v1/clients/:id ${p50p95(recordRequests.map((r) => r.ms))}; ${p50p95(recordRequests.map((r) => r.wait))} ms, list pages while scrolling ${p50p95(scrollPages.map((r) => r.ms))}; ${p50p95(scrollPages.map((r) => r.wait))} ms\nrecord: the record's reads (client, then timeline and notes together) over HTTP ${p50p95(apiRecordReads)} ms\n` +
    `requests from TOTP submit to the first row: ${requests(signIn.requests)}\n` +
    `requests of a full load of /clients: ${requests(fullListRequests)}\n` +
    `a full load of /clients/<id>, medians from navigation start: HTML ${ms(pct(boots.map((b) => b.html), 0.5))}, DOM ready ${ms(pct(boots.map((b) => b.dom), 0.5))}, first API request ${ms(pct(boots.map((b) => b.firstApi), 0.5))}, /auth/me answered ${ms(pct(boots.map((b) => b.me), 0.5))}, the client answered ${ms(pct(boots.map((b) => b.client), 0.5))}, heading painted ${ms(pct(fullRecord, 0.5))}\n` +
    `load average (1 min) ${loadBefore.toFixed(1)} when the browser started, ${loadavg()[0]!.toFixed(1)} at the end (${availableParallelism()} cores)\n` +
    `ratio browser ÷ API (p95): first list (full load) ${(pct(fullList, 0.95) / pct(apiFirst, 0.95)).toFixed(1)}×, search ${(pct(searchMs, 0.95) / pct(apiSearch, 0.95)).toFixed(1)}×, record in-app ${(pct(recordMs, 0.95) / pct(apiClient, 0.95)).toFixed(1)}×, full load ${(pct(fullRecord, 0.95) / pct(apiClient, 0.95)).toFixed(1)}×\n`,
);
