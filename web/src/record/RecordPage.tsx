import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Link } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, data, type Body } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan } from '../app/session';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Select } from '../ui/Select';
import { ClientForm, useFormFields } from '../clients/ClientForm';
import { displayName, fieldLabel, GROUP_TEXT, STATUS_TEXT, valueText, type Client } from '../clients/fields';
import { Activities } from './Activities';
import { Notes } from './Notes';
import { History } from './History';
import { AccessLog } from './AccessLog';
import { Erase } from './Erase';
import { Invoices } from './Invoices';

type Patch = Body<'/api/v1/clients/{id}', 'patch'>;

/** The client's record query: read when the record opens (one audited read), dropped when it closes. */
export function useClient(clientId: string) {
  return useQuery({ queryKey: ['client', clientId], queryFn: () => data(api.GET('/api/v1/clients/{id}', { params: { path: { id: clientId } } })), gcTime: 0 });
}

/**
 * A client's record: the fields the role may read, by group; tags; follow-ups, appointments and
 * contacts; notes with their addenda; the history; who looked at it; erasure. Each part is read when
 * the record opens or when the person asks for it; fields the role may not read are absent.
 */
export function RecordPage({ clientId }: { clientId: string }) {
  const { _ } = useLingui();
  const can = useCan();
  const client = useClient(clientId);
  if (client.isPending) return <p className="muted" aria-busy="true"><Trans>Opening the record…</Trans></p>;
  if (client.isError) {
    const missing = client.error instanceof ApiError && client.error.status === 404;
    return (
      <section className="panel">
        <h1><Trans>Record not available</Trans></h1>
        <Alert>{missing ? (can('client.break_glass') ? _(msg`This client is not on your caseload, or no longer exists. If you need this record in an emergency, use emergency access from the client list.`) : _(msg`This client is not one you may see, or no longer exists. Ask the client's practitioner or an owner if you need the record.`)) : _(errorMessage(client.error))}</Alert>
        <Link to="/clients"><Trans>Back to clients</Trans></Link>
      </section>
    );
  }
  const c = client.data;
  return (
    <article aria-labelledby="record-title" className="record">
      <RecordHead client={c} />
      <div className="record-grid">
        <div className="record-main">
          <Details client={c} />
          <Activities clientId={clientId} />
          {can('client.notes') ? <Notes clientId={clientId} /> : null}
          {can('client.invoices') ? <Invoices clientId={clientId} /> : null}
          <History clientId={clientId} />
        </div>
        <aside className="record-side" aria-label={_(msg`Record tools`)}>
          {can('client.access_log') ? <AccessLog clientId={clientId} /> : null}
          {can('client.erase') ? <Erase clientId={clientId} /> : null}
        </aside>
      </div>
    </article>
  );
}

function RecordHead({ client }: { client: Client }) {
  const { _ } = useLingui();
  const can = useCan();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState<string>('');
  const tags = useQuery({ queryKey: ['tags'], queryFn: () => data(api.GET('/api/v1/tags')), enabled: can('client.update') });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['client', client.id] });
  const tag = useMutation({
    mutationFn: ({ tagId, on }: { tagId: string; on: boolean }) => data((on ? api.PUT : api.DELETE)('/api/v1/clients/{id}/tags/{tagId}', { params: { path: { id: client.id, tagId } } })),
    onSuccess: () => {
      setAdding('');
      void refresh();
    },
  });
  const update = useMutation({
    mutationFn: (body: Patch) => data(api.PATCH('/api/v1/clients/{id}', { params: { path: { id: client.id } }, body })),
    onSuccess: (updated) => {
      queryClient.setQueryData(['client', client.id], { ...updated, tags: client.tags });
      void queryClient.invalidateQueries({ queryKey: ['clients'] });
      setEditing(false);
    },
  });
  const onIt = new Set((client.tags ?? []).map((t) => t.id));
  const addable = (tags.data?.tags ?? []).filter((t) => !onIt.has(t.id));
  const name = displayName(client);
  return (
    <header className="panel record-head">
      <div className="record-title-row">
        <h1 id="record-title" className="pii">{name}</h1>
        <span className="badge">{_(STATUS_TEXT[client.status])}</span>
        <span className="spacer" />
        {can('client.update') ? <Button variant="quiet" onPress={() => setEditing(true)}><Trans>Edit details</Trans></Button> : null}
      </div>
      {client.fields.preferred_name && client.fields.name ? <p className="muted"><Trans>Full name: <span className="pii">{client.fields.name}</span></Trans></p> : null}
      {client.fields.phone ? <p className="record-phone"><a href={`tel:${client.fields.phone}`} className="pii">{client.fields.phone}</a></p> : null}
      <div className="tag-bar">
        {(client.tags ?? []).length === 0 ? <span className="muted"><Trans>No tags.</Trans></span> : (
          <ul className="tag-row" aria-label={_(msg`Tags`)}>
            {(client.tags ?? []).map((t) => (
              <li key={t.id} className={t.sensitive ? 'tag tag-sensitive' : 'tag'}>
                {t.name}
                {t.sensitive ? <span className="visually-hidden"> <Trans>(sensitive)</Trans></span> : null}
                {can('client.update') ? <Button variant="quiet" className="tag-remove" aria-label={_(msg`Remove tag ${t.name}`)} onPress={() => tag.mutate({ tagId: t.id, on: false })}>×</Button> : null}
              </li>
            ))}
          </ul>
        )}
        {can('client.update') && addable.length > 0 ? (
          <span className="tag-add">
            <Select name="add-tag" label={<Trans>Add a tag</Trans>} options={[{ id: '', label: _(msg`Choose a tag`) }, ...addable.map((t) => ({ id: t.id, label: t.sensitive ? _(msg`${t.name} (sensitive)`) : t.name }))]} value={adding} onChange={setAdding} />
            <Button variant="quiet" isDisabled={!adding || tag.isPending} onPress={() => tag.mutate({ tagId: adding, on: true })}><Trans>Add tag</Trans></Button>
          </span>
        ) : null}
      </div>
      <Alert>{tag.isError ? _(errorMessage(tag.error)) : null}</Alert>
      {editing ? (
        <Dialog title={<Trans>Edit details</Trans>} isOpen onOpenChange={(open) => (open ? undefined : setEditing(false))}>
          <ClientForm
            initial={client}
            submitLabel={_(msg`Save changes`)}
            busy={update.isPending}
            error={update.error}
            onCancel={() => setEditing(false)}
            onSubmit={({ values, custom, status }) => {
              const body = { ...values, ...(Object.keys(custom).length ? { custom } : {}), ...(status ? { status } : {}) } as Patch;
              if (Object.keys(body as object).length === 0) setEditing(false);
              else update.mutate(body);
            }}
          />
        </Dialog>
      ) : null}
    </header>
  );
}

/** The fields the role may read, grouped as the data map groups them. */
function Details({ client }: { client: Client }) {
  const { _ } = useLingui();
  const form = useFormFields();
  const readable = (form.data?.fields ?? []).filter((f) => f.readable);
  const groups = [...new Set(readable.map((f) => f.group))];
  const values = { ...client.fields, ...client.custom } as Record<string, unknown>;
  return (
    <section className="panel" aria-labelledby="details-title">
      <h2 id="details-title"><Trans>Details</Trans></h2>
      {form.isError ? <Alert>{_(errorMessage(form.error))}</Alert> : null}
      <div className="detail-groups">
        {groups.map((group) => (
          <div key={group} className="detail-group">
            <h3 className="detail-group-title">{GROUP_TEXT[group] ? _(GROUP_TEXT[group]!) : group}</h3>
            <dl className="facts compact">
              {readable.filter((f) => f.group === group).map((f) => {
                const text = valueText(values[f.name], _);
                return (
                  <div key={f.name}>
                    <dt>{fieldLabel(f, _)}</dt>
                    <dd className={text ? 'pii' : 'muted'} data-field={f.name}>{text ?? _(msg`Not recorded`)}</dd>
                  </div>
                );
              })}
            </dl>
          </div>
        ))}
      </div>
    </section>
  );
}
