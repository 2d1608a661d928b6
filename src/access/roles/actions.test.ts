import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS as AUDITED } from '../../audit/log/audit.types.ts';
import { ACTIONS, AUDIT_ACTIONS, CATALOGUE, actionWords, isAction } from './actions.ts';
import { ACTIONS as GRANTED, refusalMessage } from './authorize.ts';

describe('the one catalogue of action names', () => {
  it('is where authorize and the audit log both take their lists from', () => {
    expect(GRANTED).toBe(ACTIONS);
    expect(AUDITED).toBe(AUDIT_ACTIONS);
  });

  it('makes every name a permission, an audit event, or both', () => {
    for (const [name, spec] of Object.entries(CATALOGUE)) {
      expect('may' in spec || 'event' in spec, name).toBe(true);
      expect(ACTIONS.includes(name as never) || AUDIT_ACTIONS.includes(name as never), name).toBe(true);
    }
    expect(new Set([...ACTIONS, ...AUDIT_ACTIONS])).toEqual(new Set(Object.keys(CATALOGUE)));
  });

  it('says how each permission is audited, naming only events of the catalogue', () => {
    for (const action of ACTIONS) {
      const spec = CATALOGUE[action] as { event?: true; recordedAs?: readonly string[] };
      expect(spec.event === true || spec.recordedAs !== undefined, `${action}: neither an event nor recorded as one`).toBe(true);
      for (const event of spec.recordedAs ?? []) expect(AUDIT_ACTIONS, `${action} → ${event}`).toContain(event);
    }
  });

  it('keeps event-only names out of what roles and tokens can be granted', () => {
    for (const name of ['auth.sign_in', 'audit.head.sign', 'alert.raise', 'access.denied', 'access.change']) expect(isAction(name), name).toBe(false);
    expect(isAction('client.notes')).toBe(true);
  });

  it('keeps every action the audit log has ever recorded (stored events name them)', () => {
    expect([...AUDIT_ACTIONS].sort()).toEqual(
      [
        'client.create', 'client.read', 'client.search', 'client.update', 'client.erase', 'client.export', 'client.disclose',
        'client.custom_field.define', 'keys.rotate', 'audit.verify', 'audit.export', 'audit.head.sign', 'auth.sign_in',
        'auth.sign_in_failed', 'auth.sign_out', 'auth.password_reset', 'access.change', 'access.break_glass', 'access.review', 'access.denied',
        'config.change', 'org.create', 'alert.raise', 'alert.acknowledge',
      ].sort(),
    );
  });

  it('words each refusal from the catalogue', () => {
    expect(actionWords('client.notes')).toBe('read or write clinical notes');
    expect(refusalMessage('reception', 'client.notes', true)).toBe('your role (reception) may not read or write clinical notes for this client; ask an owner or an admin if your work needs it');
    expect(refusalMessage('admin', 'invoices.retained')).toBe('your role (admin) may not read retained invoices (those kept after an erasure); ask an owner if your work needs it');
  });
});
