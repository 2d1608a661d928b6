// The sign-in route's initial JavaScript: the entry script and every modulepreload in the built
// index.html, plus the largest catalogue chunk (main.tsx awaits one before the first render).
// Gzip level 9, deterministic. Fails above the budget of issue 14 (150 kB); .ci/run runs it.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const BUDGET = 150_000;
const dir = process.argv[2] ?? 'dist/web';
const html = readFileSync(join(dir, 'index.html'), 'utf8');
const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map((m) => m[1]!);
const gz = (f: string) => gzipSync(readFileSync(join(dir, f)), { level: 9 }).length;
const all = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js'));
const catalogue = all.filter((f) => f.startsWith('messages-')).map((f) => `assets/${f}`).sort((a, b) => gz(b) - gz(a))[0];
let total = 0;
for (const f of [...files, ...(catalogue ? [catalogue] : [])]) {
  const size = gz(f);
  total += size;
  console.log(`${(size / 1000).toFixed(2).padStart(8)} kB (${size} B)  ${f}`);
}
console.log(`${(total / 1000).toFixed(2).padStart(8)} kB (${total} B)  initial JS of the sign-in route, gzip -9 (budget ${BUDGET / 1000} kB); ${all.length} JS chunks in all`);
if (total > BUDGET) {
  console.error(`over budget by ${total - BUDGET} B`);
  process.exit(1);
}
