/**
 * The browser gates every journey passes (UI.md): Debian's /usr/bin/chromium driven by playwright-core
 * with UI.md's flags and a fresh profile; per page no `securitypolicyviolation` (nor a CSP console
 * line), no request to another origin (aborted and recorded), axe WCAG 2.2 A/AA with no serious or
 * critical violation; after sign-out, planted canaries absent from every browser store and the page.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// Chromium 156 words CSP refusals "… violates the following Content Security Policy directive …".
type InPage = any;
const CSP_CONSOLE = /Refused to|Content Security Policy/;

/**
 * Whether the browser suites run: skipped (with the reason) only when Chromium is absent and
 * CONFIDANT_REQUIRE_BROWSER is not set; CI sets it, so a missing browser fails there.
 */
export function browserAvailability(): { run: true } | { run: false; reason: string } {
  if (existsSync(CHROMIUM)) return { run: true };
  if (process.env.CONFIDANT_REQUIRE_BROWSER) throw new Error(`CONFIDANT_REQUIRE_BROWSER is set but ${CHROMIUM} is missing: apt-get install chromium`);
  return { run: false, reason: `browser suites skipped: ${CHROMIUM} is absent (apt-get install chromium, or set CONFIDANT_REQUIRE_BROWSER=1 to make this an error)` };
}

export interface GatedBrowser {
  context: BrowserContext;
  page: Page;
  /** Requests to any origin but the app's, aborted. */
  foreign: string[];
  /** The body of every API answer the browser received (for "values this role may not read" checks). */
  responses: string[];
  /** CSP violations and CSP console lines since the last {@link checkPage}. */
  cspProblems(): Promise<string[]>;
  close(): Promise<void>;
}

/** Launches Chromium on a fresh profile with the gates' listeners installed. */
export async function launchGated(origin: string, colorScheme: 'light' | 'dark', options: { viewport?: { width: number; height: number }; isMobile?: boolean; timezoneId?: string } = {}): Promise<GatedBrowser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'confidant-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    colorScheme,
    viewport: options.viewport ?? { width: 1100, height: 800 },
    ...(options.isMobile ? { isMobile: true, hasTouch: true } : {}),
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  });
  const foreign: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== origin) {
      foreign.push(url.href);
      return route.abort();
    }
    return route.continue();
  });
  await context.addInitScript(() => {
    const w = globalThis as InPage;
    w.__csp = [];
    w.document.addEventListener('securitypolicyviolation', (e: InPage) => w.__csp.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const responses: string[] = [];
  context.on('response', (response) => {
    if (!new URL(response.url()).pathname.startsWith('/api/')) return;
    void response.text().then(
      (body) => responses.push(`${response.request().method()} ${new URL(response.url()).pathname} ${body}`),
      () => undefined,
    );
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines: string[] = [];
  page.on('console', (m) => {
    if (CSP_CONSOLE.test(m.text())) consoleLines.push(m.text());
  });
  return {
    context,
    page,
    foreign,
    responses,
    async cspProblems() {
      const events: string[] = await page.evaluate(() => (globalThis as InPage).__csp ?? []);
      return [...events, ...consoleLines.splice(0)];
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The per-page gates: no CSP violation, no foreign request, no serious or critical axe violation. */
export async function checkPage(browser: GatedBrowser, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const p of await browser.cspProblems()) problems.push(`${name}: CSP ${p}`);
  for (const url of browser.foreign) problems.push(`${name}: request to another origin ${url}`);
  const axe = await new AxeBuilder({ page: browser.page }).withTags(WCAG_TAGS).analyze();
  for (const v of axe.violations) {
    if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${name}: axe ${v.impact} ${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }
  return problems;
}

/**
 * The per-page gates in light and in dark: the page as it is, then again with the other colour scheme
 * emulated (the app follows prefers-color-scheme unless a theme is stored). Leaves the page in light.
 */
export async function checkBothSchemes(browser: GatedBrowser, name: string): Promise<string[]> {
  const problems: string[] = [];
  // Dark first, so the page is left in light (the screenshots' scheme).
  for (const colorScheme of ['dark', 'light'] as const) {
    await browser.page.emulateMedia({ colorScheme });
    problems.push(...(await checkPage(browser, `${name} (${colorScheme})`)));
  }
  return problems;
}

/** Everything the page can read back from browser storage and the DOM, as one text to search. */
export async function browserStores(page: Page): Promise<string> {
  return page.evaluate(async () => {
    // The project's type-check has no DOM library: the page's globals are reached untyped here.
    const { localStorage, sessionStorage, indexedDB, caches, document, location } = globalThis as InPage;
    const parts: string[] = [];
    for (const store of [localStorage, sessionStorage]) for (let i = 0; i < store.length; i++) parts.push(`${store.key(i)}=${store.getItem(store.key(i)!)}`);
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<InPage>((resolve, reject) => {
        const open = indexedDB.open(info.name!);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const name of db.objectStoreNames as string[]) {
        const all = await new Promise<unknown[]>((resolve) => {
          const req = db.transaction(name).objectStore(name).getAll();
          req.onsuccess = () => resolve(req.result);
        });
        parts.push(`${info.name}/${name}=${JSON.stringify(all)}`);
      }
      db.close();
    }
    for (const key of await caches.keys()) {
      const cache = await caches.open(key);
      for (const request of await cache.keys()) parts.push(`${key} ${request.url} ${await (await cache.match(request))!.text()}`);
    }
    parts.push(document.documentElement.outerHTML, document.title, location.href);
    return parts.join('\n');
  });
}
