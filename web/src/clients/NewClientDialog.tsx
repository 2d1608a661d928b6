import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, data, type Body } from '../api/client';
import { Dialog } from '../ui/Dialog';
import { ClientForm } from './ClientForm';

type NewClient = Body<'/api/v1/clients', 'post'>;

/** A new client, from the form the data map gives this role; the record opens once it is saved. */
export function NewClientDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const { _ } = useLingui();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (body: NewClient) => data(api.POST('/api/v1/clients', { body })),
    onSuccess: (client) => {
      void queryClient.invalidateQueries({ queryKey: ['clients'] });
      onCreated(client.id);
    },
  });
  return (
    <Dialog title={<Trans>New client</Trans>} isOpen onOpenChange={(open) => (open ? undefined : onClose())}>
      <ClientForm
        submitLabel={_(msg`Add client`)}
        busy={create.isPending}
        error={create.error}
        onCancel={onClose}
        onSubmit={({ values, custom, status }) => create.mutate({ ...(values as NewClient), ...(Object.keys(custom).length ? { custom: custom as NewClient['custom'] } : {}), ...(status ? { status } : {}) })}
      />
    </Dialog>
  );
}
