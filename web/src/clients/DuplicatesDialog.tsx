import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data, type paths } from '../api/client';
import { errorMessage } from '../api/errors';
import { useStepUp } from '../app/StepUp';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { useFormFields } from './ClientForm';
import { displayName, fieldLabel, valueText } from './fields';

type Preview = paths['/api/v1/clients/{id}/merge-preview']['get']['responses'][200]['content']['application/json'];
const REASON: Record<string, MessageDescriptor> = { email: msg`Same e-mail`, phone: msg`Same phone`, name_and_date_of_birth: msg`Same name and date of birth` };
const MOVES: Record<string, MessageDescriptor> = {
  'notes:general': msg`General notes`,
  'notes:session': msg`Session notes`,
  'note_addenda:general': msg`Addenda to general notes`,
  'note_addenda:session': msg`Addenda to session notes`,
  activities: msg`Follow-ups, appointments and contacts`,
  invoices: msg`Invoices`,
  break_glass: msg`Emergency access grants`,
  tags: msg`Tags`,
  caseload: msg`Caseload places`,
};
const OUTCOME: Record<string, MessageDescriptor> = { same: msg`the same in both`, kept: msg`differs: the kept record's value stays`, filled: msg`only in the duplicate: it moves over` };

/**
 * Possible duplicates: the pairs (ids only until one is compared), a comparison of both records as
 * the role may read them with a preview of exactly what the merge moves, then the merge itself.
 */
export function DuplicatesDialog({ onClose }: { onClose: () => void }) {
  const { _ } = useLingui();
  const withStepUp = useStepUp();
  const queryClient = useQueryClient();
  const pairs = useQuery({ queryKey: ['duplicates'], queryFn: () => data(api.GET('/api/v1/clients/duplicates')), gcTime: 0 });
  const [pair, setPair] = useState<{ keep: string; duplicate: string } | null>(null);
  const preview = useQuery({
    queryKey: ['merge-preview', pair?.keep, pair?.duplicate],
    queryFn: () => data(api.GET('/api/v1/clients/{id}/merge-preview', { params: { path: { id: pair!.keep }, query: { duplicate_id: pair!.duplicate } } })),
    enabled: pair !== null,
    gcTime: 0,
  });
  const merge = useMutation({
    mutationFn: () => withStepUp(() => data(api.POST('/api/v1/clients/{id}/merge', { params: { path: { id: pair!.keep } }, body: { duplicate_id: pair!.duplicate } }))),
    onSuccess: async () => {
      setPair(null);
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['duplicates'] }), queryClient.invalidateQueries({ queryKey: ['clients'] })]);
    },
  });
  return (
    <Dialog title={<Trans>Possible duplicates</Trans>} isOpen onOpenChange={(o) => (o ? undefined : onClose())}>
      <Alert>{pairs.isError ? _(errorMessage(pairs.error)) : merge.isError ? _(errorMessage(merge.error)) : preview.isError ? _(errorMessage(preview.error)) : null}</Alert>
      {merge.isSuccess && !pair ? <p role="status" className="notice"><Trans>Merged. The duplicate is erased; everything it held is on the record kept.</Trans></p> : null}
      {pair && preview.data ? (
        <Comparison preview={preview.data} onSwap={() => setPair({ keep: pair.duplicate, duplicate: pair.keep })} onMerge={() => merge.mutate()} onBack={() => setPair(null)} busy={merge.isPending} />
      ) : pair ? <p className="muted" aria-busy="true"><Trans>Comparing…</Trans></p> : pairs.isPending ? <p className="muted" aria-busy="true"><Trans>Looking for duplicates…</Trans></p> : (pairs.data?.pairs.length ?? 0) === 0 ? <p className="muted"><Trans>No possible duplicates found.</Trans></p> : (
        <ul className="rows" aria-label={_(msg`Pairs`)}>
          {pairs.data!.pairs.map((p, i) => (
            <li key={`${p.a}-${p.b}`} className="row">
              <span className="row-main"><Trans>Pair {i + 1}</Trans> <span className="muted">· {_(REASON[p.reason] ?? msg`Similar`)}</span></span>
              <Button variant="quiet" onPress={() => setPair({ keep: p.a, duplicate: p.b })} aria-label={_(msg`Compare pair ${i + 1}`)}><Trans>Compare</Trans></Button>
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        <Button variant="quiet" onPress={onClose}><Trans>Close</Trans></Button>
      </div>
    </Dialog>
  );
}

function Comparison({ preview, onSwap, onMerge, onBack, busy }: { preview: Preview; onSwap: () => void; onMerge: () => void; onBack: () => void; busy: boolean }) {
  const { _ } = useLingui();
  const form = useFormFields();
  const readable = (form.data?.fields ?? []).filter((f) => f.readable);
  const side = (c: Preview['keep']) => ({ ...c.fields, ...c.custom }) as Record<string, unknown>;
  const moves = preview.moves.filter((m) => m.count > 0);
  return (
    <div className="comparison">
      <table className="table">
        <thead>
          <tr><th scope="col"><Trans>Field</Trans></th><th scope="col"><Trans>Kept</Trans></th><th scope="col"><Trans>Duplicate (erased)</Trans></th></tr>
        </thead>
        <tbody>
          {readable.map((f) => {
            const a = valueText(side(preview.keep)[f.name]);
            const b = valueText(side(preview.duplicate)[f.name]);
            if (!a && !b) return null;
            const outcome = preview.fields.find((x) => x.field === (f.custom ? `custom.${f.name}` : f.name))?.outcome;
            return (
              <tr key={f.name}>
                <th scope="row">{fieldLabel(f, _)}</th>
                <td className="pii">{a ?? '—'}</td>
                <td className="pii">{b ?? '—'}{outcome ? <span className="agenda-summary">{_(OUTCOME[outcome]!)}</span> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3 className="bucket-title"><Trans>What moves to the kept record</Trans></h3>
      {moves.length === 0 ? <p className="muted"><Trans>Nothing but the fields above.</Trans></p> : (
        <ul className="statement">
          {moves.map((m) => <li key={m.records}>{_(MOVES[m.records] ?? msg`Other records`)}: {m.count}</li>)}
        </ul>
      )}
      <p className="muted small"><Trans>The duplicate, {displayName(preview.duplicate)}, is then erased; the audit trail of both stays.</Trans></p>
      <div className="confirm">
        <Button variant="danger" isDisabled={busy} onPress={onMerge}><Trans>Merge into {displayName(preview.keep)}</Trans></Button>
        <Button variant="quiet" onPress={onSwap}><Trans>Keep the other one instead</Trans></Button>
        <Button variant="quiet" onPress={onBack}><Trans>Back</Trans></Button>
      </div>
    </div>
  );
}
