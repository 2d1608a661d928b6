import { useEffect, useMemo, useRef, useState } from 'react';
import { useLingui } from '@lingui/react';
import { Plural, Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { Link } from '@tanstack/react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { ApiError, api, data, type paths } from '../api/client';
import { errorMessage } from '../api/errors';
import { type FormField, fieldLabel } from '../clients/fields';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Select } from '../ui/Select';
import { saveFile } from '../ui/save-file';
import { type CsvHead, type CsvText, NotUtf8, firstRecord, fromWindows1252, parseCsvHead, readCsvText } from './csv-head';
import { isOldExcel, isXlsx, readXlsxAsCsv } from './spreadsheet';
import { type Target, columnTargets, targetsOf } from './targets';
import { type ReviewReason, type RowError, reviewText, rowReasonText } from './reasons';
import { type DateOrder, guessDateOrder } from './dates';
import { distinctWords, guessStatus } from './statuses';
import { STATUSES, STATUS_TEXT, type Status } from '../clients/fields';

/** Rows of the file's first part read for the status column's words, and the most words shown. */
const STATUS_SAMPLE_ROWS = 5000;
const MAX_STATUS_WORDS = 20;

type Delimiter = ',' | ';' | '\t';

/** The server's own sentence for a refusal (it names the column, never a value), below the page's own words. */
const detailOf = (error: unknown): string => (error instanceof ApiError ? error.detail : '');
const DELIMITER_NAME = { ',': 'comma', ';': 'semicolon', '\t': 'tab' } as const;

type Report = paths['/api/v1/imports']['post']['responses'][201]['content']['application/json'];
/** What happens to rows that look like existing clients (the server's duplicates= choice). */
type Duplicates = 'skip' | 'attach' | 'import';

const IMPORT_ERRORS = {
  VALIDATION_FAILED: msg`The file or the mapping was refused: the message below names the column. Change the mapping (or the file) and check again.`,
  FORBIDDEN: msg`Your role may not write one of the mapped fields. Map that column to “Leave out” and check again.`,
};

/**
 * The import wizard: a CSV chosen in the browser, a mapping proposed from its header row (the data
 * map's names, labels and common synonyms), each column mapped or left out explicitly, a preview of
 * the first rows as they would be imported, a check (a dry run: row errors by number and reason,
 * never values, downloadable) and then the import. Columns mapped to a field the person's role may not
 * write are refused here, before anything is uploaded.
 */
export function ImportPage() {
  const { _ } = useLingui();
  const fields = useQuery({ queryKey: ['client-fields'], queryFn: () => data(api.GET('/api/v1/clients/fields')) });
  const [file, setFile] = useState<File | null>(null);
  const [head, setHead] = useState<CsvHead | null>(null);
  const [unreadable, setUnreadable] = useState(false);
  // An .xlsx being read into CSV, or why a spreadsheet was not taken (an old .xls, or an unreadable one).
  const [readingSheet, setReadingSheet] = useState(false);
  const [sheetProblem, setSheetProblem] = useState<'old-xls' | 'unreadable' | null>(null);
  const [transcoded, setTranscoded] = useState(false);
  // How the file separates its columns: as the server found it in the header line, or as the person chose.
  const [delimiter, setDelimiter] = useState<Delimiter>(',');
  const [headText, setHeadText] = useState('');
  // The first rows do not split with this separator (a quote inside a cell): another is needed.
  const [splitFailed, setSplitFailed] = useState(false);
  // What the status column's words mean, as the person chose (others as guessed).
  const [statusChosen, setStatusChosen] = useState<Record<string, Status>>({});
  // How the file writes dates: proposed from its first rows, changed by the person (null: as proposed).
  const [dateOrderChosen, setDateOrder] = useState<DateOrder | null>(null);
  // Counts choices, so a spreadsheet still being read when another file is chosen is dropped.
  const choice = useRef(0);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [review, setReview] = useState<Record<string, string>>({});
  const [reasons, setReasons] = useState<Record<string, ReviewReason>>({});
  // The columns the proposal asked about that the person has decided on (mapped, or left out on purpose).
  const [decided, setDecided] = useState<ReadonlySet<string>>(new Set());
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const [unwritable, setUnwritable] = useState<readonly string[]>([]);
  const [duplicates, setDuplicates] = useState<Duplicates>('skip');
  // The file was a workbook, read into CSV here: it has no separator to choose.
  const [fromSheet, setFromSheet] = useState(false);
  const [importId, setImportId] = useState<string | null>(null);
  // An import still running (this page was reloaded, or left and opened again) is picked up where it is.
  const running = useQuery({ queryKey: ['imports-running'], queryFn: () => data(api.GET('/api/v1/imports', { params: { query: { state: 'running' } } })), gcTime: 0 });
  const current = importId ?? running.data?.imports[0]?.import_id ?? null;
  const progress = useQuery({
    queryKey: ['import', current],
    queryFn: () => data(api.GET('/api/v1/imports/{id}', { params: { path: { id: current! } } })),
    enabled: current !== null,
    gcTime: 0,
    // Progress only (counts, never client data), read every second while the import runs.
    refetchInterval: (query) => (query.state.data?.state === 'running' || query.state.data === undefined ? 1000 : false),
  });
  const propose = useMutation({
    mutationFn: ({ line, delimiter: given }: { line: string; text: string; delimiter?: Delimiter }) =>
      data(api.POST('/api/v1/imports/mapping-proposal', { params: { query: { delimiter: given ? DELIMITER_NAME[given] : 'auto' } }, body: line as never, bodySerializer: (b: unknown) => b as string, headers: { 'content-type': 'text/csv' } })),
    onSuccess: (answer, { text }) => {
      // Cells split by the separator the server found (a semicolon in much of Europe), as the import will split them.
      setHeadText(text);
      setDelimiter(answer.delimiter);
      try {
        setHead(parseCsvHead(text, answer.delimiter));
        setSplitFailed(false);
      } catch {
        setHead(null);
        setSplitFailed(true);
      }
      // A file with the same header row was imported before: its mapping is offered as it was saved.
      const saved = answer.saved && Object.keys(answer.saved.mapping).length === Object.keys(answer.mapping.columns).length ? answer.saved : null;
      setMapping(saved ? saved.mapping : answer.mapping.columns);
      setReview(saved ? {} : answer.mapping.review);
      setReasons(saved ? {} : answer.review_reasons);
      setSavedAt(saved ? saved.updated_at : null);
      setUnwritable(answer.unwritable_fields);
      setDecided(new Set());
    },
  });
  const upload = (dryRun: boolean) =>
    data(
      api.POST('/api/v1/imports', {
        params: { query: { dry_run: dryRun ? 'true' : 'false', name: file!.name, mapping: JSON.stringify(mapping), ...(statusWords.length > 0 ? { status_values: JSON.stringify(statusValues) } : {}), delimiter: DELIMITER_NAME[delimiter], date_order: dateOrder, duplicates: dryRun ? 'import' : duplicates, ...(dryRun ? {} : { background: 'true' as const }) } },
        body: file as never,
        bodySerializer: (b: unknown) => b as File,
        headers: { 'content-type': 'text/csv' },
      }),
    );
  const check = useMutation({ mutationFn: () => upload(true) as Promise<Report> });
  const run = useMutation({ mutationFn: () => upload(false) as Promise<{ import_id: string }>, onSuccess: (started) => setImportId(started.import_id) });

  const formFields: FormField[] = fields.data?.fields ?? [];
  const targets = useMemo(() => targetsOf(formFields, Object.values(mapping), _), [formFields, mapping, _]);
  const refused = Object.entries(mapping).filter(([, target]) => targets.find((t) => t.id === target)?.writable === false || unwritable.includes(target.split('.')[0]!));
  const hasName = Object.values(mapping).includes('name');

  const choose = async (picked: File | null) => {
    const mine = ++choice.current;
    setFile(null);
    setHead(null);
    setUnreadable(false);
    setSheetProblem(null);
    setReadingSheet(false);
    setTranscoded(false);
    setSplitFailed(false);
    setStatusChosen({});
    setDuplicates('skip');
    setFromSheet(false);
    setHeadText('');
    setDelimiter(',');
    setDateOrder(null);
    setImportId(null);
    check.reset();
    run.reset();
    propose.reset();
    if (!picked) return;
    if (isOldExcel(picked)) {
      setSheetProblem('old-xls');
      return;
    }
    let chosen = picked;
    // A spreadsheet becomes the CSV of its first sheet, in this browser; from here on it is a CSV.
    if (isXlsx(picked)) {
      setReadingSheet(true);
      try {
        chosen = await readXlsxAsCsv(picked);
      } catch {
        if (mine === choice.current) setSheetProblem('unreadable');
        return;
      } finally {
        if (mine === choice.current) setReadingSheet(false);
      }
      if (mine !== choice.current) return;
      setFromSheet(true);
    }
    let read: CsvText;
    try {
      read = await readCsvText(chosen);
    } catch (error) {
      if (!(error instanceof NotUtf8)) {
        setUnreadable(true);
        return;
      }
      // Not UTF-8: read as the Windows code page that spreadsheets save "CSV" in, and said so.
      chosen = await fromWindows1252(chosen);
      if (mine !== choice.current) return;
      setTranscoded(true);
      try {
        read = await readCsvText(chosen);
      } catch {
        setUnreadable(true);
        return;
      }
    }
    setFile(chosen);
    setHeadText(read.text);
    propose.mutate({ line: read.headerLine, text: read.text });
  };
  const setTarget = (header: string, target: string) => {
    setMapping({ ...mapping, [header]: target });
    setDecided(new Set([...decided, header]));
    check.reset();
  };
  const undecided = Object.keys(review).filter((header) => !decided.has(header));
  const targetLabel = (target: string) => targets.find((t) => t.id === target)?.label ?? target;
  // The columns that go to a date field, and the order their first values suggest.
  const dateTargets = new Set(formFields.filter((f) => f.kind === 'date').map((f) => (f.custom ? `custom.${f.name}` : f.name)));
  const dateColumns = head ? head.headers.flatMap((h, i) => (dateTargets.has(mapping[h.trim()] ?? '') ? [i] : [])) : [];
  // The status column's words in the first part of the file (never sent; the map of words is).
  const statusColumn = head ? head.headers.findIndex((h) => mapping[h.trim()] === 'status') : -1;
  const statusWords = useMemo(() => {
    if (statusColumn < 0 || headText === '') return [];
    try {
      return distinctWords(parseCsvHead(headText, delimiter, STATUS_SAMPLE_ROWS).rows.map((r) => r[statusColumn] ?? ''));
    } catch {
      return [];
    }
  }, [statusColumn, headText, delimiter]);
  const statusValues = Object.fromEntries(statusWords.map((w) => [w, statusChosen[w] ?? guessStatus(w) ?? 'active']));
  const dateOrder: DateOrder = dateOrderChosen ?? guessDateOrder(head ? dateColumns.flatMap((i) => head.rows.map((r) => r[i] ?? '')) : [], navigator.language);
  // Once an import of this file has started, the mapping and the check stay as they were: shown, not changed.
  const started = current !== null;

  // The separator, shown with the columns (and alone when the first rows do not split with it).
  const delimiterChoice = (
    <div className="import-dates">
      <Select<Delimiter>
        name="delimiter"
        label={<Trans>Columns are separated by</Trans>}
        options={[
          { id: ',', label: _(msg`Commas`) },
          { id: ';', label: _(msg`Semicolons (spreadsheets in much of Europe)`) },
          { id: '\t', label: _(msg`Tabs`) },
        ]}
        value={delimiter}
        onChange={(chosen) => {
          // The mapping belongs to the columns as they were split: it is proposed again for the new ones.
          setDelimiter(chosen);
          check.reset();
          propose.mutate({ line: firstRecord(headText), text: headText, delimiter: chosen });
        }}
      />
    </div>
  );

  return (
    <div className="import-page">
      <div className="page-head">
        <h1><Trans>Import clients</Trans></h1>
        <Link to="/clients" className="button button-quiet"><Trans>Back to clients</Trans></Link>
      </div>
      <section className="panel" aria-labelledby="import-file">
        <h2 id="import-file"><Trans>1. Choose the file</Trans></h2>
        <p className="muted"><Trans>A CSV file or an Excel workbook (.xlsx) with a header row, for example another system's export. Of a workbook, the first sheet is read. It stays in this browser until you check it.</Trans></p>
        <label className="field">
          <span className="field-label"><Trans>CSV file or Excel workbook (.xlsx)</Trans></span>
          <input className="field-input" type="file" accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(event) => void choose(event.currentTarget.files?.[0] ?? null)} />
        </label>
        {readingSheet ? <p role="status" className="muted"><Trans>Reading the spreadsheet…</Trans></p> : null}
        {transcoded ? <p className="notice"><Trans>This file is not in UTF-8, so it is read in the Windows (Western European) encoding that spreadsheets use for “CSV”. Check that names with accents look right in the first values below.</Trans></p> : null}
        {sheetProblem === 'old-xls' ? <Alert><Trans>This is an old Excel file (.xls), which cannot be read here. Open it in your spreadsheet program and save it as .xlsx (Excel 2007 or later) or as CSV (UTF-8), then choose it again.</Trans></Alert> : null}
        {sheetProblem === 'unreadable' ? <Alert><Trans>This spreadsheet could not be read. Save it as .xlsx (Excel 2007 or later) or as CSV (UTF-8), then choose it again.</Trans></Alert> : null}
        {unreadable ? <Alert><Trans>This file has no header row that can be read. Save it as CSV (UTF-8) with the column names in the first row, then choose it again.</Trans></Alert> : null}
        <Alert>{propose.isError ? _(errorMessage(propose.error, IMPORT_ERRORS)) : null}</Alert>
        {propose.isError ? <p className="muted">{detailOf(propose.error)}</p> : null}
        {propose.isError && headText !== '' && !splitFailed ? delimiterChoice : null}
        {splitFailed ? (
          <>
            <Alert><Trans>The first rows cannot be read with this separator (a quote stands inside a cell). Choose the separator the file uses.</Trans></Alert>
            {delimiterChoice}
          </>
        ) : null}
      </section>

      {head && propose.isSuccess ? (
        <section className="panel" aria-labelledby="import-map">
          <h2 id="import-map"><Trans>2. Match the columns</Trans></h2>
          <p className="muted"><Trans>Every column goes to a field or is left out on purpose. Columns marked “check” need your decision.</Trans></p>
          {savedAt ? <p className="notice"><Trans>A file with these columns was imported before: its mapping is used again. Change any column if this file differs.</Trans></p> : null}
          {!hasName ? <Alert><Trans>No column goes to the name yet: every client needs one. Choose the column that holds names.</Trans></Alert> : null}
          {refused.length > 0 ? (
            <Alert>
              <Trans>Your role may not import into: {refused.map(([header]) => header).join(', ')}. Map those columns to “Leave out” before checking.</Trans>
            </Alert>
          ) : null}
          <table className="import-map">
            <thead>
              <tr>
                <th scope="col"><Trans>Column in the file</Trans></th>
                <th scope="col"><Trans>Goes to</Trans></th>
                <th scope="col"><Trans>First values</Trans></th>
              </tr>
            </thead>
            <tbody>
              {head.headers.map((header, i) => (
                <tr key={`${i}-${header}`}>
                  <th scope="row">
                    {header || <span className="muted"><Trans>(no header)</Trans></span>}
                    {review[header.trim()] && !decided.has(header.trim()) ? <span className="badge"><Trans>check</Trans></span> : null}
                    {review[header.trim()] && !decided.has(header.trim()) ? <span className="field-description">{reasons[header.trim()] ? reviewText(reasons[header.trim()]!, targetLabel, _) : review[header.trim()]}</span> : null}
                    {review[header.trim()] && !decided.has(header.trim()) ? (
                      <Button variant="quiet" onPress={() => setDecided(new Set([...decided, header.trim()]))} aria-label={_(msg`Keep column ${header || String(i + 1)} as it is`)}><Trans>Keep as it is</Trans></Button>
                    ) : null}
                  </th>
                  <td>
                    <Select<string> name={`map-${i}`} label={_(msg`Column ${header || String(i + 1)} goes to`)} options={(review[header.trim()] || (mapping[header.trim()] ?? 'ignore') === 'ignore' || (mapping[header.trim()] ?? '').startsWith('identifiers.') ? columnTargets(targets, formFields, header.trim(), _) : targets).map((t: Target) => ({ id: t.id, label: t.label }))} value={mapping[header.trim()] ?? 'ignore'} onChange={(target) => setTarget(header.trim(), target)} />
                  </td>
                  <td className="pii import-sample">{head.rows.map((r) => r[i] ?? '').filter(Boolean).slice(0, 3).join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {fromSheet ? null : delimiterChoice}
          {statusWords.length > 0 ? (
            <fieldset className="import-statuses">
              <legend><Trans>What the status column's words mean</Trans></legend>
              <p className="muted"><Trans>From the first rows of the file. A row with a word not listed here is refused at the check, with its row number.</Trans></p>
              {statusWords.slice(0, MAX_STATUS_WORDS).map((word) => (
                <Select<Status>
                  key={word}
                  name={`status-${word}`}
                  label={word}
                  options={STATUSES.map((s) => ({ id: s, label: _(STATUS_TEXT[s]) }))}
                  value={statusValues[word] as Status}
                  onChange={(status) => {
                    setStatusChosen({ ...statusChosen, [word]: status });
                    check.reset();
                  }}
                />
              ))}
            </fieldset>
          ) : null}
          {dateColumns.length > 0 ? (
            <div className="import-dates">
            <Select<DateOrder>
              name="date-order"
              label={<Trans>How the file writes dates</Trans>}
              description={<Trans>Proposed from the first rows; a date that does not fit is refused with its row number.</Trans>}
              options={[
                { id: 'ymd', label: _(msg`Year first: 1990-04-03`) },
                { id: 'dmy', label: _(msg`Day first: 03.04.1990 or 03/04/1990`) },
                { id: 'mdy', label: _(msg`Month first: 04/03/1990 (as in the US)`) },
              ]}
              value={dateOrder}
              onChange={(order) => {
                setDateOrder(order);
                check.reset();
              }}
            />
            </div>
          ) : null}
          <div className="actions">
            <Button isDisabled={started || !hasName || refused.length > 0 || undecided.length > 0 || check.isPending} onPress={() => check.mutate()}><Trans>Check the file</Trans></Button>
            {undecided.length > 0 ? <span className="muted"><Trans>Decide on the columns marked “check” first ({undecided.length} left).</Trans></span> : null}
            {check.isPending ? <span role="status" className="muted"><Trans>Checking every row…</Trans></span> : null}
          </div>
          <Alert>{check.isError ? _(errorMessage(check.error, IMPORT_ERRORS)) : null}</Alert>
          {check.isError ? <p className="muted">{detailOf(check.error)}</p> : null}
        </section>
      ) : null}

      {check.data ? <CheckReport report={check.data} reasonOf={(e) => rowReasonText(e, mapping, formFields, _, dateOrder)} started={started} duplicates={duplicates} onDuplicates={setDuplicates} onImport={() => run.mutate()} importing={run.isPending} /> : null}
      <Alert>{run.isError ? _(errorMessage(run.error, IMPORT_ERRORS)) : null}</Alert>
      {progress.data ? <ImportProgress status={progress.data} onAnother={() => { setImportId(null); void running.refetch(); void choose(null); }} /> : null}
    </div>
  );
}

/** The check's answer: how many rows would be imported, the refused ones by number and reason (downloadable), and the button to import. */
function CheckReport(props: { report: Report; reasonOf: (error: RowError) => string; started: boolean; duplicates: Duplicates; onDuplicates: (choice: Duplicates) => void; onImport: () => void; importing: boolean }) {
  const { report, reasonOf, started, duplicates, onDuplicates, onImport, importing } = props;
  const { _, i18n } = useLingui();
  const n = (value: number) => i18n.number(value);
  const alike = report.duplicates?.count ?? 0;
  const good = report.rows_total - report.rejected - (duplicates === 'import' ? 0 : alike);
  const cell = (text: string) => `"${text.replace(/"/g, '""')}"`;
  const download = () => {
    // Both numbers: the data row (the header not counted) and the row a spreadsheet shows (header = row 1).
    const lines = [['row', 'spreadsheet_row', 'reason'].join(','), ...report.errors.map((e) => `${e.row},${e.row + 1},${cell(reasonOf(e))}`)];
    saveFile(new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv' }), 'import-errors.csv');
  };
  return (
    <section className="panel" aria-labelledby="import-check">
      <h2 id="import-check"><Trans>3. Check, then import</Trans></h2>
      <p role="status">
        <Plural value={report.rows_total} one="# row read:" other="# rows read:" /> <Trans>{n(good)} ready to import, {n(report.rejected)} refused.</Trans>
      </p>
      {report.ignored_columns.length > 0 ? <p className="muted"><Trans>Left out on purpose: {report.ignored_columns.join(', ')}.</Trans></p> : null}
      {report.errors.length > 0 ? (
        <>
          <table className="import-errors" aria-label={_(msg`Refused rows`)}>
            <thead>
              <tr>
                <th scope="col"><Trans>Row</Trans></th>
                <th scope="col"><Trans>In a spreadsheet</Trans></th>
                <th scope="col"><Trans>Why</Trans></th>
              </tr>
            </thead>
            <tbody>
              {report.errors.slice(0, 50).map((e) => (
                <tr key={e.row}>
                  <td>{e.row}</td>
                  <td>{e.row + 1}</td>
                  <td>{reasonOf(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.errors.length > 50 ? <p className="muted"><Trans>The first 50 are shown; the download has all {report.errors.length}.</Trans></p> : null}
          <Button variant="quiet" onPress={download}><Trans>Download the refused rows (CSV)</Trans></Button>
        </>
      ) : null}
      {report.errors.length > 0 ? <p className="muted"><Trans>Row numbers count data rows (the header row is not counted); in a spreadsheet the same row has the next number, as its row 1 is the header. Refused rows are not imported; fix them in the file and import it again later.</Trans></p> : null}
      {started ? null : (
        <>
      {alike > 0 ? (
        <div className="import-duplicates">
          <p>
            <Plural value={alike} one="# row has the e-mail or phone of a client you already have, or of an earlier row" other="# rows have the e-mail or phone of a client you already have, or of an earlier row" />{' '}
            <Trans>(first rows: {(report.duplicates?.rows ?? []).slice(0, 10).join(', ')}).</Trans>
          </p>
          <Select<Duplicates>
            name="duplicates"
            label={<Trans>Rows that look like existing clients</Trans>}
            options={[
              { id: 'skip', label: _(msg`Skip them`) },
              { id: 'attach', label: _(msg`Add them to the clients they match`) },
              { id: 'import', label: _(msg`Import them anyway, as new clients`) },
            ]}
            value={duplicates}
            onChange={onDuplicates}
          />
          {duplicates === 'attach' ? <p className="muted"><Trans>Each of these rows fills in what the existing client has no value for, and adds its tags. Nothing already recorded is overwritten: where a row differs, the client keeps its value, and you see which fields differed.</Trans></p> : null}
        </div>
      ) : null}
      <Button isDisabled={importing || (good === 0 && (duplicates !== 'attach' || alike === 0))} onPress={onImport}>
        {alike > 0 && duplicates === 'attach' ? <Trans>Import {n(good)} new, add <Plural value={alike} one="# row" other="# rows" /> to existing clients</Trans> : report.rejected > 0 || (alike > 0 && duplicates === 'skip') ? <Plural value={good} one="Import the # good row" other="Import the # good rows" /> : <Plural value={good} one="Import # client" other="Import # clients" />}
      </Button>
        </>
      )}
    </section>
  );
}

type ImportStatus = paths['/api/v1/imports/{id}']['get']['responses'][200]['content']['application/json'];

const STATUS_ERRORS: Record<string, MessageDescriptor> = {
  IMPORT_INTERRUPTED: msg`The import stopped when the server restarted. Choose the same file again and import it: it goes on after the last row that was saved.`,
};

/** A running import's progress (read every second: counts only), and its outcome. Found again after a reload. */
function ImportProgress({ status, onAnother }: { status: ImportStatus; onAnother: () => void }) {
  const { _, i18n } = useLingui();
  // The progress, then the outcome, come below a long check: brought into view when each appears.
  const panel = useRef<HTMLElement>(null);
  // (A block body: Chromium's scrollIntoView returns a promise, which React would take for a cleanup.)
  useEffect(() => {
    void panel.current?.scrollIntoView({ block: 'nearest' });
  }, [status.state]);
  const fields = useQuery({ queryKey: ['client-fields'], queryFn: () => data(api.GET('/api/v1/clients/fields')) });
  // The report names fields as the server does (`email`, `custom.<name>`): shown by their labels.
  const fieldName = (name: string) => {
    const field = fields.data?.fields.find((f) => (f.custom ? `custom.${f.name}` : f.name) === name);
    return field ? fieldLabel(field, _) : name;
  };
  if (status.state === 'running') {
    return (
      <section ref={panel} className="panel" aria-labelledby="import-running">
        <h2 id="import-running"><Trans>Importing {status.source_name}</Trans></h2>
        <div className="import-progress">
          <progress aria-label={_(msg`Import progress`)} max={Math.max(status.rows_total, 1)} value={status.rows_done} />
          <span role="status"><Trans>{i18n.number(status.rows_done)} of {i18n.number(status.rows_total)} rows</Trans></span>
        </div>
        <p className="muted"><Trans>You may leave this page: the import goes on, and this page shows it again when you come back.</Trans></p>
      </section>
    );
  }
  if (status.state === 'failed') {
    return (
      <section ref={panel} className="panel" aria-labelledby="import-failed">
        <h2 id="import-failed"><Trans>The import of {status.source_name} stopped</Trans></h2>
        <Alert>{_(STATUS_ERRORS[status.error_code ?? ''] ?? errorMessage(new ApiError(500, status.error_code ?? 'UNKNOWN', '')))}</Alert>
        <Button variant="quiet" onPress={onAnother}><Trans>Choose a file</Trans></Button>
      </section>
    );
  }
  const report = status.report;
  return (
    <section ref={panel} className="panel" aria-labelledby="import-done">
      <h2 id="import-done"><Trans>Imported</Trans></h2>
      <p role="status">
        <Plural value={report?.imported ?? status.rows_done} one="# client imported;" other="# clients imported;" /> <Plural value={report?.rejected ?? 0} one="# row refused." other="# rows refused." />
      </p>
      {report && report.skipped_duplicates > 0 ? <p className="muted"><Trans>{report.skipped_duplicates} rows were skipped as existing clients.</Trans></p> : null}
      {report && report.attached > 0 ? <p className="muted"><Plural value={report.attached} one="# row matched an existing client" other="# rows matched existing clients" />; <Plural value={report.attached_filled} one="# client gained values it lacked." other="# clients gained values they lacked." /></p> : null}
      {report && report.kept_values.length > 0 ? (
        <p className="muted">
          <Trans>Where a row differed from the existing client, the client kept its value: {report.kept_values.map((k) => `${fieldName(k.field)} (${k.rows})`).join(', ')}. Open those clients to compare if it matters.</Trans>
        </p>
      ) : null}
      <div className="actions">
        <Link to="/clients" className="button button-primary"><Trans>Go to the clients</Trans></Link>
        <Button variant="quiet" onPress={onAnother}><Trans>Import another file</Trans></Button>
      </div>
    </section>
  );
}
