import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Form, Label, TextArea, TextField } from 'react-aria-components';
import { useNavigate } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { useStepUp } from '../app/StepUp';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Field } from '../ui/Field';
import { Select } from '../ui/Select';

type SearchKey = 'name' | 'phone' | 'email' | 'identifier';
const MIN_REASON = 20;

/**
 * Emergency (break-glass) access to a client who is not on the practitioner's caseload: the reason
 * first, then one search across the organisation, then the record — each step needs a fresh sign-in,
 * is audited with the reason, and alerts the owners and admins at once.
 */
export function BreakGlassDialog({ onClose }: { onClose: () => void }) {
  const { _ } = useLingui();
  const withStepUp = useStepUp();
  const navigate = useNavigate();
  const [reason, setReason] = useState('');
  const [key, setKey] = useState<SearchKey>('name');
  const [term, setTerm] = useState('');
  const search = useMutation({
    mutationFn: () => withStepUp(() => data(api.POST('/api/v1/break-glass/search', { body: { reason: reason.trim(), [key]: term.trim() } }))),
  });
  const open = useMutation({
    mutationFn: (id: string) => withStepUp(() => data(api.POST('/api/v1/clients/{id}/break-glass', { params: { path: { id } }, body: { reason: reason.trim() } }))).then(() => id),
    onSuccess: (id) => {
      onClose();
      void navigate({ to: '/clients/$clientId', params: { clientId: id } });
    },
  });
  const reasonShort = reason.trim().length < MIN_REASON;
  return (
    <Dialog title={<Trans>Emergency access</Trans>} isOpen onOpenChange={(o) => (o ? undefined : onClose())}>
      <p className="notice"><Trans>For a client who is not on your caseload, when you need their record now. The owners are alerted at once, and your reason is reviewed.</Trans></p>
      <Form
        className="form"
        validationBehavior="aria"
        aria-label={_(msg`Emergency search`)}
        onSubmit={(e) => {
          e.preventDefault();
          if (!reasonShort && term.trim()) search.mutate();
        }}
      >
        <TextField className="field" value={reason} onChange={setReason} isRequired name="reason" isInvalid={reason.length > 0 && reasonShort}>
          <Label className="field-label"><Trans>Why do you need this record?</Trans></Label>
          <TextArea className="field-input textarea" rows={3} />
          <span className="field-description"><Trans>At least {MIN_REASON} characters. Say what the emergency is, not who the client is.</Trans></span>
        </TextField>
        <div className="grid-2">
          <Select name="by" label={<Trans>Find by</Trans>} options={[{ id: 'name' as const, label: _(msg`Name`) }, { id: 'phone' as const, label: _(msg`Phone`) }, { id: 'email' as const, label: _(msg`E-mail`) }, { id: 'identifier' as const, label: _(msg`Identifier (scheme:value)`) }]} value={key} onChange={setKey} />
          <Field name="term" label={<Trans>Search the whole organisation</Trans>} value={term} onChange={setTerm} autoComplete="off" isDisabled={reasonShort} />
        </div>
        <Alert>{search.isError ? _(errorMessage(search.error)) : open.isError ? _(errorMessage(open.error)) : null}</Alert>
        <div className="actions">
          <Button type="submit" isDisabled={reasonShort || !term.trim() || search.isPending}><Trans>Search</Trans></Button>
          <Button variant="quiet" onPress={onClose}><Trans>Cancel</Trans></Button>
        </div>
      </Form>
      {search.data ? (
        search.data.clients.length === 0 ? <p className="muted"><Trans>No client matches. Check the spelling or search another way.</Trans></p> : (
          <ul className="rows" aria-label={_(msg`Matches`)}>
            {search.data.clients.map((c) => (
              <li key={c.id} className="row">
                <span className="row-main">{c.name}{c.date_of_birth ? <span className="muted"> · <Trans>born {c.date_of_birth}</Trans></span> : null}</span>
                <Button variant="danger" isDisabled={open.isPending} onPress={() => open.mutate(c.id)} aria-label={_(msg`Open the record of ${c.name} with emergency access`)}><Trans>Open with emergency access</Trans></Button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </Dialog>
  );
}
