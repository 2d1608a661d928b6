import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';

export type Role = 'owner' | 'admin' | 'practitioner' | 'reception' | 'billing' | 'marketing' | 'auditor';

/** Each role in the person's words, with what it may do (src/access/roles decides; this only explains). */
export const ROLES: Record<Role, { name: MessageDescriptor; does: MessageDescriptor }> = {
  owner: { name: msg`Owner`, does: msg`Everything, including the organisation's settings and security.` },
  admin: { name: msg`Administrator`, does: msg`Runs the practice: staff, settings and client records, but not clinical notes.` },
  practitioner: { name: msg`Practitioner`, does: msg`Their own clients: records, notes, appointments and invoices.` },
  reception: { name: msg`Reception`, does: msg`The front desk: finds clients, books appointments, takes messages; no notes.` },
  billing: { name: msg`Billing`, does: msg`Invoices and who to bill; no notes.` },
  marketing: { name: msg`Marketing`, does: msg`Newsletters and offers to those who agreed; no client records.` },
  auditor: { name: msg`Auditor`, does: msg`Reads the audit log, alerts and the access review; no client records.` },
};
