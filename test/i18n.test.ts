import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

/** The entries of a Lingui PO catalogue: msgid → msgstr (multi-line strings joined). */
function entries(file: string): Map<string, string> {
  const text = readFileSync(file, 'utf8');
  const out = new Map<string, string>();
  const unquote = (block: string) => [...block.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).join('');
  for (const entry of text.split(/\n\n+/)) {
    if (entry.split('\n').every((line) => line.startsWith('#'))) continue;
    const m = /^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)/m.exec(entry);
    if (!m || entry.includes('#~')) continue;
    const id = unquote(m[1]!);
    if (id !== '') out.set(id, unquote(m[2]!));
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)[,}]|<(\d+)>/g)].map((m) => m[1] ?? `<${m[2]}>`).sort();

// An untranslated message shows English in the German app; a lost placeholder drops a value.
it.for(['public', 'app'])('translates every message of the %s catalogue into German, keeping its placeholders', (catalogue) => {
  const en = entries(`web/src/i18n/locales/en/${catalogue}.po`);
  const de = entries(`web/src/i18n/locales/de/${catalogue}.po`);
  expect([...de.keys()].sort()).toEqual([...en.keys()].sort());
  const untranslated = [...de].filter(([, str]) => str === '').map(([id]) => id);
  expect(untranslated, 'untranslated German messages: run npm run extract and fill them in').toEqual([]);
  const lost = [...de].filter(([id, str]) => placeholders(id).join() !== placeholders(str).join()).map(([id]) => id);
  expect(lost, 'German messages whose placeholders differ from the English').toEqual([]);
});
