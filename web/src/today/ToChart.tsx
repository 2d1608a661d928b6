import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Form, Label, TextArea, TextField } from 'react-aria-components';
import { Link } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data, type paths } from '../api/client';
import { errorMessage } from '../api/errors';
import { useDraft } from '../app/drafts';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { useDateTime } from '../ui/format';

type Item = paths['/api/v1/agenda/to-chart']['get']['responses'][200]['content']['application/json']['items'][number];

/** Past appointments of the last 30 days that no note records yet, each charted here with a session note. */
export function ToChart() {
  const { _ } = useLingui();
  const queue = useQuery({ queryKey: ['to-chart'], queryFn: () => data(api.GET('/api/v1/agenda/to-chart')), gcTime: 0 });
  const items = queue.data?.items ?? [];
  return (
    <section className="panel" aria-labelledby="to-chart-title">
      <h3 id="to-chart-title" className="bucket-title"><Trans>To chart</Trans> <span className="count">{items.length}</span></h3>
      <Alert>{queue.isError ? _(errorMessage(queue.error)) : null}</Alert>
      {queue.isPending ? <p className="muted" aria-busy="true"><Trans>Loading…</Trans></p> : items.length === 0 ? <p className="muted"><Trans>Every past appointment has its note.</Trans></p> : (
        <ul className="rows" aria-labelledby="to-chart-title">
          {items.map((item) => <ChartRow key={item.activity_id} item={item} />)}
        </ul>
      )}
    </section>
  );
}

function ChartRow({ item }: { item: Item }) {
  const { _ } = useLingui();
  const dateTime = useDateTime();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [text, setText, clearText] = useDraft(`chart:${item.activity_id}`);
  const write = useMutation({
    mutationFn: () => data(api.POST('/api/v1/clients/{id}/notes', { params: { path: { id: item.client_id } }, body: { kind: 'session', body: text.trim(), activity_id: item.activity_id } })),
    onSuccess: async () => {
      clearText();
      await queryClient.invalidateQueries({ queryKey: ['to-chart'] });
    },
  });
  return (
    <li className="row">
      <span className="agenda-time">{dateTime(item.at)}</span>
      <span className="row-main"><Link to="/clients/$clientId" params={{ clientId: item.client_id }} className="pii">{item.client_first_name}</Link></span>
      {!open ? <Button variant="quiet" onPress={() => setOpen(true)} aria-label={_(msg`Write the session note for ${item.client_first_name}, ${dateTime(item.at)}`)}><Trans>Write the note</Trans></Button> : null}
      {open ? (
        <Form className="form row-form" aria-label={_(msg`Session note for ${item.client_first_name}`)} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); if (text.trim()) write.mutate(); }}>
          <TextField className="field" value={text} onChange={setText} isRequired name="session-note">
            <Label className="field-label"><Trans>Session note (only you can read it)</Trans></Label>
            <TextArea className="field-input textarea" rows={4} />
          </TextField>
          <Alert>{write.isError ? _(errorMessage(write.error)) : null}</Alert>
          <div className="actions">
            <Button type="submit" isDisabled={write.isPending || !text.trim()}><Trans>Save note</Trans></Button>
            <Button variant="quiet" onPress={() => setOpen(false)}><Trans>Later</Trans></Button>
          </div>
        </Form>
      ) : null}
    </li>
  );
}
