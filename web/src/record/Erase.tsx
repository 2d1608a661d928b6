import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { useNavigate } from '@tanstack/react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, data, type paths } from '../api/client';
import { errorMessage } from '../api/errors';
import { useStepUp } from '../app/StepUp';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Select } from '../ui/Select';
import { useDateTime } from '../ui/format';

type Reason = NonNullable<paths['/api/v1/clients/{id}']['delete']['requestBody']>['content']['application/json']['reason'];
type Statement = paths['/api/v1/clients/{id}']['delete']['responses'][200]['content']['application/json'];

const REASONS: { id: Reason; label: MessageDescriptor }[] = [
  { id: 'subject_request', label: msg`The client asked to be erased` },
  { id: 'consent_withdrawn', label: msg`The client withdrew consent` },
  { id: 'retention_expired', label: msg`The retention period has ended` },
  { id: 'unlawfully_processed', label: msg`The data should never have been held` },
  { id: 'legal_obligation', label: msg`A legal obligation requires it` },
  { id: 'created_in_error', label: msg`The record was created in error` },
  { id: 'duplicate', label: msg`The record is a duplicate` },
];

/**
 * Erasure: a reason, a plain statement of what will happen and what the law keeps, the password
 * again (step-up), then the server's own statement of what it destroyed, deleted and kept.
 */
export function Erase({ clientId }: { clientId: string }) {
  const { _ } = useLingui();
  const withStepUp = useStepUp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const dateTime = useDateTime();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<Reason>('subject_request');
  const [done, setDone] = useState<Statement | null>(null);
  const erase = useMutation({
    mutationFn: () => withStepUp(() => data(api.DELETE('/api/v1/clients/{id}', { params: { path: { id: clientId } }, body: { reason } }))),
    onSuccess: (statement) => {
      setDone(statement);
      queryClient.removeQueries({ queryKey: ['client', clientId] });
      void queryClient.invalidateQueries({ queryKey: ['clients'] });
    },
  });
  return (
    <section className="panel danger-zone" aria-labelledby="erase-title">
      <h2 id="erase-title"><Trans>Erase this client</Trans></h2>
      <p className="muted small"><Trans>For a request to be forgotten, a record made in error, or a duplicate.</Trans></p>
      <Button variant="danger" onPress={() => setOpen(true)}><Trans>Erase…</Trans></Button>
      <Dialog title={done ? <Trans>The client is erased</Trans> : <Trans>Erase this client?</Trans>} isOpen={open} onOpenChange={(o) => { if (!o) { setOpen(false); if (done) void navigate({ to: '/clients' }); } }}>
        {done ? (
          <>
            <Statement statement={done} dateTime={dateTime} />
            <Button onPress={() => void navigate({ to: '/clients' })}><Trans>Back to clients</Trans></Button>
          </>
        ) : (
          <>
            <ul className="statement">
              <li><Trans>The client's key is destroyed. Every field, note, addendum and appointment detail becomes unreadable — here and in every backup. This cannot be undone.</Trans></li>
              <li><Trans>Invoices are kept because tax law requires it: readable only by billing and the owner, until the retention period ends, then destroyed.</Trans></li>
              <li><Trans>The audit log keeps that this client existed and who did what, but no name or value.</Trans></li>
            </ul>
            <Select name="reason" label={<Trans>Why is the client erased?</Trans>} description={<Trans>Recorded in the audit log.</Trans>} options={REASONS.map((r) => ({ id: r.id, label: _(r.label) }))} value={reason} onChange={setReason} />
            <Alert>{erase.isError ? _(errorMessage(erase.error)) : null}</Alert>
            <div className="confirm">
              <Button variant="danger" isDisabled={erase.isPending} onPress={() => erase.mutate()}><Trans>Erase for good</Trans></Button>
              <Button variant="quiet" onPress={() => setOpen(false)}><Trans>Keep the record</Trans></Button>
            </div>
          </>
        )}
      </Dialog>
    </section>
  );
}

function Statement({ statement, dateTime }: { statement: Statement; dateTime: (v: string) => string }) {
  return (
    <dl className="facts compact">
      <div>
        <dt><Trans>Destroyed (unreadable everywhere)</Trans></dt>
        <dd>{statement.destroyed.length ? statement.destroyed.map((l) => `${l.data} (${l.records})`).join(', ') : <Trans>nothing</Trans>}</dd>
      </div>
      <div>
        <dt><Trans>Deleted</Trans></dt>
        <dd>{statement.deleted.length ? statement.deleted.map((l) => `${l.data} (${l.records})`).join(', ') : <Trans>nothing</Trans>}</dd>
      </div>
      <div>
        <dt><Trans>Kept by law</Trans></dt>
        <dd>{statement.kept.length ? statement.kept.map((l, i) => <span key={i} className="kept-line">{l.until ? <Trans>{l.data} ({l.records}) — {l.why}, until {dateTime(l.until)}</Trans> : <Trans>{l.data} ({l.records}) — {l.why}</Trans>}</span>) : <Trans>nothing</Trans>}</dd>
      </div>
    </dl>
  );
}
