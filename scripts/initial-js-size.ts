// The initial JavaScript of the built app: the entry script and every modulepreload in index.html,
// plus the catalogue chunk that main.tsx awaits before the first render. Gzip level 9, deterministic.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'dist/web';
const html = readFileSync(join(dir, 'index.html'), 'utf8');
const files = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map((m) => m[1]!);
let total = 0;
for (const f of files) {
  const gz = gzipSync(readFileSync(join(dir, f)), { level: 9 }).length;
  total += gz;
  console.log(`${(gz / 1000).toFixed(2).padStart(8)} kB (${gz} B)  ${f}`);
}
console.log(`${(total / 1000).toFixed(2).padStart(8)} kB (${total} B)  initial JS (entry + modulepreloads), gzip -9`);
const all = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js'));
console.log(`${all.length} JS chunks in all`);
