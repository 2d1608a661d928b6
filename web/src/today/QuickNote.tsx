import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Form, Label, TextArea, TextField } from 'react-aria-components';
import { useMutation } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { useDraft } from '../app/drafts';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { displayName } from '../clients/fields';

/**
 * A quick note to any client one may write notes for: find them by name (a search, in the request
 * body), pick one, write, save. Nothing is read until the person searches.
 */
export function QuickNote() {
  const { _ } = useLingui();
  const [term, setTerm] = useState('');
  const [client, setClient] = useState<{ id: string; name: string } | null>(null);
  const [text, setText, clearText] = useDraft('quick-note');
  const [saved, setSaved] = useState<string | null>(null);
  const find = useMutation({ mutationFn: () => data(api.POST('/api/v1/clients/search', { body: { name: term.trim(), limit: 10 } })) });
  const write = useMutation({
    mutationFn: (v: { client: { id: string; name: string }; body: string }) => data(api.POST('/api/v1/clients/{id}/notes', { params: { path: { id: v.client.id } }, body: { kind: 'general', body: v.body } })),
    onSuccess: (_note, v) => {
      setSaved(v.client.name);
      clearText();
      setClient(null);
      find.reset();
      setTerm('');
    },
  });
  return (
    <section className="panel" aria-labelledby="quick-note-title">
      <h3 id="quick-note-title" className="bucket-title"><Trans>Quick note</Trans></h3>
      {saved ? <p role="status" className="notice"><Trans>Note saved to <span className="pii">{saved}</span>'s record.</Trans></p> : null}
      {!client ? (
        <Form className="form inline" role="search" aria-label={_(msg`Find the client for a quick note`)} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); setSaved(null); if (term.trim()) find.mutate(); }}>
          <Field name="quick-client" label={<Trans>Client's name</Trans>} value={term} onChange={setTerm} autoComplete="off" />
          <Button type="submit" variant="quiet" isDisabled={find.isPending}><Trans>Find</Trans></Button>
        </Form>
      ) : null}
      <Alert>{find.isError ? _(errorMessage(find.error)) : write.isError ? _(errorMessage(write.error)) : null}</Alert>
      {!client && find.data ? (
        find.data.clients.length === 0 ? <p className="muted"><Trans>No client of yours has that name.</Trans></p> : (
          <ul className="rows" aria-label={_(msg`Clients found`)}>
            {find.data.clients.map((c) => (
              <li key={c.id} className="row">
                <span className="row-main pii">{displayName(c)}</span>
                <Button variant="quiet" onPress={() => setClient({ id: c.id, name: displayName(c) })} aria-label={_(msg`Write a note for ${displayName(c)}`)}><Trans>Choose</Trans></Button>
              </li>
            ))}
          </ul>
        )
      ) : null}
      {client ? (
        <Form className="form" aria-label={_(msg`Quick note`)} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); if (text.trim()) write.mutate({ client, body: text.trim() }); }}>
          <TextField className="field" value={text} onChange={setText} isRequired name="quick-note">
            <Label className="field-label"><Trans>Note for <span className="pii">{client.name}</span></Trans></Label>
            <TextArea className="field-input textarea" rows={4} />
          </TextField>
          <div className="actions">
            <Button type="submit" isDisabled={write.isPending || !text.trim()}><Trans>Save note</Trans></Button>
            <Button variant="quiet" isDisabled={write.isPending} onPress={() => setClient(null)}><Trans>Another client</Trans></Button>
          </div>
        </Form>
      ) : null}
    </section>
  );
}
