import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Plural, Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan } from '../app/session';
import { useStepUp } from '../app/StepUp';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Select } from '../ui/Select';
import { STATUS_TEXT, STATUSES, type Status } from './fields';

type Action = 'add_tag' | 'remove_tag' | 'set_status' | 'add_to_caseload' | 'remove_from_caseload';
const MAX_AT_ONCE = 1000;
const ACTIONS: { id: Action; label: ReturnType<typeof msg>; needs: string }[] = [
  { id: 'add_tag', label: msg`Add a tag`, needs: 'client.update' },
  { id: 'remove_tag', label: msg`Remove a tag`, needs: 'client.update' },
  { id: 'set_status', label: msg`Set the status`, needs: 'client.update' },
  { id: 'add_to_caseload', label: msg`Put on a caseload`, needs: 'client.caseload' },
  { id: 'remove_from_caseload', label: msg`Take off a caseload`, needs: 'client.caseload' },
];

/**
 * One action on the selected clients: the exact count shown, a confirmation, then one request that
 * the server applies to all or none — and records as one audited event naming them.
 */
export function BulkBar({ selected, onDone }: { selected: string[]; onDone: () => void }) {
  const { _ } = useLingui();
  const can = useCan();
  const withStepUp = useStepUp();
  const queryClient = useQueryClient();
  const actions = ACTIONS.filter((a) => can(a.needs));
  const [action, setAction] = useState<Action>(actions[0]?.id ?? 'add_tag');
  const [tagId, setTagId] = useState('');
  const [status, setStatus] = useState<Status>('inactive');
  const [userId, setUserId] = useState('');
  const [confirming, setConfirming] = useState(false);
  const tags = useQuery({ queryKey: ['tags'], queryFn: () => data(api.GET('/api/v1/tags')) });
  const caseload = action === 'add_to_caseload' || action === 'remove_from_caseload';
  const directory = useQuery({ queryKey: ['staff-directory'], queryFn: () => data(api.GET('/api/v1/staff/directory')), enabled: caseload });
  const practitioners = (directory.data?.people ?? []).filter((p) => p.role === 'practitioner');
  const count = selected.length;
  const run = useMutation({
    mutationFn: () => {
      const base = { client_ids: selected, expected_count: count };
      if (action === 'add_to_caseload' || action === 'remove_from_caseload') return withStepUp(() => data(api.POST('/api/v1/clients/bulk/caseload', { body: { ...base, operation: { op: action, user_id: userId } } })));
      if (action === 'set_status') return data(api.POST('/api/v1/clients/bulk', { body: { ...base, operation: { op: 'set_status', status } } }));
      return data(api.POST('/api/v1/clients/bulk', { body: { ...base, operation: { op: action, tag_id: tagId } } }));
    },
    onSuccess: () => {
      setConfirming(false);
      void queryClient.invalidateQueries({ queryKey: ['clients'] });
      onDone();
    },
  });
  if (actions.length === 0) return null;
  // The server takes at most 1,000 clients per change (one audited event each): say so before asking.
  const tooMany = count > MAX_AT_ONCE;
  const ready = !tooMany && (action === 'set_status' || (caseload ? userId !== '' : tagId !== ''));
  const tagName = tags.data?.tags.find((t) => t.id === tagId)?.name ?? '';
  const person = practitioners.find((p) => p.id === userId)?.email ?? '';
  const what = action === 'add_tag' ? _(msg`Add the tag “${tagName}” to`) : action === 'remove_tag' ? _(msg`Remove the tag “${tagName}” from`) : action === 'set_status' ? _(msg`Set the status to “${_(STATUS_TEXT[status])}” for`) : action === 'add_to_caseload' ? _(msg`Put on ${person}'s caseload:`) : _(msg`Take off ${person}'s caseload:`);
  return (
    <div className="bulk-bar" role="region" aria-label={_(msg`Selected clients`)}>
      <strong><Plural value={count} one="# client selected" other="# clients selected" /></strong>
      <Select name="bulk-action" label={<Trans>Action</Trans>} options={actions.map((a) => ({ id: a.id, label: _(a.label) }))} value={action} onChange={setAction} />
      {action === 'add_tag' || action === 'remove_tag' ? <Select name="bulk-tag" label={<Trans>Tag</Trans>} options={[{ id: '', label: _(msg`Choose a tag`) }, ...(tags.data?.tags ?? []).map((t) => ({ id: t.id, label: t.name }))]} value={tagId} onChange={setTagId} /> : null}
      {action === 'set_status' ? <Select name="bulk-status" label={<Trans>Status</Trans>} options={STATUSES.map((s) => ({ id: s, label: _(STATUS_TEXT[s]) }))} value={status} onChange={setStatus} /> : null}
      {caseload ? <Select name="bulk-person" label={<Trans>Practitioner</Trans>} options={[{ id: '', label: _(msg`Choose a practitioner`) }, ...practitioners.map((p) => ({ id: p.id, label: p.email }))]} value={userId} onChange={setUserId} /> : null}
      <Button isDisabled={!ready} onPress={() => setConfirming(true)}><Trans>Apply…</Trans></Button>
      {tooMany ? <span className="field-error"><Trans>At most 1,000 clients can be changed at once. Narrow the list with a filter, or select fewer.</Trans></span> : null}
      <Button variant="quiet" onPress={onDone}><Trans>Clear selection</Trans></Button>
      <Dialog title={<Trans>Change {count} clients?</Trans>} isOpen={confirming} onOpenChange={setConfirming}>
        <p>{what} <strong><Plural value={count} one="# client" other="# clients" /></strong>.</p>
        <p className="muted small"><Trans>All of them change, or none do. The change is recorded in the audit log as one action naming each client.</Trans></p>
        <Alert>{run.isError ? _(errorMessage(run.error, { COUNT_MISMATCH: msg`Some of the selected clients changed or are no longer yours to change. Nothing was changed: reload the list and select again.` })) : null}</Alert>
        <div className="confirm">
          <Button isDisabled={run.isPending} onPress={() => run.mutate()}><Plural value={count} one="Change # client" other="Change # clients" /></Button>
          <Button variant="quiet" onPress={() => setConfirming(false)}><Trans>Cancel</Trans></Button>
        </div>
      </Dialog>
    </div>
  );
}
