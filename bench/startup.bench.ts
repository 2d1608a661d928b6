import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Start-up to a usable sign-in page (issue 14): spawn the server the way `npm start` does
// (`node bin/confidant.js serve` on this process's Node — the project's Node 24, as run.ts and the npm
// scripts use), fresh data directory each run (SQLite, root key file created), loopback only, and time
//   1. the printed one-time setup link,
//   2. `GET /sign-in` answering 200 with the app's HTML,
//   3. every script and stylesheet that HTML references answered 200 (the page is usable).
// Cases: the web app built (after `npm install`), and dist/web missing so `serve` builds it first. The
// server runs from a temporary copy of the install (bin, src, web, package.json, lingui config;
// node_modules linked), so removing its dist/web never touches the repository's. Baseline, measured in
// the same run: `node -e ''` on the same Node, i.e. the cost of starting a bare Node process. Medians of
// at most 5 rounds, bounded in total; nothing is asserted.
const RUNS = Math.min(5, Math.max(1, Number(process.env.BENCH_STARTUP_RUNS ?? 5)));
const BUDGET_MS = 100_000; // no new round starts once the rounds so far and one more would pass this
const RUN_TIMEOUT_MS = 45_000;
const repo = path.resolve(import.meta.dirname, '..');
const root = mkdtempSync(path.join(tmpdir(), 'confidant-bench-startup-'));
const install = path.join(root, 'install');
const webDist = path.join(install, 'dist/web');
const children = new Set<ChildProcess>();
/** Kills a server with its own children (the web build `serve` may be running): each is its own process group. */
const killGroup = (child: ChildProcess) => {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
};

// Whatever happens (a failed run, an exception, Ctrl-C), no server outlives the bench and the temp dir goes.
process.on('exit', () => {
  for (const child of children) killGroup(child);
  rmSync(root, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

for (const entry of ['bin', 'src', 'web', 'package.json', 'lingui.config.ts', 'tsconfig.json']) {
  cpSync(path.join(repo, entry), path.join(install, entry), { recursive: true });
}
symlinkSync(path.join(repo, 'node_modules'), path.join(install, 'node_modules'), 'dir');

// A fresh deployment: nothing of this shell's Confidant settings (no DATABASE_URL, no CONFIDANT_ROOT_KEY…).
const baseEnv: NodeJS.ProcessEnv = {};
for (const [key, value] of Object.entries(process.env)) {
  if (!key.startsWith('CONFIDANT_') && !['DATABASE_URL', 'PORT', 'HOST'].includes(key)) baseEnv[key] = value;
}

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

/** Resolves with the exit code, or the signal that ended it (SIGKILL: the run's time-out). */
function track(child: ChildProcess): Promise<number | string | null> {
  children.add(child);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve(code ?? signal);
    }),
  );
}

async function baseline(): Promise<number> {
  const start = process.hrtime.bigint();
  const code = await track(spawn(process.execPath, ['-e', ''], { stdio: 'ignore' }));
  if (code !== 0) throw new Error(`node -e '' exited ${code}`);
  return elapsedMs(start);
}

interface Startup {
  link: number;
  page: number;
  usable: number;
}

async function serveOnce(kind: 'built' | 'build'): Promise<Startup> {
  if (kind === 'build') rmSync(webDist, { recursive: true, force: true });
  else if (!existsSync(path.join(webDist, 'index.html'))) throw new Error(`${webDist} is missing: the build case should have made it`);
  const data = mkdtempSync(path.join(root, 'data-'));
  const port = await freePort();
  const env = { ...baseEnv, PORT: String(port), HOST: '127.0.0.1', CONFIDANT_DATA: data };
  let output = '';
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, [path.join(install, 'bin/confidant.js'), 'serve'], { cwd: install, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = track(child);
  const timer = setTimeout(() => killGroup(child), RUN_TIMEOUT_MS);
  try {
    const link = await new Promise<number>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (/\/setup\?token=\S+/.test(output)) resolve(elapsedMs(start));
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      void exited.then((code) => reject(new Error(`serve ended (${code}${code === 'SIGKILL' ? `, timed out after ${RUN_TIMEOUT_MS} ms` : ''}) before printing the setup link:\n${output.slice(-2000)}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const res = await fetch(`${base}/sign-in`);
    const html = await res.text();
    if (res.status !== 200 || !res.headers.get('content-type')?.startsWith('text/html') || !html.includes('<div id="root">')) {
      throw new Error(`GET /sign-in answered ${res.status} ${res.headers.get('content-type')}: ${html.slice(0, 200)}`);
    }
    const page = elapsedMs(start);
    const assets = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    if (!assets.some((a) => a.endsWith('.js')) || !assets.some((a) => a.endsWith('.css'))) throw new Error(`the sign-in HTML references no script or no stylesheet: ${assets.join(', ')}`);
    await Promise.all(
      assets.map(async (asset) => {
        const r = await fetch(`${base}${asset}`);
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`GET ${asset} answered ${r.status}`);
      }),
    );
    const usable = elapsedMs(start);
    const built = output.includes('Building the web app');
    if (built !== (kind === 'build')) throw new Error(`expected ${kind === 'build' ? 'a build' : 'no build'} at start-up:\n${output.slice(-2000)}`);
    return { link, page, usable };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const kill = setTimeout(() => killGroup(child), 5_000);
      await exited;
      clearTimeout(kill);
    }
    rmSync(data, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

// One untimed round first: warms the file cache and makes dist/web for the built case.
await serveOnce('build');
await serveOnce('built');
await baseline();

const samples = { baseline: [] as number[], built: [] as Startup[], build: [] as Startup[] };
const benchStart = process.hrtime.bigint();
let slowestRound = 0;
for (let round = 0; round < RUNS; round++) {
  if (round > 0 && elapsedMs(benchStart) + slowestRound > BUDGET_MS) break;
  const roundStart = process.hrtime.bigint();
  samples.build.push(await serveOnce('build'));
  samples.built.push(await serveOnce('built'));
  samples.baseline.push(await baseline());
  slowestRound = Math.max(slowestRound, elapsedMs(roundStart));
}

const base = median(samples.baseline);
const summary = (xs: Startup[]) => ({ link: median(xs.map((x) => x.link)), page: median(xs.map((x) => x.page)), usable: median(xs.map((x) => x.usable)) });
const built = summary(samples.built);
const build = summary(samples.build);
const n = samples.baseline.length;
const cols = ['case', 'setup link ms', 'GET /sign-in ms', 'usable ms (+ assets)', "usable ÷ node -e ''"];
const rows: string[][] = [
  ["node -e '' (baseline: start, exit)", '', '', Math.round(base).toLocaleString('en-US'), '1.00×'],
  ...(
    [
      ['serve, web app built', built],
      ['serve, dist/web missing (builds first)', build],
    ] as const
  ).map(([name, s]) => [name, ...[s.link, s.page, s.usable].map((v) => Math.round(v).toLocaleString('en-US')), `${(s.usable / base).toFixed(1)}×`]),
];
const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ');
process.stdout.write(
  `\nstart-up to a usable sign-in page (median of ${n} run${n === 1 ? '' : 's'}, SQLite, fresh data directory, loopback; Node ${process.version})\n` +
    [cols, ...rows].map(line).join('\n') +
    `\nratio usable sign-in page ÷ bare Node start: built ${(built.usable / base).toFixed(1)}×, building first ${(build.usable / base).toFixed(1)}× (the build adds ≈ ${Math.round(build.usable - built.usable)} ms)\n`,
);
