/**
 * In-page instrumentation for bench/web-app.bench.ts, installed with `addInitScript` on every
 * document before the app's own scripts. Plain JavaScript in a string (the bench's tsconfig has no
 * DOM types), reached from the bench as `window.__bench` through `page.evaluate(expression)`.
 *
 * - Long tasks: a PerformanceObserver('longtask') from document start (every task over 50 ms).
 * - Input times: the `timeStamp` of the last `submit`, `click` and `pointerdown` (capture phase), on
 *   the page's own clock, so a measure starts when the page received the person's action.
 * - `watch(kind, arg)`: resolves with `performance.now()` once the condition holds in the DOM (checked
 *   on every mutation) and the next frame has been produced (a requestAnimationFrame, then a task),
 *   i.e. about when it was painted. `arm(name, kind, arg)` starts a watch before the action that
 *   should cause it; `armed(name)` awaits it. At document start `firstRow` and `recordHeading` are
 *   armed, so a full page load is timed from navigation start (performance.now() = 0).
 * - `boot()`: a full load's course (HTML, DOM ready, first API request, each API answer).
 * - `selfTest()`: plants an 80 ms task and says whether the observer reported it.
 * - `scroll(target, step)`: scrolls [data-testid="client-list"] by `step` px a frame until the row at
 *   position `target` has been rendered (the list reads the next page when its end is reached).
 * - `resources(from, to, part)`: the API requests (Resource Timing) started in a window: each one's
 *   duration (fetch called → body received) and wait (request sent → first byte: the server's time).
 */
export const PROBE = String.raw`(() => {
  if (window.__bench) return;
  const b = (window.__bench = { longtasks: [], lastSubmit: 0, lastClick: 0, lastPointer: 0, armedWatches: {} });
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longtasks.push({ start: e.startTime, duration: e.duration }); }).observe({ type: 'longtask', buffered: true });
    b.longtaskSupported = true;
  } catch (e) {
    b.longtaskSupported = false;
  }
  performance.setResourceTimingBufferSize(100000);
  addEventListener('submit', (e) => { b.lastSubmit = e.timeStamp; }, true);
  addEventListener('click', (e) => { b.lastClick = e.timeStamp; }, true);
  addEventListener('pointerdown', (e) => { b.lastPointer = e.timeStamp; }, true);
  const tests = {
    // The first client row of the virtualised list (or of a search's results, which it also shows).
    row: () => document.querySelector('[data-testid="client-list"] [role="listitem"]') !== null,
    // A row of the list naming this client.
    rowNamed: (name) => [...document.querySelectorAll('[data-testid="client-list"] .client-name')].some((n) => n.textContent === name),
    // The search's answer, "{n} found." (not "Searching…"), and the list showing its rows (or none).
    found: () => [...document.querySelectorAll('p[aria-live="polite"]')].some((p) => /^\d+ found\.$/.test(p.textContent.trim())),
    // The record's heading with a name in it (or with exactly this name).
    heading: (name) => { const h = document.getElementById('record-title'); return h !== null && (name ? h.textContent === name : h.textContent.trim() !== ''); },
    // The signed-in shell: who is signed in, shown beside the main navigation.
    shell: (email) => { const w = document.querySelector('[data-testid="whoami"]'); return w !== null && w.textContent.includes(email); },
  };
  const afterFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  b.watch = (kind, arg) => new Promise((resolve) => {
    const test = tests[kind];
    let done = false;
    const check = () => {
      if (done || !document.documentElement || !test(arg)) return false;
      done = true;
      observer.disconnect();
      afterFrame().then(() => resolve(performance.now()));
      return true;
    };
    const observer = new MutationObserver(check);
    if (!check()) observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  b.arm = (name, kind, arg) => { b.armedWatches[name] = b.watch(kind, arg); return true; };
  b.armed = (name) => b.armedWatches[name];
  b.firstRow = b.watch('row');
  b.recordHeading = b.watch('heading');
  b.resources = (from, to, part) => performance.getEntriesByType('resource')
    .filter((r) => r.startTime >= from - 1 && r.startTime <= to && new URL(r.name).pathname.startsWith('/api/') && (!part || r.name.includes(part)))
    .map((r) => ({ path: new URL(r.name).pathname, start: r.startTime, ms: r.duration, wait: r.responseStart - r.requestStart }));
  // A full load's course, from navigation start: the HTML received, the DOM ready (scripts run), the
  // app's first API request sent, and when each API request (by path) had its answer.
  b.boot = () => {
    const nav = performance.getEntriesByType('navigation')[0];
    const api = b.resources(0, performance.now(), '');
    return { html: nav.responseEnd, dom: nav.domContentLoadedEventEnd, firstApi: api.length ? Math.min(...api.map((r) => r.start)) : NaN, answered: Object.fromEntries(api.map((r) => [r.path, r.start + r.ms])) };
  };
  // The observer's own check: a planted 80 ms task must be reported.
  b.selfTest = () => new Promise((resolve) => {
    const before = b.longtasks.length;
    setTimeout(() => { const end = performance.now() + 80; while (performance.now() < end); }, 0);
    setTimeout(() => resolve(b.longtasks.length > before), 300);
  });
  b.scroll = async (target, step, budgetMs) => {
    const el = document.querySelector('[data-testid="client-list"]');
    if (!el) throw new Error('no [data-testid="client-list"] to scroll');
    const reached = () => { let m = 0; for (const r of el.querySelectorAll('[role="listitem"]')) m = Math.max(m, Number(r.getAttribute('aria-posinset'))); return m; };
    const t0 = performance.now();
    let frames = 0, stalled = 0, worstFrame = 0, slowFrames = 0, last = t0;
    while (reached() < target) {
      if (performance.now() - t0 > budgetMs) throw new Error('scrolling stopped at row ' + reached() + ' of ' + target + ' after ' + budgetMs + ' ms');
      const before = el.scrollTop;
      el.scrollTop = before + step;
      if (el.scrollTop === before) stalled++; // at the end of the rows shown: the next page is on its way
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const now = performance.now();
      worstFrame = Math.max(worstFrame, now - last);
      if (now - last > 50) slowFrames++;
      last = now;
      frames++;
    }
    const t1 = performance.now();
    return { ms: t1 - t0, from: t0, to: t1, frames, stalled, worstFrame, slowFrames, rows: reached(), longtasks: b.longtasks.filter((t) => t.start >= t0 && t.start <= t1) };
  };
})();`;
