import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Form, Switch } from 'react-aria-components';
import { Link, useNavigate } from '@tanstack/react-router';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { api, data, type paths } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan, useMe } from '../app/session';
import { applyPrivacy, isPrivacyOn, subscribePrivacy } from '../app/preferences';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { Select } from '../ui/Select';
import { displayName, STATUS_TEXT, STATUSES, type Status } from './fields';
import { NewClientDialog } from './NewClientDialog';
import { BreakGlassDialog } from './BreakGlassDialog';
import { BulkBar } from './BulkBar';
import { DuplicatesDialog } from './DuplicatesDialog';

type Listed = paths['/api/v1/clients']['get']['responses'][200]['content']['application/json']['clients'][number];
type SearchKey = 'name' | 'phone' | 'email' | 'identifier';
type Order = 'last_contact' | 'next_appointment' | 'status' | 'created' | 'name';
type Contact = 'any' | 'recent' | 'lapsed' | 'long';
const DAY = 86_400_000;
const CONTACT: { id: Contact; label: ReturnType<typeof msg> }[] = [
  { id: 'any', label: msg`Any time` },
  { id: 'recent', label: msg`In the last 30 days` },
  { id: 'lapsed', label: msg`Over 90 days ago, or never` },
  { id: 'long', label: msg`Over a year ago, or never` },
];
/** The list's last-contact filter as the API's bounds (a date: its start, UTC). */
function contactBounds(contact: Contact, now = Date.now()): { last_contact_after?: string; last_contact_before?: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (contact === 'recent') return { last_contact_after: day(now - 30 * DAY) };
  if (contact === 'lapsed') return { last_contact_before: day(now - 90 * DAY) };
  if (contact === 'long') return { last_contact_before: day(now - 365 * DAY) };
  return {};
}

const PAGE = 100;
const ROW_HEIGHT = 60;
const ORDERS: { id: Order; label: ReturnType<typeof msg> }[] = [
  { id: 'last_contact', label: msg`Last contact` },
  { id: 'next_appointment', label: msg`Next appointment` },
  { id: 'status', label: msg`Status` },
  { id: 'created', label: msg`Newest first` },
  { id: 'name', label: msg`Name (A–Z, for a caseload or a tag)` },
];
const SEARCH_KEYS: { id: SearchKey; label: ReturnType<typeof msg> }[] = [
  { id: 'name', label: msg`Name` },
  { id: 'phone', label: msg`Phone` },
  { id: 'email', label: msg`E-mail` },
  { id: 'identifier', label: msg`Identifier (scheme:value)` },
];

/**
 * Clients: the list ordered by metadata (names are sealed), filtered by status and tag, and a search by
 * name, phone, e-mail or identifier whose term travels in a request body. Each page of names shown is
 * one audited read on the server; a page is fetched only when the person opens the list, changes a
 * filter or scrolls to its end — never speculatively.
 */
export function ClientsPage() {
  const { _, i18n } = useLingui();
  const can = useCan();
  const me = useMe();
  const navigate = useNavigate();
  const [status, setStatus] = useState<Status | 'any'>('any');
  const [tag, setTag] = useState<string>('any');
  const [order, setOrder] = useState<Order>('last_contact');
  const [caseload, setCaseload] = useState<string>('any');
  const [contact, setContact] = useState<Contact>('any');
  const [searchKey, setSearchKey] = useState<SearchKey>('name');
  const [term, setTerm] = useState('');
  const privacy = useSyncExternalStore(subscribePrivacy, isPrivacyOn);
  const [creating, setCreating] = useState(false);
  const [breakGlass, setBreakGlass] = useState(false);
  const [duplicates, setDuplicates] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // Each search, and the way back to the list, is a new set of rows: the selection starts again.
  const [searchedAt, setSearchedAt] = useState(0);
  const selectable = can('client.update') || can('client.caseload');

  const tags = useQuery({ queryKey: ['tags'], queryFn: () => data(api.GET('/api/v1/tags')) });
  // Whose caseload: for those who reach the whole organisation (a practitioner's list is their caseload already).
  const wholeOrg = !me.caseload_bound;
  const directory = useQuery({ queryKey: ['staff-directory'], queryFn: () => data(api.GET('/api/v1/staff/directory')), enabled: wholeOrg && can('staff.directory') });
  const list = useInfiniteQuery({
    queryKey: ['clients', 'list', order, status, tag, caseload, contact],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      data(api.GET('/api/v1/clients', { params: { query: { limit: PAGE, order, ...(status !== 'any' ? { status } : {}), ...(tag !== 'any' ? { tag } : {}), ...(caseload !== 'any' ? { caseload } : {}), ...contactBounds(contact), ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (last) => last.next ?? undefined,
    gcTime: 0,
  });
  // A new list is a new selection: nothing stays selected that is no longer shown.
  const listKey = `${order}|${status}|${tag}|${caseload}|${contact}|${searchedAt}`;
  const [shownKey, setShownKey] = useState(listKey);
  if (shownKey !== listKey) {
    setShownKey(listKey);
    setSelected(new Set());
  }
  const search = useMutation({
    mutationFn: (body: { key: SearchKey; term: string }) => data(api.POST('/api/v1/clients/search', { body: { [body.key]: body.term, limit: 200 } })),
  });
  const searching = search.data !== undefined || search.isPending;
  // A search result is a bounded set, already decrypted: it is shown in alphabetical order.
  const collator = new Intl.Collator(i18n.locale, { sensitivity: 'base' });
  const rows: Listed[] = searching ? [...(search.data?.clients ?? [])].sort((a, b) => collator.compare(displayName(a), displayName(b))) : (list.data?.pages.flatMap((p) => p.clients) ?? []);

  return (
    <section aria-labelledby="clients-title">
      <div className="page-head">
        <h1 id="clients-title"><Trans>Clients</Trans></h1>
        <span className="spacer" />
        <Switch className="switch" isSelected={privacy} onChange={(on) => applyPrivacy(on, true)}>
          <span className="switch-track" aria-hidden="true"><span className="switch-thumb" /></span>
          <Trans>Privacy mode</Trans>
        </Switch>
        {can('client.merge') ? <Button variant="quiet" onPress={() => setDuplicates(true)}><Trans>Duplicates</Trans></Button> : null}
        {can('client.break_glass') ? <Button variant="quiet" onPress={() => setBreakGlass(true)}><Trans>Emergency access</Trans></Button> : null}
        {can('client.create') ? <Link to="/import" className="button button-quiet"><Trans>Import</Trans></Link> : null}
        {can('client.export') ? <Link to="/export" className="button button-quiet"><Trans>Export</Trans></Link> : null}
        {can('client.create') ? <Button onPress={() => setCreating(true)}><Trans>New client</Trans></Button> : null}
      </div>

      <Form
        className="form inline search-form"
        role="search"
        aria-label={_(msg`Find a client`)}
        validationBehavior="aria"
        onSubmit={(e) => {
          e.preventDefault();
          if (term.trim()) {
            setSearchedAt(Date.now());
            search.mutate({ key: searchKey, term: term.trim() });
          }
        }}
      >
        <Select name="by" label={<Trans>Find by</Trans>} options={SEARCH_KEYS.map((k) => ({ id: k.id, label: _(k.label) }))} value={searchKey} onChange={setSearchKey} />
        <Field name="term" label={<Trans>Search</Trans>} value={term} onChange={setTerm} autoComplete="off" description={searchKey === 'name' ? <Trans>Whole words of the name, in any order.</Trans> : searchKey === 'identifier' ? <Trans>For example nhs:9434765919.</Trans> : <Trans>The exact value.</Trans>} />
        <Button type="submit" isDisabled={search.isPending}><Trans>Find</Trans></Button>
        {searching ? <Button variant="quiet" onPress={() => { search.reset(); setTerm(''); setSearchedAt(Date.now()); }}><Trans>Back to the list</Trans></Button> : null}
      </Form>

      {!searching ? (
        <div className="filters" role="group" aria-label={_(msg`Filters`)}>
          <Select name="order" label={<Trans>Order</Trans>} options={ORDERS.map((o) => ({ id: o.id, label: _(o.label) }))} value={order} onChange={setOrder} />
          <Select name="status" label={<Trans>Status</Trans>} options={[{ id: 'any' as const, label: _(msg`Any status`) }, ...STATUSES.map((s) => ({ id: s, label: _(STATUS_TEXT[s]) }))]} value={status} onChange={setStatus} />
          <Select name="tag" label={<Trans>Tag</Trans>} options={[{ id: 'any', label: _(msg`Any tag`) }, ...(tags.data?.tags ?? []).map((t) => ({ id: t.id, label: t.name }))]} value={tag} onChange={setTag} />
          <Select name="contact" label={<Trans>Last contact</Trans>} options={CONTACT.map((c) => ({ id: c.id, label: _(c.label) }))} value={contact} onChange={setContact} />
          {wholeOrg && (directory.data?.people.length ?? 0) > 0 ? <Select name="caseload" label={<Trans>Caseload</Trans>} options={[{ id: 'any', label: _(msg`Everyone's clients`) }, ...(directory.data?.people ?? []).map((p) => ({ id: p.id, label: p.email }))]} value={caseload} onChange={setCaseload} /> : null}
        </div>
      ) : null}

      <Alert>{list.isError && !searching ? _(errorMessage(list.error, { LIST_TOO_LARGE_TO_SORT: msg`There are too many clients to sort by name here. Choose a caseload, a tag or a status first, or sort by last contact.` })) : search.isError ? _(errorMessage(search.error, { FORBIDDEN: msg`Your role may not search by this field. Choose another way to find the client.` })) : null}</Alert>

      {searching ? (
        <p className="muted" aria-live="polite">{search.isPending ? <Trans>Searching…</Trans> : <Trans>{rows.length} found.</Trans>}</p>
      ) : list.isPending ? (
        <p className="muted" aria-busy="true"><Trans>Loading clients…</Trans></p>
      ) : null}

      {(searching ? search.data : list.data) && rows.length === 0 ? (
        <div className="panel empty">
          {searching ? <p><Trans>No client matches. Check the spelling, or search by phone or e-mail instead.</Trans></p> : status !== 'any' || tag !== 'any' || contact !== 'any' || caseload !== 'any' ? <p><Trans>No client matches these filters.</Trans></p> : <p><Trans>No clients yet.</Trans> {can('client.create') ? <Trans>Add the first with “New client”.</Trans> : null}</p>}
        </div>
      ) : rows.length > 0 ? (
        <>
          {selectable ? (
            <div className="select-all">
              <label>
                <input type="checkbox" checked={rows.length > 0 && rows.every((r) => selected.has(r.id))} onChange={(e) => setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())} />{' '}
                <Trans>Select all {rows.length} shown</Trans>
              </label>
            </div>
          ) : null}
          {selected.size > 0 ? <BulkBar selected={[...selected]} onDone={() => setSelected(new Set())} /> : null}
          <VirtualRows selectable={selectable} selected={selected} onSelect={(id, on) => setSelected((prev) => { const next = new Set(prev); if (on) next.add(id); else next.delete(id); return next; })} rows={rows} hasMore={!searching && list.hasNextPage} loadMore={() => { if (!list.isFetchingNextPage) void list.fetchNextPage(); }} loadingMore={list.isFetchingNextPage} />
        </>
      ) : null}

      {duplicates ? <DuplicatesDialog onClose={() => setDuplicates(false)} /> : null}
      {breakGlass ? <BreakGlassDialog onClose={() => setBreakGlass(false)} /> : null}
      {creating ? <NewClientDialog onClose={() => setCreating(false)} onCreated={(id) => { setCreating(false); void navigate({ to: '/clients/$clientId', params: { clientId: id } }); }} /> : null}
    </section>
  );
}

/** The rows, virtualised: only those in view are in the page, so 100,000 scroll as smoothly as 10. */
function VirtualRows({ rows, hasMore, loadMore, loadingMore, selectable, selected, onSelect }: { rows: Listed[]; hasMore: boolean; loadMore: () => void; loadingMore: boolean; selectable: boolean; selected: ReadonlySet<string>; onSelect: (id: string, on: boolean) => void }) {
  const { _, i18n } = useLingui();
  const dayFormat = new Intl.DateTimeFormat(i18n.locale === 'de' ? 'de-DE' : 'en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
  const date = (iso: string) => dayFormat.format(new Date(iso));
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const items = virtual.getVirtualItems();
  const last = items.at(-1)?.index ?? 0;
  // The next page is read when the person has scrolled to the end of the rows already shown.
  useEffect(() => {
    if (hasMore && last >= rows.length - 1) loadMore();
  }, [hasMore, last, rows.length, loadMore]);
  return (
    <div ref={scroller} className="client-scroller" data-testid="client-list" tabIndex={-1}>
      <div role="list" aria-label={_(msg`Clients`)} aria-busy={loadingMore} className="client-rows" style={{ height: virtual.getTotalSize() }}>
        {items.map((item) => {
          const c = rows[item.index]!;
          return (
            <div key={c.id} role="listitem" aria-setsize={hasMore ? -1 : rows.length} aria-posinset={item.index + 1} className="client-row" style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}>
              {selectable ? <input type="checkbox" className="row-check" checked={selected.has(c.id)} onChange={(e) => onSelect(c.id, e.target.checked)} aria-label={_(msg`Select ${displayName(c)}`)} /> : null}
              <Link to="/clients/$clientId" params={{ clientId: c.id }} className="client-link">
                <span className="client-name pii">{displayName(c)}</span>
                {c.fields.preferred_name && c.fields.name ? <span className="muted pii client-sub">{c.fields.name}</span> : null}
              </Link>
              <span className="badge">{_(STATUS_TEXT[c.status])}</span>
              <span className="client-dates muted">{c.next_appointment_at ? <Trans>Next {date(c.next_appointment_at)}</Trans> : c.last_contact_at ? <Trans>Last {date(c.last_contact_at)}</Trans> : <Trans>No contact yet</Trans>}</span>
              <span className="client-contact pii muted">{c.fields.phone ?? c.fields.email ?? ''}</span>
              <span className="client-tags">{(c.tags ?? []).map((t) => <span key={t.id} className={t.sensitive ? 'tag tag-sensitive' : 'tag'}>{t.name}</span>)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
