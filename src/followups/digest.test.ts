import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { agenda as agendaAt } from './activities.service.ts';
import { digestNotice, makeDueDigests } from './digest.service.ts';
import { localDay } from '../platform/time/local-day.ts';
import { smtpMailer } from '../platform/mail/mailer.ts';
import { describeEachEngine } from '../../test/support/engines.ts';
import { deployment } from '../../test/support/deployment.ts';

const HOUR = 3_600_000;

describe('digest days and notices', () => {
  it('finds the local date, hour and the day boundaries in a time zone, across daylight saving', () => {
    // 2026-07-01 06:30 UTC is 07:30 in London (BST) and 02:30 in New York (EDT).
    const t = Date.UTC(2026, 6, 1, 6, 30);
    expect(localDay(t, 'Europe/London')).toMatchObject({ date: '2026-07-01', hour: 7, midnight: Date.UTC(2026, 5, 30, 23), next: Date.UTC(2026, 6, 1, 23) });
    expect(localDay(t, 'America/New_York')).toMatchObject({ date: '2026-07-01', hour: 2, midnight: Date.UTC(2026, 6, 1, 4) });
    expect(localDay(Date.UTC(2026, 0, 15, 23, 30), 'Europe/London')).toMatchObject({ date: '2026-01-15', hour: 23 });
    // London's clocks go forward on 29 March 2026 (a 23-hour day) and back on 25 October (25 hours).
    expect(localDay(Date.UTC(2026, 2, 29, 9), 'Europe/London')).toMatchObject({ date: '2026-03-29', midnight: Date.UTC(2026, 2, 29, 0), next: Date.UTC(2026, 2, 29, 23), afterNext: Date.UTC(2026, 2, 30, 23) });
    expect(localDay(Date.UTC(2026, 9, 25, 9), 'Europe/London')).toMatchObject({ date: '2026-10-25', midnight: Date.UTC(2026, 9, 24, 23), next: Date.UTC(2026, 9, 26, 0) });
    expect(localDay(Date.UTC(2026, 9, 24, 17), 'Europe/London')).toMatchObject({ date: '2026-10-24', next: Date.UTC(2026, 9, 24, 23), afterNext: Date.UTC(2026, 9, 26, 0) });
    // New York springs forward on 8 March 2026.
    expect(localDay(Date.UTC(2026, 2, 8, 15), 'America/New_York')).toMatchObject({ date: '2026-03-08', midnight: Date.UTC(2026, 2, 8, 5), next: Date.UTC(2026, 2, 9, 4) });
  });

  it('never sends mail in clear to a relay off this machine: one without STARTTLS is refused', async () => {
    const received: string[] = [];
    const plain = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, onData(stream, _session, callback) {
      stream.on('data', (d: Buffer) => received.push(d.toString('utf8')));
      stream.on('end', () => callback());
    } });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const port = (plain.server.address() as AddressInfo).port;
    try {
      const notice = { to: 'someone@example.test', subject: 'QZSUBJECTQ', text: 'QZBODYQ' };
      // The loopback relay may speak plain SMTP.
      await smtpMailer(`smtp://127.0.0.1:${port}`, 'confidant@crm.example').send(notice);
      expect(received.join('')).toContain('QZBODYQ');
      received.length = 0;
      // The same server reached by a name the mailer does not take for this machine: STARTTLS is required.
      const refused = await smtpMailer(`smtp://[::ffff:127.0.0.1]:${port}`, 'confidant@crm.example').send(notice).catch((e: unknown) => e as Error & { code?: string });
      expect(String((refused as Error & { code?: string }).code ?? (refused as Error).message), String(refused)).toMatch(/TLS/i);
      expect(received.join('')).not.toContain('QZBODYQ');
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });

  it('writes an e-mail notice with counts and a link only', () => {
    const notice = digestNotice('morning', '2026-07-01', { appointments_today: 1, follow_ups_today: 0, overdue_follow_ups: 2 }, 'https://crm.example');
    expect(notice.subject).toBe('Confidant: your morning digest for 2026-07-01');
    expect(notice.text).toContain('1 appointment today');
    expect(notice.text).toContain('2 overdue follow-ups');
    expect(notice.text).toContain('https://crm.example/');
  });
});

describeEachEngine('morning and evening digests', (t) => {
  it('makes each digest once at its local hour, e-mails counts but no client, and shows first names only to the recipient', async () => {
    const org = await deployment(t());
    const p = await org.addStaff('practitioner');
    const practitioner = await org.signIn(p.email);
    const client = (await org.owner.request('POST', '/api/v1/clients', { name: 'Zebedee QZSURNAMEQ', date_of_birth: '1950-02-03' })).json().id;
    await org.owner.request('PUT', `/api/v1/clients/${client}/caseload/${p.id}`);
    const sensitive = (await org.owner.request('POST', '/api/v1/tags', { name: 'QZSENSITIVETAGQ', sensitive: true })).json();
    await org.owner.request('PUT', `/api/v1/clients/${client}/tags/${sensitive.id}`);

    // One fixed instant for every clock this test reads (the agenda's and each digest run's), never
    // the hour the suite runs at: 1 July 2026, 12:00 in London (BST).
    const now = Date.UTC(2026, 6, 1, 11, 0);
    const midnight = localDay(now, 'Europe/London').midnight;
    const at = (ms: number) => new Date(ms).toISOString();
    const add = async (body: object) => expect((await practitioner.request('POST', `/api/v1/clients/${client}/activities`, body)).statusCode).toBe(201);
    await add({ kind: 'appointment', starts_at: at(midnight + 10 * HOUR), duration_min: 50, details: { notes: 'QZAPPTNOTEQ' } });
    await add({ kind: 'follow_up', due_at: at(midnight - 12 * HOUR), details: { summary: 'QZOVERDUEQ' } });
    await add({ kind: 'follow_up', due_at: at(midnight + 33 * HOUR), details: { summary: 'QZTOMORROWQ' } });

    expect((await practitioner.request('PUT', '/api/v1/me/digest-settings', { morning_hour: 7, evening_hour: 18, timezone: 'Mars/Olympus', email: true })).statusCode).toBe(400);
    const saved = await practitioner.request('PUT', '/api/v1/me/digest-settings', { morning_hour: 7, evening_hour: 18, timezone: 'Europe/London', email: true });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await practitioner.request('GET', '/api/v1/me/digest-settings')).json()).toEqual({ morning_hour: 7, evening_hour: 18, timezone: 'Europe/London', email: true });
    // The agenda's days are now London days too: the route says so, and the agenda at the fixed
    // instant (the route reads the server's clock) puts each entry in its London day.
    expect((await practitioner.request('GET', '/api/v1/agenda')).json().timezone).toBe('Europe/London');
    const agenda = await agendaAt(org.deps, { actor: { userId: p.id, orgId: org.orgId, role: 'practitioner', via: 'session' }, ctx: { actorType: 'user', actorId: p.id, requestId: null, ip: null } }, now);
    expect(agenda.timezone).toBe('Europe/London');
    expect([agenda.overdue, agenda.today, agenda.next_7_days].map((b: { kind: string }[]) => b.map((e) => e.kind))).toEqual([['follow_up'], ['appointment'], ['follow_up']]);

    // A real SMTP server receives the notices.
    const received: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        let text = '';
        stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
        stream.on('end', () => {
          received.push(text);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const mailer = smtpMailer(`smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, 'confidant@crm.example');
    try {
      const options = { mailer, publicUrl: 'https://crm.example' };
      expect(await makeDueDigests(org.deps, { ...options, now: midnight + 6 * HOUR })).toBe(0); // before 07:00
      // The mail server is down at first: the digest is made, its notice waits and goes out on the next run.
      const warnings: unknown[] = [];
      const down = { send: async () => Promise.reject(new Error('connection refused')) };
      expect(await makeDueDigests(org.deps, { mailer: down, publicUrl: options.publicUrl, now: midnight + 7.5 * HOUR, logger: { warn: (o: unknown) => void warnings.push(o) } })).toBe(1);
      expect(warnings).toHaveLength(1);
      expect(JSON.stringify(warnings)).not.toContain(p.email);
      expect(received).toHaveLength(0);
      expect(await makeDueDigests(org.deps, { ...options, now: midnight + 8 * HOUR })).toBe(0); // once a day
      expect(await makeDueDigests(org.deps, { ...options, now: midnight + 18.25 * HOUR })).toBe(1);
      expect(received).toHaveLength(2);
      expect(received[0]).toContain(`To: ${p.email}`);
      expect(received[0]).toContain('1 appointment today');
      expect(received[0]).toContain('1 overdue follow-up');
      for (const mail of received) for (const secret of ['Zebedee', 'QZSURNAMEQ', 'QZAPPTNOTEQ', 'QZOVERDUEQ', 'QZSENSITIVETAGQ', client]) expect(mail).not.toContain(secret);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }

    const list = (await practitioner.request('GET', '/api/v1/digests')).json().digests;
    expect(list.map((d: { kind: string }) => d.kind)).toEqual(['evening', 'morning']);
    expect(list[1]).toMatchObject({ counts: { overdue_follow_ups: 1, appointments_today: 1, follow_ups_today: 0 }, emailed: true });
    expect(list[0].counts).toEqual({ open_follow_ups: 1, appointments_tomorrow: 0, follow_ups_tomorrow: 1 });
    const morning = await practitioner.request('GET', `/api/v1/digests/${list[1].id}`);
    expect(morning.statusCode, morning.body).toBe(200);
    expect(morning.json().entries.map((e: { kind: string; client_first_name: string }) => [e.kind, e.client_first_name])).toEqual([
      ['follow_up', 'Zebedee'],
      ['appointment', 'Zebedee'],
    ]);
    for (const hidden of ['QZSURNAMEQ', 'QZAPPTNOTEQ', 'QZOVERDUEQ', 'QZSENSITIVETAGQ', '1950']) expect(morning.body).not.toContain(hidden);

    // Someone else's digest is not there for you; a practitioner taken off the caseload sees no name.
    const other = await org.signInAs('practitioner');
    expect((await other.request('GET', `/api/v1/digests/${list[1].id}`)).statusCode).toBe(404);
    await org.owner.request('DELETE', `/api/v1/clients/${client}/caseload/${p.id}`);
    expect((await practitioner.request('GET', `/api/v1/digests/${list[1].id}`)).json().entries).toEqual([]);
    const log = (await org.owner.request('GET', `/api/v1/clients/${client}/access-log`)).json().entries;
    expect(log.some((e: { why: string | null }) => e.why === 'digest')).toBe(true);
  });
});
