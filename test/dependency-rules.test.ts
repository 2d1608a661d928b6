import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const run = promisify(execFile);

interface Cruise {
  summary: { violations: { rule: { name: string; severity: string }; from: string; to: string }[]; totalCruised: number; error: number; ignore: number };
  modules: { source: string }[];
}

async function cruise(cwd: string, ...extra: string[]): Promise<{ code: number; result: Cruise }> {
  const args = [BIN, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...extra];
  const done = await run(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { code: done.code, result: JSON.parse(done.stdout) as Cruise };
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));

describe('layering rules held by dependency-cruiser', () => {
  const planted = mkdtempSync(path.join(tmpdir(), 'confidant-deps-'));
  afterAll(() => rmSync(planted, { recursive: true, force: true }));

  it('passes on the source, and really reads every source file (swc parser under TypeScript 7)', async () => {
    const { code, result } = await cruise(ROOT);
    expect(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
    expect(code).toBe(0);
    const cruised = new Set(result.modules.map((m) => m.source).filter((s) => s.startsWith('src/')));
    const files = sourceFiles(path.join(ROOT, 'src')).map((f) => path.relative(ROOT, f));
    expect(files.filter((f) => !cruised.has(f))).toEqual([]);
  }, 60_000);

  it('fails on a planted cycle, a folder reached past its index, a platform import of a domain, a query outside a store and a web screen importing server code', async () => {
    cpSync(path.join(ROOT, '.dependency-cruiser.cjs'), path.join(planted, '.dependency-cruiser.cjs'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(planted, 'node_modules'));
    for (const dir of ['src/platform/http', 'src/clients/notes', 'src/clients/records']) mkdirSync(path.join(planted, dir), { recursive: true });
    writeFileSync(path.join(planted, 'src/platform/http/helper.ts'), "import { a } from '../../clients/a.service.ts';\nexport const helper = a;\n");
    writeFileSync(path.join(planted, 'src/clients/a.service.ts'), "import { b } from './b.service.ts';\nexport const a = () => b;\n");
    writeFileSync(path.join(planted, 'src/clients/b.service.ts'), "import { a } from './a.service.ts';\nimport { sql } from 'kysely';\nexport const b = () => [a, sql];\n");
    // A folder's internals reached from another folder (not through its index.ts), beside the same
    // import made properly, which passes.
    writeFileSync(path.join(planted, 'src/clients/records/record.service.ts'), 'export const record = 1;\n');
    writeFileSync(path.join(planted, 'src/clients/records/index.ts'), "export { record } from './record.service.ts';\n");
    writeFileSync(path.join(planted, 'src/clients/notes/note.service.ts'), "import { record } from '../records/record.service.ts';\nimport { record as same } from '../records/index.ts';\nexport const note = [record, same];\n");
    // A screen of the web app reaching into the server's code instead of through the API client.
    mkdirSync(path.join(planted, 'web/src/pages'), { recursive: true });
    writeFileSync(path.join(planted, 'web/src/pages/clients.ts'), "import { record } from '../../../src/clients/records/index.ts';\nexport const page = record;\n");
    const { result } = await cruise(planted, 'web');
    // (a cycle is reported once, at the module where the cruise met it; node_modules is reached through a symlink)
    expect(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to.replace(/^.*node_modules\//, 'node_modules/')}`).sort()).toEqual([
      'no-circular: src/clients/a.service.ts → src/clients/b.service.ts',
      'only-through-index: src/clients/notes/note.service.ts → src/clients/records/record.service.ts',
      'platform-below-domains: src/platform/http/helper.ts → src/clients/a.service.ts',
      'queries-in-stores: src/clients/b.service.ts → node_modules/kysely/dist/index.js',
      'web-through-api-client: web/src/pages/clients.ts → src/clients/records/index.ts',
    ]);
  }, 60_000);

  it('runs query builders only in stores and platform/db (a service can build a query on a Db without importing Kysely)', () => {
    const QUERY = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto)\(|\bsql`/;
    const running = sourceFiles(path.join(ROOT, 'src'))
      .map((f) => path.relative(ROOT, f))
      .filter((f) => !/\.store\.ts$|^src\/platform\/db\/|\.test\.ts$/.test(f))
      .filter((f) => QUERY.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(running, 'files running queries outside a store').toEqual([]);
  });
});
