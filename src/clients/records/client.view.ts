import type { ClientRecord } from './client.types.ts';
import type { TagView } from './tags.service.ts';

/**
 * The public serialisation of a client in an API response (client.schema.ts `clientView`): only what
 * the reader was allowed to get — the record a service returned already holds nothing else.
 */
export function clientBody(record: ClientRecord, tags?: TagView[]) {
  return {
    id: record.id,
    status: record.status,
    created_at: new Date(record.created_at).toISOString(),
    updated_at: new Date(record.updated_at).toISOString(),
    last_contact_at: record.last_contact_at ? new Date(Number(record.last_contact_at)).toISOString() : null,
    next_appointment_at: record.next_appointment_at ? new Date(Number(record.next_appointment_at)).toISOString() : null,
    fields: record.fields,
    custom: record.custom,
    ...(tags ? { tags } : {}),
  };
}
