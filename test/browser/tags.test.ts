/**
 * Journey: the owner manages the organisation's tags through the web app alone (Organisation → Tags):
 * defines a sensitive and a plain tag, renames one, marks one sensitive and back, deletes one a client
 * carries (the confirmation counts the clients). A receptionist, in a second browser, sees only the
 * plain tag on the record — the sensitive one is absent from the page and from every response.
 * Every screen passes the gates in light and dark.
 */
import { describe, expect, it } from 'vitest';
import { browserAvailability, checkBothSchemes } from './gates.ts';
import { signInWithTotp, withPractice, type Person } from './practice.ts';

const availability = browserAvailability();

describe.skipIf(!availability.run)('browser: tags', () => {
  it('defines, renames, re-marks and deletes tags; reception sees only the plain one', () =>
    withPractice('tags', [{ name: 'rita', role: 'reception' }], async (j) => {
      const { origin, marker, owner: o } = j;
      const [rita] = j.staff as [Person];
      const created = await o.call('POST', '/api/v1/clients', { name: `Tagged ${marker}` });
      expect(created.status).toBe(201);
      const clientId = ((await created.json()) as { id: string }).id;
      const diagnosis = `QZDIAG${marker}`;

      const desk = await j.browser('owner');
      const p = desk.page;
      await signInWithTotp(p, origin, o);
      await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisation' }).click();
      const section = p.getByRole('region', { name: 'Tags' });
      await section.getByText('No tags yet.').waitFor();
      const define = async (name: string, sensitive: boolean) => {
        await section.getByLabel('Tag', { exact: true }).fill(name);
        const box = section.getByRole('checkbox', { name: /^Sensitive: only staff/ });
        // Sensitive is the default: a plain tag is a choice.
        expect(await box.isChecked()).toBe(true);
        if (!sensitive) await section.getByText('Sensitive: only staff who may read restricted information see it').click();
        await section.getByRole('button', { name: 'Define tag' }).click();
        await section.getByRole('list', { name: 'Tags' }).getByText(name, { exact: true }).waitFor();
      };
      await define(diagnosis, true);
      await define(`Plain ${marker}`, false);
      await define(`Temporary ${marker}`, false);
      await section.getByRole('button', { name: `Rename Plain ${marker}` }).click();
      await section.getByLabel('New name').fill(`Walk-in ${marker}`);
      await section.getByRole('button', { name: 'Save' }).click();
      await section.getByText(`Walk-in ${marker}`, { exact: true }).waitFor();
      // Marked sensitive and back: the mark follows.
      await section.getByRole('button', { name: `Mark sensitive: Walk-in ${marker}` }).click();
      await section.getByRole('button', { name: `Mark not sensitive: Walk-in ${marker}` }).click();
      await section.getByRole('button', { name: `Mark sensitive: Walk-in ${marker}` }).waitFor();
      j.problems.push(...(await checkBothSchemes(desk, 'organisation: tags')));
      await j.shot(p, 'organisation-tags');

      // Put all three on the client (setting the scene), then delete one: the dialog counts its clients.
      const tags = ((await (await o.call('GET', '/api/v1/tags')).json()) as { tags: { id: string; name: string }[] }).tags;
      for (const t of tags) expect((await o.call('PUT', `/api/v1/clients/${clientId}/tags/${t.id}`)).status).toBe(204);
      await section.getByRole('button', { name: `Delete Temporary ${marker}` }).click();
      const dialog = p.getByRole('dialog', { name: `Delete the tag Temporary ${marker}?` });
      await dialog.getByText('1 client carries it; deleting it removes it from that client. This cannot be undone.').waitFor();
      j.problems.push(...(await checkBothSchemes(desk, 'organisation: delete a tag')));
      await j.shot(p, 'organisation-tag-delete');
      await dialog.getByRole('button', { name: 'Yes, delete the tag' }).click();
      await section.getByText('Tag deleted and removed from 1 client.').waitFor();
      await section.getByText(`Temporary ${marker}`, { exact: true }).waitFor({ state: 'detached' });

      // Reception: the plain tag on the record, the sensitive one nowhere, the Tags section not offered.
      const front = await j.browser('reception');
      const f = front.page;
      const bodies: string[] = [];
      f.on('response', (response) => {
        if (new URL(response.url()).pathname.startsWith('/api/')) void response.text().then((t) => bodies.push(t), () => undefined);
      });
      await signInWithTotp(f, origin, rita);
      await f.goto(`${origin}/clients/${clientId}`);
      await f.getByRole('list', { name: 'Tags' }).getByRole('listitem').filter({ hasText: `Walk-in ${marker}` }).waitFor();
      expect(await f.getByRole('list', { name: 'Tags' }).getByRole('listitem').count()).toBe(1);
      expect(await f.content()).not.toContain(diagnosis);
      expect(bodies.join('\n')).not.toContain(diagnosis);
      j.problems.push(...(await checkBothSchemes(front, 'record: reception sees the plain tag only')));
      await j.shot(f, 'record-tags-reception');
      await f.goto(`${origin}/organisation`);
      expect(await f.getByRole('region', { name: 'Tags' }).count()).toBe(0);
    }), 180_000);
});
