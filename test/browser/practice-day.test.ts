/**
 * Journeys (issue 15): the practitioner's day and the receptionist's day, against a real
 * `confidant serve`, through the web app alone. The practitioner signs in with TOTP, adds a client,
 * writes a general note, a session note and an addendum, tags the client and books a follow-up, then
 * completes it from Today. The receptionist finds the caller by phone, sees contact fields only — no
 * date of birth, no notes, no sensitive tag, anywhere in the page or in any response — and books a
 * follow-up for the practitioner, which appears on the practitioner's Today. Every screen passes the
 * gates in light and dark.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, runCli, startServe } from '../support/cli.ts';
import { browserAvailability, checkBothSchemes, launchGated, type GatedBrowser } from './gates.ts';
import { practiceOverApi, signInWithTotp } from './practice.ts';

const availability = browserAvailability();
const SHOTS = process.env.CONFIDANT_SCREENSHOTS;
/** The rest of the practice, imported before the day starts (`CONFIDANT_JOURNEY_CLIENTS=100000` tries the day at scale; CI: none). */
const PRACTICE = Number(process.env.CONFIDANT_JOURNEY_CLIENTS ?? 0);

/** "YYYY-MM-DDTHH:mm" in the browser's (the test machine's) local time, for a datetime-local field. */
function localInput(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
}

/** `ms` ago, but never before today's midnight (UTC: the practice's and the browser's zone here), so "today" holds just after midnight too. */
function earlierToday(ms: number): Date {
  const now = new Date();
  return new Date(Math.max(now.getTime() - ms, Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())));
}

describe.skipIf(!availability.run)("browser: a practitioner's day and a receptionist's day", () => {
  it('works through the web app alone; each role sees exactly what it may read', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'confidant-browser-day-'));
    const marker = randomBytes(5).toString('hex');
    const owner = { email: `owner.${marker}@example.test`, password: `owner ${marker} long passphrase` };
    const env = { CONFIDANT_DATA: path.join(root, 'data') };
    expect((await runCli(['init', '--owner-email', owner.email, '--org-name', `Harbour ${marker}`], { env: { ...env, CONFIDANT_OWNER_PASSWORD: owner.password } })).code).toBe(0);
    if (PRACTICE > 0) {
      const csv = path.join(root, 'practice.csv');
      const rows = Array.from({ length: PRACTICE }, (_, i) => `Imported Client${i} Number${i % 997},c${i}@practice.example,+442070${String(i).padStart(6, '0')}`);
      writeFileSync(csv, `name,email,phone\n${rows.join('\n')}\n`);
      const imported = await runCli(['clients', 'import', csv, '--json'], { env });
      expect(imported.code, imported.stderr).toBe(0);
    }
    const serve = await startServe({ ...env, PORT: String(await freePort()), HOST: '127.0.0.1' });
    const origin = new URL(serve.url).origin;
    const { owner: o, staff } = await practiceOverApi(serve.url, owner, [
      { email: `pia.${marker}@example.test`, password: `practitioner ${marker} passphrase`, role: 'practitioner' },
      { email: `rita.${marker}@example.test`, password: `reception ${marker} passphrase`, role: 'reception' },
    ]);
    const [pia, rita] = staff as [(typeof staff)[number], (typeof staff)[number]];
    // The owner's tags: one plain, one sensitive (a clinical label the front desk must never see).
    const sensitiveTag = `Bereavement ${marker}`;
    for (const tag of [{ name: 'Newsletter' }, { name: sensitiveTag, sensitive: true }]) expect((await o.call('POST', '/api/v1/tags', tag)).status).toBe(201);
    const client = { name: `Dana Example ${marker}`, phone: '+44 20 7946 0958', email: `dana.${marker}@example.org`, dob: '1984-03-09' };
    const secret = { general: `Discussed sleep routine ${marker}`, session: `Session content ${marker} confidential`, addendum: `Addendum: referral letter sent ${marker}`, followUp: `Check how the week went ${marker}` };
    /** Reads of client data by one person, from the audit log (the CLI's export, beside the running server). */
    const eventsBy = async (userId: string) => {
      const out = await runCli(['audit', 'export'], { env });
      expect(out.code, out.stderr).toBe(0);
      const events = out.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { event: { actorId: string | null; action: string; recordIds: string[]; fields: string[] } }).event);
      return events.filter((e) => e.actorId === userId);
    };
    const readsBy = async (userId: string) => (await eventsBy(userId)).filter((e) => ['client.read', 'client.search'].includes(e.action));
    /** Hovering, focusing the window, coming back online and waiting: none of it may read client data. */
    const idleWithoutReads = async (page: GatedBrowser['page'], userId: string, hover: string) => {
      const before = (await readsBy(userId)).length;
      await page.locator(hover).first().hover();
      await page.evaluate("window.dispatchEvent(new Event('focus')); document.dispatchEvent(new Event('visibilitychange')); window.dispatchEvent(new Event('online'))");
      await page.waitForTimeout(1500);
      expect((await readsBy(userId)).length, 'a read of client data without a person asking').toBe(before);
    };
    const problems: string[] = [];
    let practitioner: GatedBrowser | undefined;
    let reception: GatedBrowser | undefined;
    // Screenshots in dark and in light (name-dark.png, name.png); the page is left in light.
    const shot = async (page: GatedBrowser['page'], name: string) => {
      if (!SHOTS) return;
      for (const colorScheme of ['dark', 'light'] as const) {
        await page.emulateMedia({ colorScheme });
        await page.screenshot({ path: path.join(SHOTS, `${name}${colorScheme === 'dark' ? '-dark' : ''}.png`), fullPage: true });
      }
    };
    try {
      practitioner = await launchGated(origin, 'light');
      const p = practitioner.page;
      await signInWithTotp(p, origin, pia);
      await p.getByRole('heading', { name: 'Today', exact: true }).waitFor();

      // A new client, from the form the data map gives a practitioner.
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await p.getByText('No clients yet.').waitFor();
      problems.push(...(await checkBothSchemes(practitioner, 'empty client list')));
      await p.getByRole('button', { name: 'New client' }).click();
      const form = p.getByRole('dialog', { name: 'New client' });
      await form.getByRole('textbox', { name: 'Name', exact: true }).fill(client.name);
      await form.getByRole('textbox', { name: 'Phone' }).fill(client.phone);
      // A mistyped address: refused with what to do, beside the button, and nothing typed is lost.
      await form.getByRole('textbox', { name: 'E-mail' }).fill('dana.at.example.org');
      await form.getByRole('button', { name: 'Add client' }).click();
      await form.getByRole('alert').filter({ hasText: 'not in the expected form' }).waitFor();
      expect(await form.getByRole('textbox', { name: 'Phone' }).inputValue()).toBe(client.phone);
      await form.getByRole('textbox', { name: 'E-mail' }).fill(client.email);
      await form.getByLabel('Date of birth').fill(client.dob);
      problems.push(...(await checkBothSchemes(practitioner, 'new client form')));
      await form.getByRole('button', { name: 'Add client' }).click();
      await p.getByRole('heading', { name: client.name }).waitFor();
      // The address names the client by id only, and the tab title names no one.
      expect(p.url()).toMatch(/\/clients\/[0-9a-f-]{36}$/);
      expect(await p.title()).not.toContain('Dana');
      await p.locator('[data-field="date_of_birth"]').filter({ hasText: client.dob }).waitFor();

      // A general note, a session note, and an addendum that leaves the note as written.
      await p.getByRole('textbox', { name: 'Note', exact: true }).fill(secret.general);
      await p.getByRole('button', { name: 'Save note' }).click();
      await p.getByText(secret.general).waitFor();
      await p.getByRole('button', { name: /Kind of note/ }).click();
      await p.getByRole('option', { name: 'Session note (only you)' }).click();
      await p.getByRole('textbox', { name: 'Note', exact: true }).fill(secret.session);
      await p.getByRole('button', { name: 'Save note' }).click();
      const sessionNote = p.locator('.note-session').filter({ hasText: secret.session });
      await sessionNote.getByText('Session note · only its author').waitFor();
      const general = p.locator('.note-general').filter({ hasText: secret.general });
      await general.getByRole('button', { name: 'Add an addendum' }).click();
      await general.getByRole('textbox', { name: 'Addendum' }).fill(secret.addendum);
      await general.getByRole('button', { name: 'Save addendum' }).click();
      await general.getByRole('list', { name: 'Addenda' }).getByText(secret.addendum).waitFor();
      await general.getByText(secret.general).waitFor();

      // A tag, and a follow-up due an hour ago (so it is overdue on Today).
      await p.getByRole('button', { name: /Add a tag/ }).click();
      await p.getByRole('option', { name: 'Newsletter' }).click();
      await p.getByRole('button', { name: 'Add tag', exact: true }).click();
      await p.getByRole('list', { name: 'Tags' }).getByText('Newsletter').waitFor();
      await p.getByRole('button', { name: 'Book a follow-up' }).click();
      const booking = p.getByRole('form', { name: 'Book a follow-up' });
      await booking.getByLabel('Due').fill(localInput(earlierToday(3_600_000)));
      await booking.getByRole('textbox', { name: /Summary/ }).fill(secret.followUp);
      await booking.getByRole('button', { name: 'Book', exact: true }).click();
      await p.getByRole('region', { name: 'Follow-ups and appointments' }).getByText(secret.followUp).waitFor();
      // This morning's session, still to chart.
      await p.getByRole('button', { name: 'Book an appointment' }).click();
      const appointment = p.getByRole('form', { name: 'Book an appointment' });
      await appointment.getByLabel('Starts').fill(localInput(earlierToday(2 * 3_600_000)));
      await appointment.getByRole('button', { name: 'Book', exact: true }).click();
      await p.getByRole('region', { name: 'Follow-ups and appointments' }).getByRole('button', { name: /^Attended: Appointment/ }).waitFor();
      // A second booking at the same time: the clash is warned about; booked anyway, it is kept (and audited).
      const morning = earlierToday(2 * 3_600_000);
      await p.getByRole('button', { name: 'Book an appointment' }).click();
      const again2 = p.getByRole('form', { name: 'Book an appointment' });
      await again2.getByLabel('Starts').fill(localInput(morning));
      await again2.getByRole('button', { name: 'Book', exact: true }).click();
      await again2.getByRole('alert').filter({ hasText: 'already has an appointment at that time' }).waitFor();
      await again2.getByRole('button', { name: 'Book anyway' }).click();
      await expect.poll(() => p.getByRole('region', { name: 'Follow-ups and appointments' }).getByRole('button', { name: /^Attended: Appointment/ }).count()).toBe(2);
      // One of the two is cancelled, by the client, late: the reason is asked for.
      await p.getByRole('region', { name: 'Follow-ups and appointments' }).getByRole('button', { name: /^Cancelled: Appointment/ }).first().click();
      const cancel = p.getByRole('form', { name: /^Cancel the Appointment/ });
      await cancel.getByRole('button', { name: /Who cancelled/ }).click();
      await p.getByRole('option', { name: 'The client, late' }).click();
      await cancel.getByRole('button', { name: 'Cancel the appointment' }).click();
      await expect.poll(() => p.getByRole('region', { name: 'Follow-ups and appointments' }).getByRole('button', { name: /^Attended: Appointment/ }).count()).toBe(1);
      await shot(p, 'record');
      problems.push(...(await checkBothSchemes(practitioner, 'record')));
      await idleWithoutReads(p, pia.userId, 'a[href^="/clients"]');

      // Today: the follow-up (due an hour ago, so today's), done from the list.
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
      const today = p.getByRole('region', { name: 'Today', exact: true });
      await today.getByText(secret.followUp).waitFor();
      await shot(p, 'today');
      await today.getByRole('listitem').filter({ hasText: secret.followUp }).getByRole('button', { name: /^Done: Follow-up with/ }).click();
      await today.getByText(secret.followUp).waitFor({ state: 'detached' });
      // The row went away: focus is back on the day's heading, and the change was announced.
      await p.getByRole('status').filter({ hasText: 'Recorded: Done: Follow-up with' }).waitFor();
      expect(await p.evaluate<string>('document.activeElement && document.activeElement.id')).toBe('today-title');
      // The session this morning, charted from Today: a session note that names the appointment.
      const toChart = p.getByRole('region', { name: /To chart/ });
      await toChart.getByRole('button', { name: /^Write the session note for Dana/ }).click();
      await toChart.getByRole('textbox', { name: 'Session note (only you can read it)' }).fill(`Charted from Today ${marker}`);
      await toChart.getByRole('button', { name: 'Save note' }).click();
      await toChart.getByText('Every past appointment has its note.').waitFor();
      // A quick note from Today, to a client found by name.
      const quick = p.getByRole('region', { name: 'Quick note' });
      await quick.getByRole('textbox', { name: "Client's name" }).fill('Dana');
      await quick.getByRole('button', { name: 'Find', exact: true }).click();
      await quick.getByRole('button', { name: `Write a note for ${client.name}` }).click();
      await quick.getByRole('textbox', { name: /Note for/ }).fill(`Quick note ${marker}`);
      await quick.getByRole('button', { name: 'Save note' }).click();
      await quick.getByRole('status').filter({ hasText: 'Note saved' }).waitFor();
      problems.push(...(await checkBothSchemes(practitioner, 'today')));
      // The keyboard: "?" lists the shortcuts; Ctrl+K finds the client by name and opens the record.
      await p.locator('body').press('?');
      await p.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await p.keyboard.press('Escape');
      await p.keyboard.press('Control+k');
      const palette = p.getByRole('dialog', { name: 'Go to or do' });
      await palette.getByRole('textbox', { name: 'Command or client name' }).fill('Dana');
      await palette.getByRole('menuitem', { name: 'Find clients named “Dana”' }).click();
      await palette.getByRole('menuitem', { name: `Open ${client.name}` }).click();
      await p.getByRole('heading', { name: client.name }).waitFor();
      await p.getByText(`Quick note ${marker}`).waitFor();

      // A few more clients of Pia's, as a caseload has them (set by the owner over the API).
      const others = ['Alex Morgan', 'Bea Lindqvist', 'Chidi Okafor', 'Elena Rossi', 'Farah Haddad', 'Gustav Berg', 'Hana Sato', 'Ivo Novak'];
      for (const [i, name] of others.entries()) {
        const made = (await (await o.call('POST', '/api/v1/clients', { name: `${name} ${marker}`, phone: `+44 20 7946 01${String(i).padStart(2, '0')}`, status: i % 3 === 0 ? 'lead' : 'active' })).json()) as { id: string };
        expect((await o.call('PUT', `/api/v1/clients/${made.id}/caseload/${pia.userId}`)).status).toBe(204);
      }
      // The sensitive tag too, for the receptionist not to see.
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await p.getByRole('list', { name: 'Clients' }).getByRole('link', { name: new RegExp(`Hana Sato ${marker}`) }).waitFor();
      await shot(p, 'clients');
      problems.push(...(await checkBothSchemes(practitioner, 'client list')));
      // No prefetch on hover, no refetch on focus: the list's one read (its page) is all.
      await idleWithoutReads(p, pia.userId, '.client-link');
      const pageRead = (await readsBy(pia.userId)).filter((e) => e.action === 'client.search').at(-1)!;
      expect(pageRead.recordIds).toHaveLength(others.length + 1);
      // Privacy mode: names stay blurred until their row is hovered (a UI preference, kept across sign-ins).
      await p.locator('label.switch').filter({ hasText: 'Privacy mode' }).click();
      const firstName = p.locator('.client-row .client-name').first();
      expect(await firstName.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).filter)).toContain('blur');
      await firstName.hover();
      await expect.poll(() => firstName.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).filter)).toBe('none');
      await p.locator('label.switch').filter({ hasText: 'Privacy mode' }).click();
      // A bulk change: two clients tagged at once, the exact count confirmed, one audited event.
      const rows = p.getByRole('list', { name: 'Clients' });
      await rows.getByRole('checkbox', { name: `Select Alex Morgan ${marker}` }).check();
      await rows.getByRole('checkbox', { name: `Select Bea Lindqvist ${marker}` }).check();
      const bulk = p.getByRole('region', { name: 'Selected clients' });
      await bulk.getByText('2 clients selected').waitFor();
      await bulk.getByRole('button', { name: /Tag/ }).click();
      await p.getByRole('option', { name: 'Newsletter' }).click();
      await bulk.getByRole('button', { name: 'Apply…' }).click();
      const confirm = p.getByRole('dialog', { name: 'Change 2 clients?' });
      await confirm.getByText('Add the tag “Newsletter” to').waitFor();
      await confirm.getByRole('button', { name: 'Change 2 clients' }).click();
      await bulk.waitFor({ state: 'detached' });
      const bulkEvents = (await eventsBy(pia.userId)).filter((e) => e.action === 'client.update' && e.fields.includes('tags') && e.recordIds.length === 2);
      expect(bulkEvents).toHaveLength(1);
      // The last-contact filter: only Dana has been in touch (notes, a follow-up done) this month.
      await p.getByRole('button', { name: /Last contact$/ }).click();
      await p.getByRole('option', { name: 'In the last 30 days' }).click();
      await expect.poll(() => rows.getByRole('listitem').count()).toBe(1);
      await rows.getByRole('link', { name: new RegExp(client.name) }).waitFor();
      await p.getByRole('button', { name: /Last contact$/ }).click();
      await p.getByRole('option', { name: 'Over 90 days ago, or never' }).click();
      await rows.getByRole('link', { name: new RegExp(`Hana Sato ${marker}`) }).waitFor();
      expect(await rows.getByRole('link', { name: new RegExp(client.name) }).count()).toBe(0);
      await p.getByRole('button', { name: /Last contact$/ }).click();
      await p.getByRole('option', { name: 'Any time' }).click();
      await p.getByRole('list', { name: 'Clients' }).getByRole('link', { name: new RegExp(client.name) }).click();
      await p.getByRole('heading', { name: client.name }).waitFor();
      await p.getByRole('button', { name: /Add a tag/ }).click();
      await p.getByRole('option', { name: `${sensitiveTag} (sensitive)` }).click();
      await p.getByRole('button', { name: 'Add tag', exact: true }).click();
      await p.getByRole('list', { name: 'Tags' }).getByText(sensitiveTag).waitFor();

      // On a phone: Today and a client's number, nothing wider than the screen.
      await p.setViewportSize({ width: 390, height: 844 });
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
      await p.getByRole('region', { name: 'Quick note' }).waitFor();
      expect(await p.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      if (SHOTS) await p.screenshot({ path: path.join(SHOTS, 'today-phone.png'), fullPage: true });
      problems.push(...(await checkBothSchemes(practitioner, 'today on a phone')));
      await p.getByRole('region', { name: 'Today', exact: true }).getByRole('link', { name: 'Dana' }).first().click();
      await p.getByRole('link', { name: client.phone }).waitFor();
      expect(await p.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await p.setViewportSize({ width: 1100, height: 800 });

      // The receptionist's day: a caller rings; found by phone, a follow-up booked for the practitioner.
      reception = await launchGated(origin, 'dark');
      const r = reception.page;
      await signInWithTotp(r, origin, rita);
      await r.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await r.getByRole('button', { name: /Find by/ }).click();
      await r.getByRole('option', { name: 'Phone' }).click();
      await r.getByRole('textbox', { name: 'Search' }).fill('020 7946 0958');
      await r.getByRole('button', { name: 'Find', exact: true }).click();
      await r.getByText('1 found.').waitFor();
      await shot(r, 'clients-search');
      problems.push(...(await checkBothSchemes(reception, 'reception search')));
      await r.getByRole('list', { name: 'Clients' }).getByRole('link', { name: new RegExp(client.name) }).click();
      await r.getByRole('heading', { name: client.name }).waitFor();
      await r.getByRole('link', { name: client.phone }).waitFor();
      expect(await r.getByRole('region', { name: 'Notes' }).count()).toBe(0);
      expect(await r.locator('[data-field="date_of_birth"]').count()).toBe(0);
      await r.getByRole('button', { name: 'Book a follow-up' }).click();
      const desk = r.getByRole('form', { name: 'Book a follow-up' });
      await desk.getByRole('button', { name: /For$/ }).click();
      await r.getByRole('option', { name: pia.email }).click();
      await desk.getByLabel('Due').fill(localInput(earlierToday(1_800_000)));
      await desk.getByRole('textbox', { name: /Summary/ }).fill(`Caller asked for a call back ${marker}`);
      await desk.getByRole('button', { name: 'Book', exact: true }).click();
      await r.getByRole('region', { name: 'Follow-ups and appointments' }).getByRole('button', { name: /^Done: Follow-up/ }).waitFor();
      problems.push(...(await checkBothSchemes(reception, 'reception record')));
      await idleWithoutReads(r, rita.userId, 'a[href^="/clients"]');
      // In German, the signed-in screens too (their catalogue comes with the shell).
      await r.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
      await r.getByRole('button', { name: 'Deutsch' }).click();
      await r.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Klienten' }).click();
      await r.getByRole('heading', { name: 'Klienten' }).waitFor();
      problems.push(...(await checkBothSchemes(reception, 'clients in German')));
      const page = (await r.content()) + '\n' + reception.responses.join('\n');
      for (const hidden of [client.dob, secret.general, secret.session, secret.addendum, sensitiveTag]) expect(page, hidden).not.toContain(hidden);

      // The practitioner's Today has the call back the front desk booked.
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
      await p.getByRole('region', { name: 'Today', exact: true }).getByText(`Caller asked for a call back ${marker}`).waitFor();
      // Moved to tomorrow from the list: it leaves today for the next 7 days.
      const callBack = p.getByRole('region', { name: 'Today', exact: true }).getByRole('listitem').filter({ hasText: `Caller asked for a call back ${marker}` });
      await callBack.getByRole('button', { name: /^Move: Follow-up with/ }).click();
      const tomorrow = new Date(Date.now() + 86_400_000);
      tomorrow.setHours(10, 0, 0, 0);
      await callBack.getByLabel('New time').fill(localInput(tomorrow));
      await callBack.getByRole('button', { name: 'Save', exact: true }).click();
      await p.getByRole('region', { name: /^Next 7 days/ }).getByText(`Caller asked for a call back ${marker}`).waitFor();
      // This morning's session: its outcome recorded from the list, sealed with the record, shown in its history.
      // (The cancelled one stays on the day, marked so, with nothing left to do.)
      const session = p.getByRole('region', { name: 'Today', exact: true }).getByRole('listitem').filter({ hasText: 'Appointment' }).filter({ has: p.getByRole('button', { name: /^Outcome:/ }) });
      await session.getByRole('button', { name: /^Outcome: Appointment with/ }).click();
      await session.getByRole('textbox', { name: 'Outcome' }).fill(`Agreed a sleep diary ${marker}`);
      await session.getByRole('button', { name: 'Save', exact: true }).click();
      await session.getByRole('textbox', { name: 'Outcome' }).waitFor({ state: 'detached' });
      await session.getByRole('link', { name: 'Dana' }).click();
      await p.getByRole('region', { name: 'History' }).getByText(`Outcome: Agreed a sleep diary ${marker}`).waitFor();

      // A duplicate (the same e-mail, entered again), compared and merged into the first record.
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await p.getByRole('button', { name: 'New client' }).click();
      const again = p.getByRole('dialog', { name: 'New client' });
      await again.getByRole('textbox', { name: 'Name', exact: true }).fill(`D. Example ${marker}`);
      await again.getByRole('textbox', { name: 'E-mail' }).fill(client.email);
      await again.getByRole('button', { name: 'Add client' }).click();
      await p.getByRole('heading', { name: `D. Example ${marker}` }).waitFor();
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await p.getByRole('button', { name: 'Duplicates' }).click();
      const dupes = p.getByRole('dialog', { name: 'Possible duplicates' });
      await dupes.getByRole('button', { name: 'Compare pair 1' }).click();
      await dupes.getByRole('table').getByText(client.email).first().waitFor();
      // Keep the record with the notes (the one named in full); the duplicate brings its caseload place only.
      if ((await dupes.getByRole('button', { name: `Merge into ${client.name}` }).count()) === 0) await dupes.getByRole('button', { name: 'Keep the other one instead' }).click();
      await dupes.getByText('Caseload places: 1').waitFor();
      await shot(p, 'merge-preview');
      problems.push(...(await checkBothSchemes(practitioner, 'merge preview')));
      await dupes.getByRole('button', { name: `Merge into ${client.name}` }).click();
      await dupes.getByRole('status').filter({ hasText: 'Merged.' }).waitFor();
      await dupes.getByText('No possible duplicates found.').waitFor();
      await dupes.getByRole('button', { name: 'Close' }).click();

      // Break-glass: a client of the practice who is not on Pia's caseload — the reason first, then the search, then the record.
      const stranger = `Sam Stranger ${marker}`;
      expect((await o.call('POST', '/api/v1/clients', { name: stranger, phone: '+44 20 7946 0000' })).status).toBe(201);
      await p.getByRole('button', { name: 'Emergency access' }).click();
      const glass = p.getByRole('dialog', { name: 'Emergency access' });
      await glass.getByRole('textbox', { name: 'Why do you need this record?' }).fill('Client in crisis called the out-of-hours line; their practitioner is away');
      await glass.getByRole('textbox', { name: 'Search the whole organisation' }).fill(stranger);
      await glass.getByRole('button', { name: 'Search', exact: true }).click();
      await glass.getByRole('button', { name: `Open the record of ${stranger} with emergency access` }).click();
      await p.getByRole('heading', { name: stranger }).waitFor();

      // The owner's alert for it.
      const ownerBrowser = await launchGated(origin, 'light');
      try {
        await signInWithTotp(ownerBrowser.page, origin, o);
        await ownerBrowser.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
        await ownerBrowser.page.getByRole('list', { name: 'Alerts' }).getByText('Emergency access').first().waitFor();
        await shot(ownerBrowser.page, 'alerts');
        problems.push(...(await checkBothSchemes(ownerBrowser, 'alerts')));
        // The owner erases a record made in error: a reason, a plain statement, then the server's account of it.
        const op = ownerBrowser.page;
        await op.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
        await op.getByRole('textbox', { name: 'Search' }).fill(stranger);
        await op.getByRole('button', { name: 'Find', exact: true }).click();
        await op.getByRole('list', { name: 'Clients' }).getByRole('link', { name: new RegExp(stranger) }).click();
        await op.getByRole('heading', { name: stranger }).waitFor();
        await op.getByRole('button', { name: 'Erase…' }).click();
        const erase = op.getByRole('dialog', { name: 'Erase this client?' });
        await erase.getByText('This cannot be undone.', { exact: false }).waitFor();
        await erase.getByRole('button', { name: /Why is the client erased/ }).click();
        await op.getByRole('option', { name: 'The record was created in error' }).click();
        problems.push(...(await checkBothSchemes(ownerBrowser, 'erasure')));
        await erase.getByRole('button', { name: 'Erase for good' }).click();
        const erased = op.getByRole('dialog', { name: 'The client is erased' });
        await erased.getByText('Destroyed (unreadable everywhere)').waitFor();
        await erased.getByRole('button', { name: 'Back to clients' }).click();
        await op.getByRole('heading', { name: 'Clients' }).waitFor();
        expect(await op.getByText(stranger).count()).toBe(0);
      } finally {
        await ownerBrowser.close();
      }
      expect(problems).toEqual([]);
    } catch (error) {
      await practitioner?.page.screenshot({ path: path.join(root, '..', `failed-${path.basename(root)}-practitioner.png`), fullPage: true }).catch(() => undefined);
      await reception?.page.screenshot({ path: path.join(root, '..', `failed-${path.basename(root)}-reception.png`), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await reception?.close();
      await practitioner?.close();
      serve.child.kill('SIGTERM');
      await serve.exited;
      rmSync(root, { recursive: true, force: true });
    }
  }, 240_000);
});
