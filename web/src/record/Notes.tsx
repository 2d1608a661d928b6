import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Form, Label, TextArea, TextField } from 'react-aria-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data, type paths } from '../api/client';
import { errorMessage } from '../api/errors';
import { useDraft } from '../app/drafts';
import { useCan, useMe } from '../app/session';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Select } from '../ui/Select';
import { useDateTime } from '../ui/format';

type Note = paths['/api/v1/clients/{id}/notes']['get']['responses'][200]['content']['application/json']['notes'][number];

/** Who wrote something: "you", a colleague's e-mail from the staff directory, or "a colleague". */
export function useAuthorName(): (id: string) => string {
  const { _ } = useLingui();
  const me = useMe();
  const can = useCan();
  const directory = useQuery({ queryKey: ['staff-directory'], queryFn: () => data(api.GET('/api/v1/staff/directory')), enabled: can('staff.directory') });
  return (id) => (id === me.user_id ? _(msg`you`) : (directory.data?.people.find((p) => p.id === id)?.email ?? _(msg`a colleague`)));
}

/**
 * Notes: general notes (everyone cleared for notes on this client) and session notes (their author
 * only). A note is never edited: what is added later is an addendum, shown under it with its own
 * author and time, so the original stays as it was written.
 */
export function Notes({ clientId }: { clientId: string }) {
  const { _ } = useLingui();
  const queryClient = useQueryClient();
  const notes = useQuery({ queryKey: ['notes', clientId], queryFn: () => data(api.GET('/api/v1/clients/{id}/notes', { params: { path: { id: clientId } } })), gcTime: 0 });
  const [text, setText, clearText] = useDraft(`note:${clientId}`);
  const [kind, setKind] = useState<'general' | 'session'>('general');
  const write = useMutation({
    mutationFn: () => data(api.POST('/api/v1/clients/{id}/notes', { params: { path: { id: clientId } }, body: { kind, body: text.trim() } })),
    onSuccess: async () => {
      clearText();
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['notes', clientId] }), queryClient.invalidateQueries({ queryKey: ['timeline', clientId] })]);
    },
  });
  const list = [...(notes.data?.notes ?? [])].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <section className="panel" aria-labelledby="notes-title">
      <h2 id="notes-title"><Trans>Notes</Trans></h2>
      <Form
        className="form"
        aria-label={_(msg`Write a note`)}
        validationBehavior="aria"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) write.mutate();
        }}
      >
        <Select name="kind" label={<Trans>Kind of note</Trans>} description={kind === 'session' ? <Trans>A session note: only you can read it, and it is sealed under a key of its own.</Trans> : <Trans>A general note: everyone who may read notes on this client can read it.</Trans>} options={[{ id: 'general' as const, label: _(msg`General note`) }, { id: 'session' as const, label: _(msg`Session note (only you)`) }]} value={kind} onChange={setKind} />
        <TextField className="field" value={text} onChange={setText} isRequired name="note">
          <Label className="field-label"><Trans>Note</Trans></Label>
          <TextArea className="field-input textarea" rows={4} />
        </TextField>
        <Alert>{write.isError ? _(errorMessage(write.error)) : null}</Alert>
        <div className="actions">
          <Button type="submit" isDisabled={write.isPending || !text.trim()}><Trans>Save note</Trans></Button>
          <span className="muted small"><Trans>Notes cannot be edited once saved; you can add an addendum.</Trans></span>
        </div>
      </Form>
      <Alert>{notes.isError ? _(errorMessage(notes.error)) : null}</Alert>
      {notes.isPending ? <p className="muted" aria-busy="true"><Trans>Loading notes…</Trans></p> : list.length === 0 ? <p className="muted"><Trans>No notes yet.</Trans></p> : (
        <ol className="notes">
          {list.map((n) => <NoteItem key={n.id} note={n} clientId={clientId} />)}
        </ol>
      )}
    </section>
  );
}

function NoteItem({ note, clientId }: { note: Note; clientId: string }) {
  const { _ } = useLingui();
  const me = useMe();
  const dateTime = useDateTime();
  const author = useAuthorName();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [text, setText, clearText] = useDraft(`addendum:${note.id}`);
  const amend = useMutation({
    mutationFn: () => data(api.POST('/api/v1/clients/{id}/notes/{noteId}/addenda', { params: { path: { id: clientId, noteId: note.id } }, body: { text: text.trim() } })),
    onSuccess: async () => {
      clearText();
      setAdding(false);
      await queryClient.invalidateQueries({ queryKey: ['notes', clientId] });
    },
  });
  // A session note is amended by its author only (the server holds the same rule).
  const mayAmend = note.kind === 'general' || note.author_id === me.user_id;
  return (
    <li className={`note note-${note.kind}`}>
      <p className="note-meta">
        {note.kind === 'session' ? <span className="badge badge-session"><Trans>Session note · only its author</Trans></span> : <span className="badge"><Trans>General note</Trans></span>}
        <span className="muted"> <Trans>{dateTime(note.created_at)} by {author(note.author_id)}</Trans></span>
      </p>
      <p className="note-body pii">{note.body}</p>
      {note.addenda.length > 0 ? (
        <ol className="addenda" aria-label={_(msg`Addenda`)}>
          {note.addenda.map((a) => (
            <li key={a.id} className="addendum">
              <p className="note-meta muted"><Trans>Addendum, {dateTime(a.created_at)} by {author(a.author_id)}</Trans></p>
              <p className="note-body pii">{a.text}</p>
            </li>
          ))}
        </ol>
      ) : null}
      {mayAmend ? (
        adding ? (
          <Form className="form subform" aria-label={_(msg`Add an addendum`)} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); if (text.trim()) amend.mutate(); }}>
            <TextField className="field" value={text} onChange={setText} isRequired name="addendum">
              <Label className="field-label"><Trans>Addendum</Trans></Label>
              <TextArea className="field-input textarea" rows={3} />
            </TextField>
            <Alert>{amend.isError ? _(errorMessage(amend.error)) : null}</Alert>
            <div className="actions">
              <Button type="submit" isDisabled={amend.isPending || !text.trim()}><Trans>Save addendum</Trans></Button>
              <Button variant="quiet" onPress={() => setAdding(false)}><Trans>Cancel</Trans></Button>
            </div>
          </Form>
        ) : <Button variant="quiet" onPress={() => setAdding(true)}><Trans>Add an addendum</Trans></Button>
      ) : null}
    </li>
  );
}
