import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { faker } from '@faker-js/faker';
import { type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../test/browser/gates.ts';
import { practiceOverApi, signInWithTotp } from '../test/browser/practice.ts';
import { type ServeProcess, cleanEnv, freePort, runCli, startServe } from '../test/support/cli.ts';
import { PROBE } from './support/web-probe.ts';

// The import wizard (issue 17's bench): BENCH_IMPORT_ROWS (default 100,000) rows of a spreadsheet's
// export ("First Name, Last Name, E-mail Address, Mobile, City") imported through the web app in
// Debian's Chromium, beside the CLI import of the same file with the same mapping into a deployment
// of its own, in the same run (the baseline; the ratio is the wizard's cost).
//
//   check    the click on "Check the file" → the check's summary painted (a dry run of every row)
//   import   the click on "Import …" → "… clients imported" painted
//   page     long tasks (over 50 ms) while the check and the import ran; the tab's JavaScript heap
//            (CDP Performance.getMetrics, sampled every 500 ms) before and at its peak
// Times are printed with the ratio, never asserted.
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const started = performance.now();
const root = mkdtempSync(path.join(tmpdir(), 'confidant-bench-wizard-'));
let serve: ServeProcess | null = null;
let context: BrowserContext | null = null;
process.on('exit', () => {
  serve?.child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const say = (line: string) => process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

// --- the file ------------------------------------------------------------------------------------
faker.seed(17);
const pool = Array.from({ length: 5000 }, () => [faker.person.firstName(), faker.person.lastName(), faker.location.city()] as const);
const csv = path.join(root, 'spreadsheet.csv');
await new Promise<void>((resolve) => {
  const out = createWriteStream(csv);
  out.write('First Name,Last Name,E-mail Address,Mobile,City\n');
  let i = 0;
  const write = () => {
    let ok = true;
    while (i < ROWS && ok) {
      const [first, , city] = pool[i % 5000]!;
      const last = pool[(Math.floor(i / 5000) * 131 + i * 31) % 5000]![1];
      ok = out.write(`${first},${last},w${i}.${(i * 7919) % 100_003}@example.org,+4420${String(70000000 + (i % 9_999_999)).slice(0, 8)},"${city}"\n`);
      i++;
    }
    if (i < ROWS) out.once('drain', write);
    else out.end(resolve);
  };
  write();
});
const mapping = { 'First Name': 'name', 'Last Name': 'name', 'E-mail Address': 'email', Mobile: 'phone', City: 'postal_address.city' };
const mappingFile = path.join(root, 'mapping.json');
writeFileSync(mappingFile, JSON.stringify(mapping));

// --- the baseline: the CLI, into a deployment of its own ----------------------------------------------
const owner = { email: 'owner@bench.test', password: 'bench owner passphrase, long enough' };
const cliData = path.join(root, 'cli');
if ((await runCli(['init', '--owner-email', owner.email, '--org-name', 'CLI practice'], { env: { CONFIDANT_DATA: cliData, CONFIDANT_OWNER_PASSWORD: owner.password } })).code !== 0) throw new Error('init failed');
const cliStart = performance.now();
const cli = await runCli(['clients', 'import', csv, '--mapping', mappingFile, '--json'], { env: { CONFIDANT_DATA: cliData } });
if (cli.code !== 0) throw new Error(`confidant clients import failed:\n${cli.stderr.slice(-2000)}`);
const cliMs = performance.now() - cliStart;
say(`CLI: ${(JSON.parse(cli.stdout) as { imported: number }).imported.toLocaleString('en-US')} clients in ${(cliMs / 1000).toFixed(1)} s`);

// --- the wizard ------------------------------------------------------------------------------------
const webData = path.join(root, 'web');
if ((await runCli(['init', '--owner-email', owner.email, '--org-name', 'Wizard practice'], { env: { CONFIDANT_DATA: webData, CONFIDANT_OWNER_PASSWORD: owner.password } })).code !== 0) throw new Error('init failed');
serve = await startServe(cleanEnv({ CONFIDANT_DATA: webData, PORT: String(await freePort()), HOST: '127.0.0.1', CONFIDANT_LOG_LEVEL: 'silent' }), 60_000);
const origin = new URL(serve.url).origin;
const { owner: o } = await practiceOverApi(origin, owner, []);
context = await chromium.launchPersistentContext(mkdtempSync(path.join(root, 'chromium-')), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1100, height: 800 } });
await context.addInitScript({ content: PROBE });
const page = context.pages()[0] ?? (await context.newPage());
const cdp = await context.newCDPSession(page);
await cdp.send('Performance.enable');
const heap = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 1048576;
await signInWithTotp(page, origin, o);
await page.goto(`${origin}/import`);
await page.getByLabel('CSV file').setInputFiles(csv);
await page.getByRole('heading', { name: '2. Match the columns' }).waitFor();
const heapBefore = await heap();
let heapPeak = heapBefore;
const sampler = setInterval(() => void heap().then((mb) => (heapPeak = Math.max(heapPeak, mb)), () => undefined), 500);
const longtasksBefore = await page.evaluate('window.__bench.longtasks.length') as number;

const checkStart = performance.now();
await page.getByRole('button', { name: 'Check the file' }).click();
await page.getByText(`${ROWS.toLocaleString('en')} rows read:`).waitFor({ timeout: 30 * 60_000 });
const checkMs = performance.now() - checkStart;
const importStart = performance.now();
await page.getByRole('button', { name: /^Import (the )?[\d,]+ (good rows|clients)$/ }).click();
await page.getByText(/clients imported;/).waitFor({ timeout: 30 * 60_000 });
const wizardMs = performance.now() - importStart;
clearInterval(sampler);
const longtasks = (await page.evaluate('window.__bench.longtasks')) as { start: number; duration: number }[];
const during = longtasks.slice(longtasksBefore);
const imported = await page.getByText(/clients imported;/).textContent();
say(`wizard: check ${(checkMs / 1000).toFixed(1)} s, import ${(wizardMs / 1000).toFixed(1)} s (${imported?.trim()})`);
say(`ratio wizard import / CLI import: ${(wizardMs / cliMs).toFixed(2)} (CLI ${(cliMs / 1000).toFixed(1)} s)`);
say(`page: ${during.length} long tasks over 50 ms during check and import (longest ${during.reduce((m, t) => Math.max(m, t.duration), 0).toFixed(0)} ms); JS heap ${heapBefore.toFixed(1)} MB before, ${heapPeak.toFixed(1)} MB at peak`);
await context.close();
process.exit(0);
