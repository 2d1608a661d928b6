import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { Section } from '../ui/Section';

/**
 * The practice's rooms: added, renamed, archived (an archived room keeps its past appointments and
 * takes no new ones) or brought back. With rooms set, bookings may name one, and two appointments in
 * the same room at the same time are warned about like a practitioner's.
 */
export function RoomsSection() {
  const { _ } = useLingui();
  const queryClient = useQueryClient();
  const rooms = useQuery({ queryKey: ['rooms'], queryFn: () => data(api.GET('/api/v1/rooms')) });
  const [name, setName] = useState('');
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const done = () => queryClient.invalidateQueries({ queryKey: ['rooms'] });
  const add = useMutation({ mutationFn: (room: string) => data(api.POST('/api/v1/rooms', { body: { name: room } })), onSuccess: async () => { setName(''); await done(); } });
  const change = useMutation({ mutationFn: ({ id, ...body }: { id: string; name?: string; archived?: boolean }) => data(api.PATCH('/api/v1/rooms/{id}', { params: { path: { id } }, body })), onSuccess: async () => { setRenaming(null); await done(); } });
  const list = rooms.data?.rooms ?? [];
  return (
    <Section id="rooms" title={<Trans>Rooms</Trans>} description={<Trans>With rooms set, a booking may name one, and a room booked twice at the same time is warned about.</Trans>}>
      <Alert>{rooms.isError ? _(errorMessage(rooms.error)) : add.isError ? _(errorMessage(add.error)) : change.isError ? _(errorMessage(change.error)) : null}</Alert>
      {list.length === 0 ? <p className="muted"><Trans>No rooms yet.</Trans></p> : (
        <ul className="rows" aria-label={_(msg`Rooms`)}>
          {list.map((room) => (
            <li key={room.id} className="row">
              {renaming?.id === room.id ? (
                <Form className="form inline row-form" aria-label={_(msg`Rename ${room.name}`)} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); if (renaming.name.trim()) change.mutate({ id: room.id, name: renaming.name.trim() }); }}>
                  <Field name="room-name" label={<Trans>New name</Trans>} value={renaming.name} onChange={(value) => setRenaming({ id: room.id, name: value })} isRequired maxLength={100} />
                  <Button type="submit" isDisabled={change.isPending}><Trans>Save</Trans></Button>
                  <Button variant="quiet" onPress={() => setRenaming(null)}><Trans>Close</Trans></Button>
                </Form>
              ) : (
                <>
                  <span className="row-main">{room.name}{room.archived ? <span className="muted"> · <Trans>archived</Trans></span> : null}</span>
                  <span className="actions">
                    <Button variant="quiet" onPress={() => setRenaming({ id: room.id, name: room.name })} aria-label={_(msg`Rename ${room.name}`)}><Trans>Rename</Trans></Button>
                    <Button variant="quiet" isDisabled={change.isPending} onPress={() => change.mutate({ id: room.id, archived: !room.archived })} aria-label={room.archived ? _(msg`Bring back ${room.name}`) : _(msg`Archive ${room.name}`)}>{room.archived ? <Trans>Bring back</Trans> : <Trans>Archive</Trans>}</Button>
                  </span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <Form className="form inline" aria-label={_(msg`Add a room`)} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); if (name.trim()) add.mutate(name.trim()); }}>
        <Field name="new-room" label={<Trans>Room</Trans>} value={name} onChange={setName} maxLength={100} autoComplete="off" />
        <Button type="submit" variant="quiet" isDisabled={add.isPending || !name.trim()}><Trans>Add room</Trans></Button>
      </Form>
    </Section>
  );
}
