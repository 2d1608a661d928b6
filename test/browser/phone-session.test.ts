/**
 * Acceptance (issue 16), as a new user would: a practitioner on a phone-sized window books a weekly
 * series for a new client, marks today's session attended, bills it and marks it paid; the owner
 * prints the month's invoices. Against a real `confidant serve`, through the web app alone; every
 * screen passes the gates in light and dark. The time the practitioner's part took in the browser is
 * printed (a person's two minutes are judged by trying it, not asserted here).
 */
import { describe, expect, it } from 'vitest';
import { browserAvailability, checkBothSchemes } from './gates.ts';
import { signInWithTotp, withPractice, type Person } from './practice.ts';

const availability = browserAvailability();

/** "YYYY-MM-DDTHH:mm" of an instant in UTC (the practice's zone here, and the phone's). */
const utcInput = (ms: number) => new Date(ms).toISOString().slice(0, 16);

describe.skipIf(!availability.run)('browser: a session booked, attended, billed and paid from a phone', () => {
  it('takes a practitioner from a new client to a paid invoice on a 390 × 844 screen; the owner prints the month', () =>
    withPractice('phone', [{ name: 'pia', role: 'practitioner' }], async (j) => {
      const { origin, owner: o } = j;
      const [pia] = j.staff as [Person];
      const clientName = `Noor Phoneworth ${j.marker}`;
      // (The owner has just signed in over the API: fresh enough for a settings change without a step-up,
      // which would spend the authenticator code the owner's browser sign-in below needs.)
      const settings = await o.call('PATCH', '/api/v1/organisation', { default_session_price: { unit_minor: 9000, currency: 'GBP' }, invoice_details: { address_lines: ['1 Harbour Street', 'Bristol BS1 1AA'], tax_number: `GB${j.marker}`, payment_terms: 'Payable within 14 days.' } });
      expect(settings.status, await settings.clone().text()).toBe(200);

      const phone = await j.browser('phone', { viewport: { width: 390, height: 844 }, isMobile: true, timezoneId: 'UTC' });
      const p = phone.page;
      await signInWithTotp(p, origin, pia);
      const started = Date.now();

      // A new client, from the list.
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
      await p.getByRole('button', { name: 'New client' }).click();
      const form = p.getByRole('dialog', { name: 'New client' });
      await form.getByRole('textbox', { name: 'Name', exact: true }).fill(clientName);
      await form.getByRole('textbox', { name: 'Phone' }).fill('+44 20 7946 0321');
      await form.getByRole('button', { name: 'Add client' }).click();
      await p.getByRole('heading', { name: clientName }).waitFor();
      const clientId = p.url().split('/').pop()!;

      // A weekly series of six from today's session, which began ten minutes ago.
      const sessionStart = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000;
      await p.getByRole('button', { name: 'Book an appointment' }).click();
      const booking = p.getByRole('form', { name: 'Book an appointment' });
      await booking.getByLabel('Starts').fill(utcInput(sessionStart));
      await booking.getByRole('button', { name: /Repeats$/ }).click();
      await p.getByRole('option', { name: 'Every week' }).click();
      await booking.getByLabel('Sessions', { exact: true }).fill('6');
      j.problems.push(...(await checkBothSchemes(phone, 'phone: booking a series')));
      await booking.getByRole('button', { name: 'Book the series' }).click();
      const activities = p.getByRole('region', { name: 'Follow-ups and appointments' });

      // Today's session: attended (the later ones have not started, so offer no such button).
      await activities.getByRole('button', { name: /^Attended: Appointment/ }).click();
      await expect.poll(() => activities.getByRole('button', { name: /^Attended: Appointment/ }).count()).toBe(0);
      await j.shot(p, 'phone-record');

      // Billed with one tap, then sent and paid by card (brand and last four only).
      await p.getByRole('button', { name: /^Bill this session: appointment on/ }).click();
      await p.getByRole('link', { name: 'Draft invoice made: open it' }).click();
      await p.getByRole('heading', { name: 'Invoice (draft)' }).waitFor();
      await p.getByRole('button', { name: 'Send (gives it its number)' }).click();
      await p.getByRole('heading', { name: 'Invoice INV-0001' }).waitFor();
      await p.getByRole('button', { name: 'Mark paid' }).click();
      const pay = p.getByRole('form', { name: 'Mark paid' });
      await pay.getByRole('textbox', { name: 'Last four digits' }).fill('4242');
      j.problems.push(...(await checkBothSchemes(phone, 'phone: mark paid')));
      await pay.getByRole('button', { name: 'Record payment' }).click();
      await p.locator('.badge').filter({ hasText: 'paid' }).waitFor();
      const took = Date.now() - started;
      process.stdout.write(`phone acceptance: new client to paid invoice in ${(took / 1000).toFixed(1)} s of browser time\n`);
      await j.shot(p, 'phone-invoice-paid');
      j.problems.push(...(await checkBothSchemes(phone, 'phone: paid invoice')));

      // Six sessions, a week apart, at the same time; the first attended and billed.
      const timeline = (await (await pia.call('GET', `/api/v1/clients/${clientId}/timeline`)).json()) as { items: { activity?: { kind: string; at: string; status: string } }[] };
      const sessions = timeline.items.map((i) => i.activity).filter((a) => a?.kind === 'appointment').map((a) => [a!.at, a!.status]).sort();
      expect(sessions).toEqual(Array.from({ length: 6 }, (_, k) => [new Date(sessionStart + k * 7 * 86_400_000).toISOString(), k === 0 ? 'attended' : 'booked']));
      const invoices = (await (await o.call('GET', '/api/v1/invoices')).json()) as { invoices: { number: string | null; status: string; total_minor: number }[] };
      expect(invoices.invoices).toMatchObject([{ number: 'INV-0001', status: 'paid', total_minor: 9000 }]);

      // The owner prints the month's invoices.
      const desk = await j.browser('desk');
      const d = desk.page;
      await signInWithTotp(d, origin, o);
      await d.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Invoices' }).click();
      await d.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor();
      await d.getByRole('link', { name: 'Print the month' }).click();
      const printed = d.locator('.printed-invoice');
      await printed.getByText('INV-0001').first().waitFor();
      await printed.getByText(clientName).waitFor();
      await printed.getByText('1 Harbour Street').waitFor();
      j.problems.push(...(await checkBothSchemes(desk, "owner: the month's invoices to print")));
      await d.emulateMedia({ media: 'print' });
      expect(await d.locator('.topbar').isVisible()).toBe(false);
      await d.emulateMedia({ media: 'screen' });
      await j.shot(d, 'invoices-month-print');

      // The owner's invoicing settings and rooms, on the organisation's page.
      await d.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisation' }).click();
      const invoicing = d.getByRole('form', { name: 'Invoicing' });
      expect(await invoicing.getByRole('textbox', { name: 'Price of a session' }).inputValue()).toBe('90.00');
      expect(await invoicing.getByRole('textbox', { name: /Address printed on invoices/ }).inputValue()).toBe('1 Harbour Street\nBristol BS1 1AA');
      await invoicing.getByRole('textbox', { name: 'Invoice number prefix' }).fill('HS-');
      await invoicing.getByRole('button', { name: 'Save invoicing settings' }).click();
      await d.getByRole('region', { name: 'Invoicing' }).getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const addRoom = d.getByRole('form', { name: 'Add a room' });
      await addRoom.getByRole('textbox', { name: 'Room' }).fill('Garden room');
      await addRoom.getByRole('button', { name: 'Add room' }).click();
      await d.getByRole('list', { name: 'Rooms' }).getByText('Garden room').waitFor();
      j.problems.push(...(await checkBothSchemes(desk, 'owner: invoicing and rooms')));
      const org = (await (await o.call('GET', '/api/v1/organisation')).json()) as { invoice_prefix: string };
      expect(org.invoice_prefix).toBe('HS-');
      expect(((await (await o.call('GET', '/api/v1/rooms')).json()) as { rooms: { name: string }[] }).rooms.map((r) => r.name)).toEqual(['Garden room']);
    }), 240_000);
});
