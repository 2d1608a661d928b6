import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import type { paths } from '../api/client';
import { type FormField, fieldLabel } from '../clients/fields';
import type { DateOrder } from './dates';

type Translate = (d: MessageDescriptor) => string;
export type ReviewReason = paths['/api/v1/imports/mapping-proposal']['post']['responses'][200]['content']['application/json']['review_reasons'][string];
export type RowError = paths['/api/v1/imports']['post']['responses'][201]['content']['application/json']['errors'][number];

/**
 * The wizard's words for what the server reports as data: why a column needs a decision, and why a
 * row was refused — in the reader's language, with the file's own column names and the fields' labels
 * (the server's English sentences name fields as the data map does, for the CLI and the API).
 */

/** A column's header in the reader's quotation marks (“…” in English, „…“ in German). */
const quote = (_: Translate) => (header: string) => _(msg`“${header}”`);

/** Why a column is marked “check”. */
export function reviewText(reason: ReviewReason, targetLabel: (target: string) => string, _: Translate): string {
  switch (reason.kind) {
    case 'no_header':
      return _(msg`This column has no name in the file. If it holds values, choose a field for it; otherwise leave it out.`);
    case 'no_match':
      return _(msg`No field matches this column's name, so its values would not be imported. Choose a field for it, or leave it out.`);
    case 'name_from':
      return _(msg`The name already comes from ${quote(_)(reason.column)}. Choose another field for this column (the preferred name, for example), or leave it out.`);
    case 'taken':
      return _(msg`${quote(_)(reason.column)} already goes to ${targetLabel(reason.target)}. Choose another field for this column, or leave it out.`);
    case 'name_order':
      return _(msg`Names are joined as ${reason.columns.map(quote(_)).join(' + ')}, in the file's column order. If they should read otherwise, change the order of the columns in the file.`);
  }
}

/** What a field of this kind takes, for a refused row (a date as the file was said to write it). */
function ruleOf(field: FormField | undefined, _: Translate, dateOrder: DateOrder): string {
  switch (field?.kind) {
    case 'date': {
      const date = dateOrder === 'dmy' ? _(msg`a real date written day first, for example 03.02.1990`) : dateOrder === 'mdy' ? _(msg`a real date written month first, for example 02/03/1990`) : _(msg`a real date written as YYYY-MM-DD, for example 1990-02-03`);
      return field?.name === 'date_of_birth' && !field.custom ? _(msg`${date}, not in the future`) : date;
    }
    case 'email':
      return _(msg`one e-mail address, such as name@example.org`);
    case 'phone':
      return _(msg`a phone number (digits; + and the country code for a number abroad)`);
    case 'address':
      return _(msg`an address with a first line, or nothing`);
    case 'identifiers':
      return _(msg`identifiers written as scheme: value`);
    default:
      return _(msg`a value this field accepts`);
  }
}

/**
 * A refused row's reason as the importer can act on it: the file's columns that feed the field at
 * fault, the field's label and what it takes. Falls back to the server's sentence for anything else.
 */
export function rowReasonText(error: RowError, mapping: Readonly<Record<string, string>>, fields: readonly FormField[], _: Translate, dateOrder: DateOrder = 'ymd'): string {
  if (!error.fields || error.fields.length === 0) return error.reason;
  const parts = error.fields.map((name) => {
    if (name === 'record') return _(msg`the row has values no field takes`);
    const field = fields.find((f) => (f.custom ? `custom.${f.name}` : f.name) === name);
    const headers = Object.entries(mapping)
      .filter(([, target]) => target === name || target.startsWith(`${name}.`))
      .map(([header]) => header);
    const label = field ? fieldLabel(field, _) : name;
    const columns = headers.map(quote(_)).join(', ');
    // The field's label only where the file's column says something else ("E-Mail" (E-Mail) says nothing).
    if (headers.length === 1 && headers[0]!.trim().toLowerCase() === label.toLowerCase()) {
      if (error.code === 'CARD_DATA_REFUSED') return _(msg`${columns} holds a card number`);
      return name === 'name' ? _(msg`${columns} needs the client's name (it is empty, or too long)`) : _(msg`${columns} needs ${ruleOf(field, _, dateOrder)}`);
    }
    if (error.code !== 'CARD_DATA_REFUSED' && name === 'name') return columns ? _(msg`${columns} (${label}) needs the client's name (it is empty, or too long)`) : _(msg`The row needs the client's name (it is empty, or too long)`);
    if (error.code === 'CARD_DATA_REFUSED') return columns ? _(msg`${columns} (${label}) holds a card number`) : _(msg`${label} holds a card number`);
    return columns ? _(msg`${columns} (${label}) needs ${ruleOf(field, _, dateOrder)}`) : _(msg`${label} needs ${ruleOf(field, _, dateOrder)}`);
  });
  const text = parts.join('; ');
  return error.code === 'CARD_DATA_REFUSED' ? _(msg`${text}: card numbers are never stored. Remove it from the file.`) : `${text}.`;
}
