/**
 * Journey (issue 16): the calendar, against a real `confidant serve`, through the web app alone.
 * A practitioner books a weekly series from the calendar in London time, moves one occurrence, then
 * this and the following ones across the change to summer time (every instant checked over the API);
 * a clash is warned about and booked anyway; a future appointment offers no "attended"; a no-show is
 * recorded; a colleague's client shows as busy. The receptionist sees the whole practice by first
 * name only. Every screen passes the gates in light and dark.
 */
import { describe, expect, it } from 'vitest';
import { browserAvailability, checkBothSchemes } from './gates.ts';
import { signInWithTotp, withPractice, type Person } from './practice.ts';

const availability = browserAvailability();

interface Appointment {
  id: string;
  at: string;
  status: string;
  series_id: string | null;
}

describe.skipIf(!availability.run)('browser: the calendar', () => {
  it('books, moves and records appointments on the viewer’s clock; each role sees what it may', () =>
    withPractice('calendar', [{ name: 'pia', role: 'practitioner' }, { name: 'colin', role: 'practitioner' }, { name: 'rita', role: 'reception' }], async (j) => {
      const { origin, marker, owner: o } = j;
      const [pia, colin, rita] = j.staff as [Person, Person, Person];
      expect((await o.call('PATCH', '/api/v1/organisation', { time_zone: 'Europe/London' })).status).toBe(200);
      const newClient = async (name: string, practitioner: Person) => {
        const res = await o.call('POST', '/api/v1/clients', { name });
        expect(res.status).toBe(201);
        const id = ((await res.json()) as { id: string }).id;
        expect((await o.call('PUT', `/api/v1/clients/${id}/caseload/${practitioner.userId}`)).status).toBeLessThan(300);
        return id;
      };
      const ada = await newClient(`Ada Lovelock${marker}`, pia);
      const bruno = await newClient(`Bruno Hidden${marker}`, colin);
      const book = async (as: Person, client: string, startsAt: string, minutes = 50) => {
        const res = await as.call('POST', `/api/v1/clients/${client}/activities`, { kind: 'appointment', starts_at: startsAt, duration_min: minutes });
        expect(res.status, await res.clone().text()).toBe(201);
        return ((await res.json()) as { id: string }).id;
      };
      // Colin's client on the same Monday as the series: Pia sees only that he is busy.
      await book(colin, bruno, '2027-03-22T13:00:00Z');
      // Earlier today (a session that did not happen) and later this year (not started yet).
      // Never before today's midnight in London, so the day view of "today" shows it just after midnight too.
      const london = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date()).map((x) => [x.type, Number(x.value)]));
      const londonMidnight = Date.now() - ((london.hour! * 60 + london.minute!) * 60_000) - (Date.now() % 60_000);
      const missed = await book(pia, ada, new Date(Math.max(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000, londonMidnight)).toISOString(), 30);
      const occurrences = async (): Promise<Appointment[]> => {
        const res = await pia.call('GET', `/api/v1/clients/${ada}/timeline`);
        const items = ((await res.json()) as { items: { activity?: Appointment & { kind: string } }[] }).items;
        return items.map((i) => i.activity).filter((a): a is Appointment & { kind: string } => a?.kind === 'appointment' && a.series_id !== null).sort((a, b) => a.at.localeCompare(b.at));
      };

      const practitioner = await j.browser('practitioner', { timezoneId: 'UTC' });
      const page = practitioner.page;
      await signInWithTotp(page, origin, pia);
      await page.getByRole('link', { name: 'Calendar' }).click();
      await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
      // The browser runs in UTC, the practice in London: the page says whose clock it shows.
      await page.getByText('Times are on the clock of Europe/London.').waitFor();
      j.problems.push(...(await checkBothSchemes(practitioner, 'calendar, this week')));

      // A weekly series of four from Monday 15 March 2027, 09:00 London time, booked from the calendar.
      await page.getByLabel('Go to date').fill('2027-03-15');
      await page.getByRole('heading', { name: /15\D+21 March 2027/ }).waitFor();
      await page.getByRole('button', { name: 'Book an appointment' }).click();
      const dialog = page.getByRole('dialog', { name: 'Book an appointment' });
      await dialog.getByLabel("Client's name").fill(`Ada Lovelock${marker}`);
      await dialog.getByRole('button', { name: 'Find' }).click();
      await dialog.getByRole('button', { name: `Book for Ada Lovelock${marker}` }).click();
      await dialog.getByLabel('Starts').fill('2027-03-15T09:00');
      await dialog.getByRole('button', { name: /Repeats$/ }).click();
      await page.getByRole('option', { name: 'Every week' }).click();
      await dialog.getByLabel('Sessions', { exact: true }).fill('4');
      j.problems.push(...(await checkBothSchemes(practitioner, 'calendar, booking a series')));
      await dialog.getByRole('button', { name: 'Book the series' }).click();
      await dialog.waitFor({ state: 'detached' });
      // 09:00 in London every Monday: GMT, then BST from 28 March.
      expect((await occurrences()).map((a) => a.at)).toEqual(['2027-03-15T09:00:00.000Z', '2027-03-22T09:00:00.000Z', '2027-03-29T08:00:00.000Z', '2027-04-05T08:00:00.000Z']);
      const firstEntry = page.getByRole('button', { name: /^09:00 Ada, part of a series/ });
      await firstEntry.waitFor();
      await j.shot(page, 'calendar-week');

      // Next week: the second session moved alone to 10:00; Colin's appointment shows as busy.
      await page.getByRole('button', { name: 'Next week' }).click();
      await page.getByRole('heading', { name: /22\D+28 March 2027/ }).waitFor();
      // The whole practice: Colin's appointment shows as busy, with whose time it is.
      await page.getByRole('button', { name: /Whose$/ }).click();
      await page.getByRole('option', { name: 'The whole practice' }).click();
      await page.getByRole('button', { name: new RegExp(`^13:00 Busy colin\\.${marker}$`) }).waitFor();
      expect(await page.content()).not.toContain('Bruno');
      await j.shot(page, 'calendar-practice');
      await page.getByRole('button', { name: /^09:00 Ada/ }).click();
      let details = page.getByRole('dialog', { name: 'Appointment' });
      await details.getByText('One of a recurring series').waitFor();
      // Not started yet: nothing to record, only move or cancel.
      await details.getByText('Attended or did not come can be recorded once it has started.').waitFor();
      expect(await details.getByRole('button', { name: 'Attended' }).count()).toBe(0);
      await details.getByRole('button', { name: 'Move' }).click();
      await details.getByLabel('New time').fill('2027-03-22T10:00');
      await details.getByRole('button', { name: 'Save' }).click();
      await details.getByRole('button', { name: 'Move' }).waitFor();
      await details.getByRole('button', { name: 'Close' }).click();
      await details.waitFor({ state: 'detached' });
      expect((await occurrences()).map((a) => a.at)).toEqual(['2027-03-15T09:00:00.000Z', '2027-03-22T10:00:00.000Z', '2027-03-29T08:00:00.000Z', '2027-04-05T08:00:00.000Z']);

      // The week after the clocks change: this and the following ones move to 11:00 London time.
      await page.getByRole('button', { name: 'Next week' }).click();
      await page.getByRole('heading', { name: /29 March\D+4 April 2027/ }).waitFor();
      await page.getByRole('button', { name: /^09:00 Ada/ }).click();
      details = page.getByRole('dialog', { name: 'Appointment' });
      await details.getByRole('button', { name: 'Move' }).click();
      await details.getByLabel('New time').fill('2027-03-29T11:00');
      await details.getByRole('button', { name: /Which sessions$/ }).click();
      await page.getByRole('option', { name: 'This and the following ones' }).click();
      await details.getByRole('button', { name: 'Save' }).click();
      await details.getByRole('button', { name: 'Move' }).waitFor();
      await details.getByRole('button', { name: 'Close' }).click();
      await details.waitFor({ state: 'detached' });
      expect((await occurrences()).map((a) => a.at)).toEqual(['2027-03-15T09:00:00.000Z', '2027-03-22T10:00:00.000Z', '2027-03-29T10:00:00.000Z', '2027-04-05T10:00:00.000Z']);
      await page.getByRole('button', { name: /^11:00 Ada/ }).waitFor();

      // A clash: another appointment for Ada at 11:30 that Monday is warned about, then booked anyway.
      await page.getByRole('button', { name: 'Book an appointment' }).click();
      const again = page.getByRole('dialog', { name: 'Book an appointment' });
      await again.getByLabel("Client's name").fill(`Ada Lovelock${marker}`);
      await again.getByRole('button', { name: 'Find' }).click();
      await again.getByRole('button', { name: `Book for Ada Lovelock${marker}` }).click();
      await again.getByLabel('Starts').fill('2027-03-29T11:30');
      await again.getByRole('button', { name: 'Book', exact: true }).click();
      await again.getByText('The practitioner already has an appointment at that time.').waitFor();
      j.problems.push(...(await checkBothSchemes(practitioner, 'calendar, clash warning')));
      await again.getByRole('button', { name: 'Book anyway' }).click();
      await again.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: /^11:30 Ada/ }).waitFor();
      await j.shot(page, 'calendar-clash');

      // Dragged with the mouse: the overridden 11:30 appointment two hours later, to 13:30.
      const box = (await page.getByRole('button', { name: /^11:30 Ada/ }).boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + 8);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2, box.y + 8 + 60, { steps: 4 });
      await page.mouse.move(box.x + box.width / 2, box.y + 8 + 2 * 56, { steps: 4 });
      await page.mouse.up();
      await page.getByRole('button', { name: /^13:30 Ada/ }).waitFor();
      expect(await page.getByRole('dialog').count(), 'a drag opens nothing').toBe(0);
      const single = ((await (await pia.call('GET', `/api/v1/clients/${ada}/timeline`)).json()) as { items: { activity?: Appointment & { kind: string } }[] }).items
        .map((i) => i.activity)
        .filter((a) => a?.kind === 'appointment' && a.series_id === null && a.at.startsWith('2027-03-29'));
      expect(single.map((a) => a!.at)).toEqual(['2027-03-29T12:30:00.000Z']);

      // With rooms set, a booking names one; the same room at the same time is a clash for anyone.
      const room = await o.call('POST', '/api/v1/rooms', { name: 'Garden room' });
      expect(room.status).toBe(201);
      await page.reload();
      await page.getByRole('heading', { name: /29 March\D+4 April 2027/ }).waitFor().catch(async () => {
        await page.getByLabel('Go to date').fill('2027-03-29');
      });
      await page.getByRole('button', { name: 'Book an appointment' }).click();
      const inRoom = page.getByRole('dialog', { name: 'Book an appointment' });
      await inRoom.getByLabel("Client's name").fill(`Ada Lovelock${marker}`);
      await inRoom.getByRole('button', { name: 'Find' }).click();
      await inRoom.getByRole('button', { name: `Book for Ada Lovelock${marker}` }).click();
      await inRoom.getByLabel('Starts').fill('2027-03-29T15:00');
      await inRoom.getByRole('button', { name: /Room$/ }).click();
      await page.getByRole('option', { name: 'Garden room' }).click();
      await inRoom.getByRole('button', { name: 'Book', exact: true }).click();
      await inRoom.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: /^15:00 Ada Garden room/ }).waitFor();
      const roomId = ((await room.json()) as { id: string }).id;
      const taken = await colin.call('POST', `/api/v1/clients/${bruno}/activities`, { kind: 'appointment', starts_at: '2027-03-29T14:30:00Z', duration_min: 50, room_id: roomId });
      expect(taken.status).toBe(409);
      expect(((await taken.json()) as { error: { code: string; details: { with: string } } }).error).toMatchObject({ code: 'APPOINTMENT_CLASH', details: { with: 'room' } });

      // The server refuses "attended" before the start, whatever the page offers.
      const future = (await occurrences())[3]!;
      const early = await pia.call('PATCH', `/api/v1/activities/${future.id}`, { status: 'attended' });
      expect(early.status).toBe(409);
      expect(((await early.json()) as { error: { code: string } }).error.code).toBe('APPOINTMENT_NOT_STARTED');

      // Today's missed session: recorded as a no-show from the day view.
      await page.getByRole('button', { name: 'Today', exact: true }).click();
      await page.getByRole('button', { name: 'Day', exact: true }).click();
      await page.getByRole('button', { name: / Ada$/ }).first().click();
      details = page.getByRole('dialog', { name: 'Appointment' });
      await details.getByRole('button', { name: 'Did not come' }).click();
      await details.getByText('Did not come', { exact: true }).waitFor();
      await details.getByRole('button', { name: 'Close' }).click();
      await details.waitFor({ state: 'detached' });
      const missedRow = ((await (await pia.call('GET', `/api/v1/clients/${ada}/timeline`)).json()) as { items: { activity?: Appointment }[] }).items.find((i) => i.activity?.id === missed);
      expect(missedRow?.activity?.status).toBe('no_show');
      j.problems.push(...(await checkBothSchemes(practitioner, 'calendar, day')));

      // Colin works from New York: he sets his own time zone, and his calendar follows it. A weekly
      // series at 09:00 his time across the end of summer time there (7 November 2027), then the
      // following ones moved to 10:00, keep his local time.
      const colleague = await j.browser('colleague', { timezoneId: 'Europe/London' });
      const c = colleague.page;
      await signInWithTotp(c, origin, colin);
      await c.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' }).click();
      await c.getByRole('button', { name: /Your time zone$/ }).click();
      await c.getByRole('option', { name: 'America/New York' }).click();
      await c.getByRole('button', { name: /^America\/New York Your time zone$/ }).waitFor();
      await expect.poll(async () => ((await (await colin.call('GET', '/api/v1/auth/me')).json()) as { time_zone: string | null }).time_zone).toBe('America/New_York');
      await c.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calendar' }).click();
      await c.getByText('Times are on the clock of America/New_York.').waitFor();
      await c.getByLabel('Go to date').fill('2027-11-01');
      await c.getByRole('button', { name: 'Book an appointment' }).click();
      const nyBooking = c.getByRole('dialog', { name: 'Book an appointment' });
      await nyBooking.getByLabel("Client's name").fill(`Bruno Hidden${marker}`);
      await nyBooking.getByRole('button', { name: 'Find' }).click();
      await nyBooking.getByRole('button', { name: `Book for Bruno Hidden${marker}` }).click();
      await nyBooking.getByText('On the clock of America/New_York').waitFor();
      await nyBooking.getByLabel('Starts').fill('2027-11-01T09:00');
      await nyBooking.getByRole('button', { name: /Repeats$/ }).click();
      await c.getByRole('option', { name: 'Every week' }).click();
      await nyBooking.getByLabel('Sessions', { exact: true }).fill('3');
      await nyBooking.getByRole('button', { name: 'Book the series' }).click();
      await nyBooking.waitFor({ state: 'detached' });
      const brunoSeries = async () => {
        const items = ((await (await colin.call('GET', `/api/v1/clients/${bruno}/timeline`)).json()) as { items: { activity?: Appointment & { kind: string } }[] }).items;
        return items.map((i) => i.activity).filter((a) => a?.kind === 'appointment' && a.series_id !== null).map((a) => a!.at).sort();
      };
      // 09:00 in New York: EDT (UTC−4) on 1 November, EST (UTC−5) from the 8th.
      expect(await brunoSeries()).toEqual(['2027-11-01T13:00:00.000Z', '2027-11-08T14:00:00.000Z', '2027-11-15T14:00:00.000Z']);
      await c.getByRole('button', { name: /^09:00 Bruno/ }).click();
      const nyDetails = c.getByRole('dialog', { name: 'Appointment' });
      await nyDetails.getByRole('button', { name: 'Move' }).click();
      await nyDetails.getByLabel('New time').fill('2027-11-01T10:00');
      await nyDetails.getByRole('button', { name: /Which sessions$/ }).click();
      await c.getByRole('option', { name: 'This and the following ones' }).click();
      await nyDetails.getByRole('button', { name: 'Save' }).click();
      await nyDetails.getByRole('button', { name: 'Move' }).waitFor();
      expect(await brunoSeries()).toEqual(['2027-11-01T14:00:00.000Z', '2027-11-08T15:00:00.000Z', '2027-11-15T15:00:00.000Z']);
      await nyDetails.getByRole('button', { name: 'Close' }).click();
      await c.getByRole('button', { name: 'Next week' }).click();
      await c.getByRole('button', { name: /^10:00 Bruno/ }).waitFor();
      j.problems.push(...(await checkBothSchemes(colleague, 'calendar, New York')));

      // Reception: the whole practice, by first name only.
      const reception = await j.browser('reception', { timezoneId: 'Europe/London' });
      await signInWithTotp(reception.page, origin, rita);
      await reception.page.getByRole('link', { name: 'Calendar' }).click();
      await reception.page.getByLabel('Go to date').fill('2027-03-22');
      await reception.page.getByRole('button', { name: /^10:00 Ada/ }).waitFor();
      await reception.page.getByRole('button', { name: /^13:00 Bruno/ }).waitFor();
      // The browser is in London too: no zone note.
      expect(await reception.page.getByText('Times are on the clock of').count()).toBe(0);
      const seen = `${await reception.page.content()}\n${reception.responses.join('\n')}`;
      for (const surname of [`Lovelock${marker}`, `Hidden${marker}`]) expect(seen, 'a surname reached the front desk').not.toContain(surname);
      j.problems.push(...(await checkBothSchemes(reception, 'calendar, reception')));
      await j.shot(reception.page, 'calendar-reception');
    }), 240_000);
});
