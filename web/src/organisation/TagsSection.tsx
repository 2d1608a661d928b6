import { useState } from 'react';
import { Checkbox, Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Field } from '../ui/Field';
import { Section } from '../ui/Section';

const TAG_ERRORS = {
  TAG_NAME_TAKEN: msg`Another tag already has this name (capitals aside). Choose another name, or use that tag.`,
  NOT_FOUND: msg`That tag is no longer there, or it is sensitive and your role does not see it. Reload the page.`,
};

type Tag = { id: string; name: string; sensitive: boolean };

const tagsQuery = { queryKey: ['tags'], queryFn: () => data(api.GET('/api/v1/tags')) };

/**
 * The organisation's tags, for those whose role has `tags.manage`: defined, renamed, marked sensitive
 * or not, deleted. A sensitive tag is seen only by staff who may read restricted information, so a
 * manager who may not (an admin) loses sight of a tag once it is marked: the section says so. The
 * sensitive box starts ticked again after each tag defined: the safe choice is the default.
 */
export function TagsSection() {
  const { _ } = useLingui();
  const queryClient = useQueryClient();
  const tags = useQuery(tagsQuery);
  const [name, setName] = useState('');
  const [sensitive, setSensitive] = useState(true);
  const [renaming, setRenaming] = useState<{ id: string; name: string } | null>(null);
  const [deleting, setDeleting] = useState<Tag | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** Refreshes the list; tells the manager when a tag just marked sensitive is one their role does not see. */
  const refresh = async (id?: string) => {
    await queryClient.invalidateQueries({ queryKey: ['tags-usage'] });
    const list = await queryClient.fetchQuery({ ...tagsQuery, staleTime: 0 });
    if (id && !list.tags.some((t) => t.id === id)) setNotice(_(msg`Saved. The tag is sensitive, and your role does not see sensitive tags: from now on only staff who may read restricted information see it.`));
  };
  const add = useMutation({
    mutationFn: () => data(api.POST('/api/v1/tags', { body: { name: name.trim(), sensitive } })),
    onSuccess: async (tag) => { setName(''); setSensitive(true); setNotice(_(msg`Tag defined.`)); await refresh(tag.id); },
  });
  const change = useMutation({
    mutationFn: ({ id, ...body }: { id: string; name?: string; sensitive?: boolean }) => data(api.PATCH('/api/v1/tags/{id}', { params: { path: { id } }, body })),
    onSuccess: async (tag) => { setRenaming(null); setNotice(_(msg`Tag saved.`)); await refresh(tag.id); },
  });
  const remove = useMutation({
    mutationFn: (id: string) => data(api.DELETE('/api/v1/tags/{id}', { params: { path: { id } } })),
    onSuccess: async (gone) => {
      setDeleting(null);
      setNotice(gone.clients === 0 ? _(msg`Tag deleted. No client carried it.`) : gone.clients === 1 ? _(msg`Tag deleted and removed from 1 client.`) : _(msg`Tag deleted and removed from ${gone.clients} clients.`));
      await refresh();
    },
  });
  const list = tags.data?.tags ?? [];
  const failed = tags.isError ? tags.error : add.isError ? add.error : change.isError ? change.error : remove.isError ? remove.error : null;
  return (
    <Section id="tags" title={<Trans>Tags</Trans>} description={<Trans>Labels for clients, such as "VIP" or a diagnosis. A sensitive tag is shown only to staff who may read restricted information; the front desk never sees it.</Trans>}>
      {notice ? <p className="notice" role="status">{notice}</p> : null}
      <Alert>{failed ? _(errorMessage(failed, TAG_ERRORS)) : null}</Alert>
      {list.length === 0 ? <p className="muted"><Trans>No tags yet.</Trans></p> : (
        <ul className="rows" aria-label={_(msg`Tags`)}>
          {list.map((tag) => (
            <li key={tag.id} className="row">
              {renaming?.id === tag.id ? (
                <Form className="form inline row-form" aria-label={_(msg`Rename ${tag.name}`)} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); if (renaming.name.trim()) change.mutate({ id: tag.id, name: renaming.name.trim() }); }}>
                  <Field name="tag-name" label={<Trans>New name</Trans>} value={renaming.name} onChange={(value) => setRenaming({ id: tag.id, name: value })} isRequired maxLength={100} autoComplete="off" />
                  <Button type="submit" isDisabled={change.isPending}><Trans>Save</Trans></Button>
                  <Button variant="quiet" onPress={() => setRenaming(null)}><Trans>Close</Trans></Button>
                </Form>
              ) : (
                <>
                  <span className="row-main">
                    <span className={tag.sensitive ? 'tag tag-sensitive' : 'tag'}>{tag.name}</span>
                    {tag.sensitive ? <span className="muted"> · <Trans>sensitive</Trans></span> : null}
                  </span>
                  <span className="actions">
                    <Button variant="quiet" onPress={() => setRenaming({ id: tag.id, name: tag.name })} aria-label={_(msg`Rename ${tag.name}`)}><Trans>Rename</Trans></Button>
                    <Button variant="quiet" isDisabled={change.isPending} onPress={() => change.mutate({ id: tag.id, sensitive: !tag.sensitive })} aria-label={tag.sensitive ? _(msg`Mark not sensitive: ${tag.name}`) : _(msg`Mark sensitive: ${tag.name}`)}>{tag.sensitive ? <Trans>Mark not sensitive</Trans> : <Trans>Mark sensitive</Trans>}</Button>
                    <Button variant="quiet" onPress={() => setDeleting(tag)} aria-label={_(msg`Delete ${tag.name}`)}><Trans>Delete</Trans></Button>
                  </span>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <Form className="form inline" aria-label={_(msg`Define a tag`)} validationBehavior="aria" onSubmit={(e) => { e.preventDefault(); if (name.trim()) add.mutate(); }}>
        <Field name="new-tag" label={<Trans>Tag</Trans>} value={name} onChange={setName} maxLength={100} autoComplete="off" />
        <Checkbox name="new-tag-sensitive" className="checkbox" isSelected={sensitive} onChange={setSensitive}>
          <span className="checkbox-box" aria-hidden="true" />
          <Trans>Sensitive: only staff who may read restricted information see it</Trans>
        </Checkbox>
        <Button type="submit" variant="quiet" isDisabled={add.isPending || !name.trim()}><Trans>Define tag</Trans></Button>
      </Form>
      {deleting ? <DeleteDialog tag={deleting} pending={remove.isPending} onConfirm={() => remove.mutate(deleting.id)} onClose={() => setDeleting(null)} /> : null}
    </Section>
  );
}

/** Says exactly what deleting does: how many clients lose the tag, counted afresh as the dialog opens (until then: "every client"). */
function DeleteDialog({ tag, pending, onConfirm, onClose }: { tag: Tag; pending: boolean; onConfirm: () => void; onClose: () => void }) {
  const usage = useQuery({ queryKey: ['tags-usage'], queryFn: () => data(api.GET('/api/v1/tags/usage')), refetchOnMount: 'always', gcTime: 0 });
  const clients = usage.data && !usage.isFetching ? usage.data.tags.find((u) => u.id === tag.id)?.clients ?? 0 : null;
  return (
    <Dialog title={<Trans>Delete the tag {tag.name}?</Trans>} isOpen onOpenChange={(open) => { if (!open) onClose(); }}>
      <p>
        {clients === null ? <Trans>Deleting it removes it from every client. This cannot be undone.</Trans>
          : clients === 0 ? <Trans>No client carries it. This cannot be undone.</Trans>
          : clients === 1 ? <Trans>1 client carries it; deleting it removes it from that client. This cannot be undone.</Trans>
          : <Trans>{clients} clients carry it; deleting it removes it from every one of them. This cannot be undone.</Trans>}
      </p>
      <div className="actions">
        <Button variant="danger" onPress={onConfirm} isDisabled={pending}><Trans>Yes, delete the tag</Trans></Button>
        <Button variant="quiet" onPress={onClose}><Trans>Keep it</Trans></Button>
      </div>
    </Dialog>
  );
}
