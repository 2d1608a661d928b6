import { useMemo, useRef, useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { ToggleButton } from 'react-aria-components';
import { useQuery } from '@tanstack/react-query';
import { api, data } from '../api/client';
import { errorMessage } from '../api/errors';
import { useCan, useMe } from '../app/session';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Dialog } from '../ui/Dialog';
import { Field } from '../ui/Field';
import { Select } from '../ui/Select';
import { AppointmentForm } from './AppointmentForm';
import { activityChangeError, isClash, useActivityChange } from '../today/ActivityForms';
import { AppointmentDetails } from './AppointmentDetails';
import { type Entry, viewerZone } from './entries';
import { type Wall, addDays, browserZone, dateKey, instantOf, mondayOf, parseDateKey, startOfDay, wallAt } from './zoned';

type View = 'day' | 'week';
type Person = { id: string; email: string; role: string };

/** Pixels per hour of the day grid, and the hours shown unless an appointment falls outside them. */
const HOUR_PX = 56;
const FIRST_HOUR = 7;
const LAST_HOUR = 20;
const EVERYONE = 'everyone';

/**
 * The calendar: a day or a week of appointments, one practitioner's or the whole practice's, laid out
 * on the viewer's clock. Whose each appointment is shows only as far as the viewer may read (the
 * server sends a first name or nothing: "Busy"). A click on an empty part of a day books there; the
 * "Book an appointment" button does the same from the keyboard. An appointment opens its details:
 * attended or missed once it has started, moved or cancelled (this one or the following ones).
 * Read when the screen opens and after each change, never in the background.
 */
export function CalendarPage() {
  const { _, i18n } = useLingui();
  const me = useMe();
  const can = useCan();
  const zone = viewerZone(me);
  const narrow = typeof window !== 'undefined' && window.matchMedia('(max-width: 640px)').matches;
  const [view, setView] = useState<View>(narrow ? 'day' : 'week');
  const [anchor, setAnchor] = useState<Wall>(() => startOfDay(wallAt(Date.now(), zone)));
  const directory = useQuery({ queryKey: ['staff-directory'], queryFn: () => data(api.GET('/api/v1/staff/directory')), enabled: can('staff.directory') });
  const people: Person[] = directory.data?.people ?? [];
  const [who, setWho] = useState<string>('');
  const whose = who || (people.some((p) => p.id === me.user_id) ? me.user_id : EVERYONE);
  const [opened, setOpened] = useState<string | null>(null);
  const [booking, setBooking] = useState<{ start: Wall; practitionerId?: string } | null>(null);

  const first = view === 'week' ? mondayOf(anchor) : anchor;
  const days = Array.from({ length: view === 'week' ? 7 : 1 }, (_, k) => addDays(first, k));
  const from = new Date(instantOf(first, zone)).toISOString();
  const to = new Date(instantOf(addDays(first, days.length), zone)).toISOString();
  const assignee = whose === EVERYONE ? undefined : whose;
  const calendar = useQuery({
    queryKey: ['calendar', from, to, assignee ?? EVERYONE],
    queryFn: () => data(api.GET('/api/v1/calendar', { params: { query: { from, to, ...(assignee ? { assignee_id: assignee } : {}) } } })),
    gcTime: 0,
    enabled: !can('staff.directory') || directory.isFetched,
  });
  const entries = calendar.data?.entries ?? [];
  const openedEntry = entries.find((e) => e.activity_id === opened) ?? null;

  const dayFormat = useMemo(() => new Intl.DateTimeFormat(i18n.locale === 'de' ? 'de-DE' : 'en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }), [i18n.locale]);
  const longFormat = useMemo(() => new Intl.DateTimeFormat(i18n.locale === 'de' ? 'de-DE' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }), [i18n.locale]);
  const label = (wall: Wall, format: Intl.DateTimeFormat) => format.format(new Date(Date.UTC(wall.y, wall.m - 1, wall.d)));
  const rangeFormat = useMemo(() => new Intl.DateTimeFormat(i18n.locale === 'de' ? 'de-DE' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }), [i18n.locale]);
  const title = view === 'day' ? label(first, longFormat) : rangeFormat.formatRange(new Date(Date.UTC(first.y, first.m - 1, first.d)), new Date(Date.UTC(days[6]!.y, days[6]!.m - 1, days[6]!.d)));
  const email = (id: string | null) => people.find((p) => p.id === id)?.email ?? null;
  const rooms = useQuery({ queryKey: ['rooms'], queryFn: () => data(api.GET('/api/v1/rooms')), enabled: can('staff.directory') });
  const roomName = (id: string | null) => rooms.data?.rooms.find((r) => r.id === id)?.name ?? null;

  // Columns: the days of the week, or on a day with everyone, one per practitioner.
  const columns: { key: string; title: string; day: Wall; practitionerId?: string; items: Entry[] }[] =
    view === 'day' && whose === EVERYONE && people.length > 0
      ? [
          ...people.map((p) => ({ key: p.id, title: p.id === me.user_id ? _(msg`Me`) : p.email, day: first, practitionerId: p.id, items: entries.filter((e) => e.assignee_id === p.id) })),
          ...(entries.some((e) => !people.some((p) => p.id === e.assignee_id)) ? [{ key: 'others', title: _(msg`Others`), day: first, items: entries.filter((e) => !people.some((p) => p.id === e.assignee_id)) }] : []),
        ]
      : days.map((day) => ({ key: dateKey(day), title: label(day, view === 'day' ? longFormat : dayFormat), day, ...(assignee ? { practitionerId: assignee } : {}), items: entries.filter((e) => dateKey(wallAt(Date.parse(e.at), zone)) === dateKey(day)) }));

  const hours = hourRange(entries, zone);

  // Drag to move (a mouse on a booked appointment of a client one may change): by quarter hours, and
  // in the week from one day to another. The same change as Move, clash warning and override included.
  const move = useActivityChange();
  const [drag, setDrag] = useState<{ id: string; dx: number; dy: number; moved: boolean } | null>(null);
  const dragged = useRef(false);
  const [dropped, setDropped] = useState<{ id: string; at: string } | null>(null);
  const startDrag = (event: React.PointerEvent<HTMLLIElement>, entry: Entry, day: Wall) => {
    if (event.pointerType !== 'mouse' || event.button !== 0 || entry.status !== 'booked' || entry.client === null || !can('client.update')) return;
    const origin = { x: event.clientX, y: event.clientY };
    const columnWidth = (event.currentTarget.closest('.calendar-col') as HTMLElement | null)?.getBoundingClientRect().width ?? 1;
    let last = { dx: 0, dy: 0 };
    const onMove = (e: PointerEvent) => {
      last = { dx: e.clientX - origin.x, dy: e.clientY - origin.y };
      const moved = Math.abs(last.dx) > 4 || Math.abs(last.dy) > 4;
      // Set before the button's own pointerup: a drag is not a press that opens the details.
      if (moved) dragged.current = true;
      setDrag({ id: entry.activity_id, ...last, moved });
    };
    const onUp = () => {
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
      setDrag(null);
      setTimeout(() => (dragged.current = false), 0);
      if (Math.abs(last.dx) <= 4 && Math.abs(last.dy) <= 4) return;
      const minutes = Math.round(((last.dy / HOUR_PX) * 60) / 15) * 15;
      const days = view === 'week' ? Math.round(last.dx / columnWidth) : 0;
      const start = wallAt(Date.parse(entry.at), zone);
      const target = addDays({ ...day, h: 0, min: 0 }, days);
      const total = start.h * 60 + start.min + minutes;
      if (minutes === 0 && days === 0) return;
      if (total < 0 || total >= 24 * 60) return;
      const at = new Date(instantOf({ ...target, h: Math.floor(total / 60), min: total % 60 }, zone)).toISOString();
      setDropped({ id: entry.activity_id, at });
      move.mutate({ id: entry.activity_id, at }, { onSuccess: () => setDropped(null) });
    };
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
  };
  const today = dateKey(wallAt(Date.now(), zone));
  const step = (sign: 1 | -1) => setAnchor(addDays(anchor, sign * (view === 'week' ? 7 : 1)));

  return (
    <div className="calendar-page">
      <div className="calendar-head">
        <h1><Trans>Calendar</Trans></h1>
        {can('client.update') ? <Button onPress={() => setBooking({ start: nextSlot(anchor, zone), ...(assignee ? { practitionerId: assignee } : {}) })}><Trans>Book an appointment</Trans></Button> : null}
      </div>
      <div className="calendar-toolbar" role="toolbar" aria-label={_(msg`Calendar view`)}>
        <div className="segmented">
          <ToggleButton className="button button-quiet" isSelected={view === 'day'} onChange={() => setView('day')}><Trans>Day</Trans></ToggleButton>
          <ToggleButton className="button button-quiet" isSelected={view === 'week'} onChange={() => setView('week')}><Trans>Week</Trans></ToggleButton>
        </div>
        <div className="segmented">
          <Button variant="quiet" onPress={() => step(-1)} aria-label={view === 'week' ? _(msg`Previous week`) : _(msg`Previous day`)}>‹</Button>
          <Button variant="quiet" onPress={() => setAnchor(startOfDay(wallAt(Date.now(), zone)))}><Trans>Today</Trans></Button>
          <Button variant="quiet" onPress={() => step(1)} aria-label={view === 'week' ? _(msg`Next week`) : _(msg`Next day`)}>›</Button>
        </div>
        <Field name="go-to" type="date" label={<Trans>Go to date</Trans>} value={dateKey(anchor)} onChange={(value) => { const day = parseDateKey(value); if (day) setAnchor(day); }} />
        {people.length > 0 ? (
          <Select name="whose" label={<Trans>Whose</Trans>} options={[{ id: EVERYONE, label: _(msg`The whole practice`) }, ...people.map((p) => ({ id: p.id, label: p.id === me.user_id ? _(msg`Mine (${p.email})`) : p.email }))]} value={whose} onChange={setWho} />
        ) : null}
      </div>
      <h2 className="calendar-title" aria-live="polite">{title}</h2>
      {zone !== browserZone() ? <p className="muted"><Trans>Times are on the clock of {zone}.</Trans></p> : null}
      <Alert>{calendar.isError ? _(errorMessage(calendar.error)) : move.isError ? _(activityChangeError(move.error)) : null}</Alert>
      {dropped && isClash(move.error) ? (
        <div className="actions">
          <Button variant="quiet" isDisabled={move.isPending} onPress={() => move.mutate({ id: dropped.id, at: dropped.at, allow_clash: true }, { onSuccess: () => setDropped(null) })}><Trans>Move it anyway</Trans></Button>
          <Button variant="quiet" onPress={() => { setDropped(null); move.reset(); }}><Trans>Leave it where it was</Trans></Button>
        </div>
      ) : null}
      {calendar.data?.truncated ? <p className="notice"><Trans>More appointments fall in this week than one view shows: look at one practitioner or one day.</Trans></p> : null}
      <div className="calendar-scroll" aria-busy={calendar.isPending}>
        <div className={`calendar-grid cols-${Math.min(columns.length, 8)}`}>
          <div className="calendar-hours" aria-hidden="true">
            <div className="calendar-col-title" />
            {hours.map((h) => <div key={h} className="calendar-hour">{String(h).padStart(2, '0')}:00</div>)}
          </div>
          {columns.map((column) => (
            <section key={column.key} className={`calendar-col${dateKey(column.day) === today && view === 'week' ? ' is-today' : ''}`} aria-label={column.title}>
              <h3 className="calendar-col-title">{column.title}</h3>
              <div
                className="calendar-body"
                style={{ height: hours.length * HOUR_PX }}
                onClick={(event) => {
                  // A drop after a drag is no click on the empty day.
                  if (!can('client.update') || event.target !== event.currentTarget || dragged.current) return;
                  const y = event.clientY - event.currentTarget.getBoundingClientRect().top;
                  const minutes = Math.floor((y / HOUR_PX) * 2) * 30 + hours[0]! * 60;
                  setBooking({ start: { ...column.day, h: Math.floor(minutes / 60), min: minutes % 60 }, ...(column.practitionerId ? { practitionerId: column.practitionerId } : {}) });
                }}
              >
                {column.items.length === 0 ? <p className="visually-hidden"><Trans>No appointments.</Trans></p> : null}
                <ol className="calendar-entries">
                  {layout(column.items, zone).map(({ entry, lane, lanes, top, height }) => (
                    <li
                      key={entry.activity_id}
                      className={`calendar-slot${drag?.id === entry.activity_id && drag.moved ? ' is-dragged' : ''}`}
                      style={{ top: (top - hours[0]! * 60) * (HOUR_PX / 60), height: Math.max(height * (HOUR_PX / 60), 22), left: `${(lane / lanes) * 100}%`, width: `${100 / lanes}%`, ...(drag?.id === entry.activity_id && drag.moved ? { transform: `translate(${drag.dx}px, ${drag.dy}px)` } : {}) }}
                      // Capture: the button's press handling stops the pointer event from reaching the row.
                      onPointerDownCapture={(event) => startDrag(event, entry, column.day)}
                    >
                      <EntryButton entry={entry} zone={zone} practitioner={whose === EVERYONE && view === 'week' ? email(entry.assignee_id) : null} room={roomName(entry.room_id)} onPress={() => { if (!dragged.current) setOpened(entry.activity_id); }} />
                    </li>
                  ))}
                </ol>
              </div>
            </section>
          ))}
        </div>
      </div>
      <Dialog title={<Trans>Book an appointment</Trans>} isOpen={booking !== null} onOpenChange={(open) => !open && setBooking(null)}>
        {booking ? <AppointmentForm start={booking.start} zone={zone} {...(booking.practitionerId ? { practitionerId: booking.practitionerId } : {})} onDone={() => setBooking(null)} /> : null}
      </Dialog>
      <Dialog title={<Trans>Appointment</Trans>} isOpen={openedEntry !== null} onOpenChange={(open) => !open && setOpened(null)}>
        {openedEntry ? <AppointmentDetails entry={openedEntry} zone={zone} practitioner={email(openedEntry.assignee_id)} room={roomName(openedEntry.room_id)} onClose={() => setOpened(null)} /> : null}
      </Dialog>
    </div>
  );
}

const STATUS_MARK: Record<string, string> = { attended: '✓', no_show: '✗', cancelled: '⊘' };

/** One appointment on the grid: its time, whose (or "Busy"), its status; opens its details. */
function EntryButton({ entry, zone, practitioner, room, onPress }: { entry: Entry; zone: string; practitioner: string | null; room: string | null; onPress: () => void }) {
  const { _ } = useLingui();
  const start = wallAt(Date.parse(entry.at), zone);
  const time = `${String(start.h).padStart(2, '0')}:${String(start.min).padStart(2, '0')}`;
  const who = entry.client ? entry.client.first_name : _(msg`Busy`);
  const status = entry.status === 'attended' ? _(msg`attended`) : entry.status === 'no_show' ? _(msg`did not come`) : entry.status === 'cancelled' ? _(msg`cancelled`) : '';
  const prefix = practitioner?.split('@')[0];
  // The name starts with the visible text (axe: label and content match), then spells out the marks.
  const name = [`${time} ${who}${prefix ? ` ${prefix}` : ''}${room ? ` ${room}` : ''}`, status, entry.series_id ? _(msg`part of a series`) : ''].filter(Boolean).join(', ');
  return (
    <Button variant="quiet" className={`calendar-entry status-${entry.status}${entry.client ? '' : ' is-busy'}`} onPress={onPress} aria-label={name}>
      <span className="calendar-entry-time">{time}</span> <span className={entry.client ? 'pii' : ''}>{who}</span>
      {STATUS_MARK[entry.status] ? <span aria-hidden="true"> {STATUS_MARK[entry.status]}</span> : null}
      {entry.series_id ? <span aria-hidden="true"> ↻</span> : null}
      {prefix ? <span className="calendar-entry-who"> {prefix}</span> : null}
      {room ? <span className="calendar-entry-who"> {room}</span> : null}
    </Button>
  );
}

/** The hours the grid shows: the working day, widened to every appointment in view. */
function hourRange(entries: readonly Entry[], zone: string): number[] {
  let first = FIRST_HOUR;
  let last = LAST_HOUR;
  for (const e of entries) {
    const start = wallAt(Date.parse(e.at), zone);
    const end = wallAt(Date.parse(e.at) + (e.duration_min ?? 30) * 60_000, zone);
    first = Math.min(first, start.h);
    last = Math.max(last, end.h + (end.min > 0 ? 1 : 0), start.h + 1);
  }
  return Array.from({ length: Math.min(last, 24) - first }, (_, k) => first + k);
}

/**
 * Places a column's appointments: minutes from midnight and length, and side by side where they
 * overlap (an override of a clash, or several practitioners in one day): each gets a lane of its
 * group of overlapping appointments.
 */
function layout(entries: readonly Entry[], zone: string): { entry: Entry; lane: number; lanes: number; top: number; height: number }[] {
  const placed = [...entries]
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((entry) => {
      const start = wallAt(Date.parse(entry.at), zone);
      const top = start.h * 60 + start.min;
      return { entry, top, height: entry.duration_min ?? 30, lane: 0, lanes: 1 };
    });
  let group: typeof placed = [];
  let groupEnd = -1;
  const close = () => {
    const lanes = Math.max(1, ...group.map((p) => p.lane + 1));
    for (const p of group) p.lanes = lanes;
    group = [];
  };
  for (const p of placed) {
    if (p.top >= groupEnd) close();
    const ends = group.map((g) => g.top + g.height);
    let lane = 0;
    while (group.some((g, k) => g.lane === lane && ends[k]! > p.top)) lane++;
    p.lane = lane;
    group.push(p);
    groupEnd = Math.max(groupEnd, p.top + p.height);
  }
  close();
  return placed;
}

/** The next half hour from now on the anchor's day (9:00 on another day), for a new booking. */
function nextSlot(anchor: Wall, zone: string): Wall {
  const now = wallAt(Date.now(), zone);
  if (dateKey(now) !== dateKey(anchor)) return { ...anchor, h: 9, min: 0 };
  const minutes = Math.min(Math.ceil((now.h * 60 + now.min) / 30) * 30, 23 * 60 + 30);
  return { ...anchor, h: Math.floor(minutes / 60), min: minutes % 60 };
}
