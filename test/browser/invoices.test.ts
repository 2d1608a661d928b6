/**
 * Journey (issue 16, invoices): against a real `confidant serve`, through the web app. Billing bills
 * an attended appointment from the client's record, sends the invoice (it is numbered), marks it paid
 * by card — brand and last four only; a pasted card number is refused with the server's message —
 * and credits it; another invoice is voided with a reason on a phone-sized screen (390×844). The
 * printable page passes the gates in light and dark. Billing sees invoices but no notes; the
 * practitioner has no Invoices in the navigation.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSync } from 'otplib';
import { describe, expect, it } from 'vitest';
import { freePort, runCli, startServe } from '../support/cli.ts';
import { browserAvailability, checkBothSchemes, launchGated, type GatedBrowser } from './gates.ts';
import { practiceOverApi, signInWithTotp } from './practice.ts';

const availability = browserAvailability();

describe.skipIf(!availability.run)('browser: billing a session, paying, voiding and crediting invoices', () => {
  it('works through the web app; billing sees invoices and no notes, a practitioner no invoices', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'confidant-browser-invoices-'));
    const marker = randomBytes(5).toString('hex');
    const owner = { email: `owner.${marker}@example.test`, password: `owner ${marker} long passphrase` };
    const env = { CONFIDANT_DATA: path.join(root, 'data') };
    expect((await runCli(['init', '--owner-email', owner.email, '--org-name', `Harbour ${marker}`], { env: { ...env, CONFIDANT_OWNER_PASSWORD: owner.password } })).code).toBe(0);
    const serve = await startServe({ ...env, PORT: String(await freePort()), HOST: '127.0.0.1' });
    const origin = new URL(serve.url).origin;
    const { owner: o, staff } = await practiceOverApi(serve.url, owner, [
      { email: `pia.${marker}@example.test`, password: `practitioner ${marker} passphrase`, role: 'practitioner' },
      { email: `bea.${marker}@example.test`, password: `billing ${marker} passphrase`, role: 'billing' },
    ]);
    const [pia, bea] = staff as [(typeof staff)[number], (typeof staff)[number]];
    // The scene, over the API: the organisation's price and invoice details, a client on Pia's
    // caseload with a note, and a session this morning that Pia marks attended.
    expect((await o.call('POST', '/api/v1/auth/step-up', { password: owner.password, code: generateSync({ secret: o.secret, epoch: Math.floor(Date.now() / 1000) + 30 }) })).status).toBe(200);
    const settings = await o.call('PATCH', '/api/v1/organisation', { default_session_price: { unit_minor: 8000, currency: 'GBP' }, invoice_details: { address_lines: ['1 Harbour Street', 'Bristol BS1 1AA'], tax_number: `GB${marker}`, payment_terms: 'Payable within 14 days.' } });
    expect(settings.status, await settings.clone().text()).toBe(200);
    const clientName = `Dana Example ${marker}`;
    const clientId = ((await (await o.call('POST', '/api/v1/clients', { name: clientName })).json()) as { id: string }).id;
    expect((await o.call('PUT', `/api/v1/clients/${clientId}/caseload/${pia.userId}`)).status).toBeLessThan(300);
    const noteText = `Clinical note ${marker}`;
    expect((await pia.call('POST', `/api/v1/clients/${clientId}/notes`, { kind: 'general', body: noteText })).status).toBe(201);
    const session = await pia.call('POST', `/api/v1/clients/${clientId}/activities`, { kind: 'appointment', starts_at: new Date(Date.now() - 3 * 3_600_000).toISOString(), duration_min: 50, allow_clash: true });
    expect(session.status).toBe(201);
    const sessionId = ((await session.json()) as { id: string }).id;
    expect((await pia.call('PATCH', `/api/v1/activities/${sessionId}`, { status: 'attended' })).status).toBe(200);
    // A second invoice, drafted over the API, to be voided.
    const toVoid = await bea.call('POST', `/api/v1/clients/${clientId}/invoices`, { items: [{ description: `Report ${marker}`, quantity: 1, unit_minor: 2500 }] });
    expect(toVoid.status).toBe(201);

    const problems: string[] = [];
    let billing: GatedBrowser | undefined;
    let practitioner: GatedBrowser | undefined;
    try {
      billing = await launchGated(origin, 'light');
      const b = billing.page;
      await signInWithTotp(b, origin, bea);
      const nav = b.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Invoices' }).waitFor();

      // The record, as billing sees it: no notes section, the invoices section, the session to bill.
      await b.goto(`${origin}/clients/${clientId}`);
      await b.getByRole('heading', { name: clientName }).waitFor();
      await b.getByRole('heading', { name: 'Invoices', level: 2 }).waitFor();
      expect(await b.getByRole('heading', { name: 'Notes' }).count()).toBe(0);
      await b.getByRole('button', { name: /^Bill this session: appointment on/ }).click();
      await b.getByRole('link', { name: 'Draft invoice made: open it' }).click();
      await b.getByRole('heading', { name: 'Invoice (draft)' }).waitFor();
      await b.getByRole('cell', { name: /^Session, \d{4}-\d{2}-\d{2}, 50 min$/ }).waitFor();
      problems.push(...(await checkBothSchemes(billing, 'draft invoice')));

      // Sent: numbered.
      await b.getByRole('button', { name: 'Send (gives it its number)' }).click();
      await b.getByRole('heading', { name: 'Invoice INV-0001' }).waitFor();
      const invoiceUrl = b.url();

      // Paid by card: a pasted card number is refused with the server's message; the last four are kept.
      await b.getByRole('button', { name: 'Mark paid' }).click();
      const pay = b.getByRole('form', { name: 'Mark paid' });
      await pay.getByText('Never enter the card number').waitFor();
      await pay.getByRole('textbox', { name: 'Last four digits' }).fill('4111 1111 1111 1111');
      await pay.getByRole('button', { name: 'Record payment' }).click();
      await pay.getByRole('alert').filter({ hasText: 'is never stored: remove card_last4' }).waitFor();
      problems.push(...(await checkBothSchemes(billing, 'mark paid, card number refused')));
      await pay.getByRole('textbox', { name: 'Last four digits' }).fill('1111');
      await pay.getByRole('button', { name: 'Record payment' }).click();
      await b.locator('.badge').filter({ hasText: 'paid' }).waitFor();
      await b.getByText('visa ···· 1111').waitFor();

      // The printable page: the organisation's details, the recipient, the totals.
      await b.getByRole('link', { name: 'Print' }).click();
      const printed = b.locator('.printed-invoice');
      await printed.getByText('1 Harbour Street').waitFor();
      await printed.getByText(clientName).waitFor();
      await printed.getByText('Payable within 14 days.').waitFor();
      await printed.getByRole('row', { name: /Total/ }).filter({ hasText: '£80.00' }).waitFor();
      await b.getByRole('button', { name: 'Print / save as PDF' }).waitFor();
      problems.push(...(await checkBothSchemes(billing, 'printable invoice')));
      await b.emulateMedia({ media: 'print' });
      expect(await b.locator('.topbar').isVisible()).toBe(false);
      expect(await b.getByRole('button', { name: 'Print / save as PDF' }).isVisible()).toBe(false);
      await b.emulateMedia({ media: 'screen' });

      // Credited: a credit note with the next number.
      await b.goto(invoiceUrl);
      await b.getByRole('button', { name: 'Credit note' }).click();
      const credit = b.getByRole('form', { name: 'Credit this invoice' });
      await credit.getByRole('button', { name: /Reason/ }).click();
      await b.getByRole('option', { name: 'Client cancelled' }).click();
      await credit.getByRole('button', { name: 'Issue the credit note' }).click();
      await b.getByRole('link', { name: 'Open the credit note' }).click();
      await b.getByRole('heading', { name: 'Credit note INV-0002' }).waitFor();
      await b.getByText('-£80.00').first().waitFor();

      // On a phone: the month's list, the draft to void, voided with a reason.
      await b.setViewportSize({ width: 390, height: 844 });
      await nav.getByRole('link', { name: 'Invoices' }).click();
      await b.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor();
      await b.getByRole('link', { name: 'Export CSV' }).waitFor();
      await b.getByText('recorded in the audit log').waitFor();
      problems.push(...(await checkBothSchemes(billing, 'invoice list (phone)')));
      await b.getByRole('list', { name: /^Invoices of/ }).getByRole('link', { name: 'Draft' }).click();
      await b.getByRole('button', { name: 'Void' }).click();
      const voiding = b.getByRole('form', { name: 'Void this invoice' });
      await voiding.getByRole('button', { name: /Reason/ }).click();
      await b.getByRole('option', { name: 'Other (say why)' }).click();
      await voiding.getByRole('button', { name: 'Void it' }).click();
      await voiding.getByText('Say why, in a few words.').waitFor();
      await voiding.getByRole('textbox', { name: /Why/ }).fill('Sent to the wrong address');
      await voiding.getByRole('button', { name: 'Void it' }).click();
      await b.locator('.badge').filter({ hasText: 'void' }).waitFor();
      await b.getByText('Other (say why): Sent to the wrong address').waitFor();
      problems.push(...(await checkBothSchemes(billing, 'voided invoice (phone)')));
      // The CSV is the server's, fetched with billing's session (a download the page starts).
      const csv = await b.evaluate(async (url: string) => (await fetch(url)).text(), `/api/v1/invoices/export.csv?from=2000-01-01&to=2000-12-31`);
      expect(csv.trim()).toMatch(/^"number","kind"/);
      // No notes reached billing's browser, anywhere.
      expect(billing.responses.filter((r) => r.includes(noteText))).toEqual([]);
      expect(await b.content()).not.toContain(noteText);

      // The practitioner has no Invoices in the navigation.
      practitioner = await launchGated(origin, 'light');
      await signInWithTotp(practitioner.page, origin, pia);
      await practitioner.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).waitFor();
      expect(await practitioner.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Invoices' }).count()).toBe(0);
      expect(problems).toEqual([]);
    } catch (error) {
      await billing?.page.screenshot({ path: path.join(root, '..', `failed-${path.basename(root)}-billing.png`), fullPage: true }).catch(() => undefined);
      throw error;
    } finally {
      await practitioner?.close();
      await billing?.close();
      serve.child.kill('SIGTERM');
      await serve.exited;
      rmSync(root, { recursive: true, force: true });
    }
  }, 240_000);
});
