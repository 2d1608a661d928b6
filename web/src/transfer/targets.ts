import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { fieldLabel, type FormField } from '../clients/fields';

/** Where a column's values may go: a field (or a part of one), the status, or nowhere. */
export interface Target {
  id: string;
  label: string;
  /** False when the person's role may not write it: a column mapped there is refused before upload. */
  writable: boolean;
}

const ADDRESS_PARTS: { part: string; label: MessageDescriptor }[] = [
  { part: 'line1', label: msg`line 1` },
  { part: 'line2', label: msg`line 2` },
  { part: 'city', label: msg`town or city` },
  { part: 'region', label: msg`region` },
  { part: 'postcode', label: msg`postcode` },
  { part: 'country', label: msg`country` },
];

/**
 * An identifier scheme named after a column ("Record ID" → `record_id`): the targets offered for a
 * column no field matches, so another system's own id can be kept as an external identifier.
 */
export function schemeOf(header: string): string | null {
  const scheme = header
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return scheme === '' ? null : scheme;
}

/** The targets for one column: the table's, and an external identifier named after the column when the role may write identifiers. */
export function columnTargets(targets: readonly Target[], fields: readonly FormField[], header: string, _: (d: MessageDescriptor) => string): Target[] {
  const identifiers = fields.find((f) => f.kind === 'identifiers' && !f.custom);
  const scheme = schemeOf(header);
  if (!identifiers?.writable || scheme === null || targets.some((t) => t.id === `${identifiers.name}.${scheme}`)) return [...targets];
  return [...targets, { id: `${identifiers.name}.${scheme}`, label: `${fieldLabel(identifiers, _)}: ${scheme}`, writable: true }];
}

/**
 * The import's targets (the server's mapping grammar: a field, `postal_address.<part>`,
 * `identifiers.<scheme>`, `custom.<name>`, `status`, `ignore`) as the client form lists them for the
 * person's role — the ones they may not write kept only where a column is mapped there already, marked.
 */
export function targetsOf(fields: readonly FormField[], mapped: readonly string[], _: (d: MessageDescriptor) => string): Target[] {
  const targets: Target[] = [{ id: 'ignore', label: _(msg`Leave out`), writable: true }];
  for (const field of fields) {
    if (field.kind === 'contact_preferences') continue;
    const label = fieldLabel(field, _);
    if (field.custom && (field.kind === 'address' || field.kind === 'identifiers')) {
      // A structured value of the organisation's own: whole, as a Confidant export writes it (JSON).
      targets.push({ id: `custom.${field.name}`, label: `${label} (${_(msg`whole, from a Confidant export`)})`, writable: field.writable });
    } else if (field.kind === 'address') {
      for (const { part, label: partLabel } of ADDRESS_PARTS) targets.push({ id: `${field.name}.${part}`, label: `${label}: ${_(partLabel)}`, writable: field.writable });
    } else if (field.kind === 'identifiers') {
      // One column of "scheme: value" items (a Confidant export's), or one column a scheme.
      targets.push({ id: field.name, label: `${label} (${_(msg`all, as scheme: value`)})`, writable: field.writable });
      const schemes = new Set(mapped.filter((t) => t.startsWith(`${field.name}.`)).map((t) => t.slice(field.name.length + 1)));
      for (const scheme of schemes) targets.push({ id: `${field.name}.${scheme}`, label: `${label}: ${scheme}`, writable: field.writable });
    } else {
      targets.push({ id: field.custom ? `custom.${field.name}` : field.name, label, writable: field.writable });
    }
  }
  targets.push({ id: 'status', label: _(msg`Status`), writable: true });
  // A Confidant export's tags (by name), sensitive tags and caseloads (staff e-mails); the server applies them as far as the role may.
  targets.push({ id: 'tags', label: _(msg`Tags`), writable: true });
  // A Confidant export lists sensitive tags apart, so that they stay sensitive (a foreign file's tags all are).
  targets.push({ id: 'sensitive_tags', label: _(msg`Sensitive tags`), writable: true });
  targets.push({ id: 'caseload', label: _(msg`Caseload (staff e-mails)`), writable: true });
  // A target the proposal chose that the role's form does not even list (a field it may neither read
  // nor write, such as a receptionist's date of birth) is shown by its name, refused.
  for (const id of new Set(mapped)) if (!targets.some((t) => t.id === id)) targets.push({ id, label: id, writable: false });
  const refusedLabel = _(msg`your role may not import this`);
  return targets
    .filter((t) => t.writable || mapped.includes(t.id))
    .map((t) => (t.writable ? t : { ...t, label: `${t.label} (${refusedLabel})` }));
}
