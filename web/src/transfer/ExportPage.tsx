import { useState } from 'react';
import { Form } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { Link } from '@tanstack/react-router';
import { useMutation } from '@tanstack/react-query';
import { ApiError, api } from '../api/client';
import { errorMessage } from '../api/errors';
import { useStepUp } from '../app/StepUp';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { Select } from '../ui/Select';
import { saveFile } from '../ui/save-file';

type Purpose = 'subject_access' | 'portability' | 'migration' | 'backup' | 'legal_request' | 'billing' | 'other';
const PURPOSES: { id: Purpose; label: MessageDescriptor }[] = [
  { id: 'migration', label: msg`Moving to another system or organisation` },
  { id: 'backup', label: msg`A copy for safekeeping` },
  { id: 'subject_access', label: msg`A client asked for their data` },
  { id: 'portability', label: msg`A client asked to take their data elsewhere` },
  { id: 'legal_request', label: msg`A court or authority requires it` },
  { id: 'billing', label: msg`Billing` },
  { id: 'other', label: msg`Another reason` },
];
/** The server's floor for an export passphrase (MIN_PASSPHRASE in src/lifecycle/export). */
const MIN_PASSPHRASE = 12;

/**
 * The export: every client the person may read, with the fields they may read (never notes or
 * session notes, never the audit log), encrypted with `age` under a passphrase they choose, with a
 * purpose kept in the audit log. Then how to open the file with `age` on each system.
 */
export function ExportPage() {
  const { _ } = useLingui();
  const withStepUp = useStepUp();
  const [purpose, setPurpose] = useState<Purpose>('migration');
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [invalid, setInvalid] = useState<'short' | 'mismatch' | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  // The name the file was saved as, once it is (the browser may still rename it).
  const file = saved ?? 'clients-YYYY-MM-DD.csv.age';
  const make = useMutation({
    mutationFn: () =>
      withStepUp(async () => {
        const { data: blob, error, response } = await api.POST('/api/v1/exports/clients', { body: { format: 'csv', passphrase, plaintext: false, purpose }, parseAs: 'blob' });
        if (error !== undefined || !blob) {
          const detail = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
          throw new ApiError(response.status, detail?.code ?? 'UNKNOWN', detail?.message ?? '');
        }
        const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'clients.csv.age';
        saveFile(blob as unknown as Blob, name);
        return name;
      }),
    onSuccess: (name) => {
      setSaved(name);
      setPassphrase('');
      setAgain('');
    },
  });
  return (
    <div className="export-page">
      <div className="page-head">
        <h1><Trans>Export clients</Trans></h1>
        <Link to="/clients" className="button button-quiet"><Trans>Back to clients</Trans></Link>
      </div>
      <section className="panel" aria-labelledby="export-make">
        <h2 id="export-make"><Trans>Make the export</Trans></h2>
        <p className="muted">
          <Trans>The file holds every client you may read, with the fields you may read, their tags, custom fields and caseloads. Notes, session notes and the audit log never leave. The export and its purpose are recorded in the audit log.</Trans>
        </p>
        <Form
          className="form"
          aria-label={_(msg`Make the export`)}
          validationBehavior="aria"
          onSubmit={(event) => {
            event.preventDefault();
            if (passphrase.length < MIN_PASSPHRASE) return setInvalid('short');
            if (passphrase !== again) return setInvalid('mismatch');
            setInvalid(null);
            make.mutate();
          }}
        >
          <Select<Purpose> name="purpose" label={<Trans>Why</Trans>} options={PURPOSES.map((p) => ({ id: p.id, label: _(p.label) }))} value={purpose} onChange={setPurpose} />
          <div className="grid-2">
            <Field name="passphrase" type="password" autoComplete="new-password" label={<Trans>Passphrase for the file</Trans>} description={<Trans>At least {MIN_PASSPHRASE} characters. Keep it apart from the file: whoever has both can read every client in it.</Trans>} value={passphrase} onChange={setPassphrase} isInvalid={invalid === 'short'} errorMessage={_(msg`Choose a passphrase of at least ${MIN_PASSPHRASE} characters.`)} />
            <Field name="passphrase-again" type="password" autoComplete="new-password" label={<Trans>The passphrase again</Trans>} value={again} onChange={setAgain} isInvalid={invalid === 'mismatch'} errorMessage={_(msg`The two passphrases differ. Type the same one twice.`)} />
          </div>
          <Alert>{make.isError ? _(errorMessage(make.error)) : null}</Alert>
          {saved ? <p className="notice" role="status"><Trans>Saved as {saved}. Open it with age as described below.</Trans></p> : null}
          <div className="actions"><Button type="submit" isDisabled={make.isPending}>{make.isPending ? <Trans>Exporting…</Trans> : <Trans>Export and download</Trans>}</Button></div>
        </Form>
      </section>
      <section className="panel" aria-labelledby="export-open">
        <h2 id="export-open"><Trans>Open the file with age</Trans></h2>
        <p className="muted"><Trans>The file is encrypted with age (age-encryption.org), a small free tool. Install it once. Then, in a terminal, go to the folder that holds the file — usually Downloads — and run the command: it asks for the passphrase and writes clients.csv beside the file.</Trans></p>
        <dl className="facts compact">
          <div>
            <dt>Windows</dt>
            <dd><Trans>Install: <code>winget install FiloSottile.age</code> (or <code>scoop install age</code>), then open a new PowerShell window and run:</Trans> <code>cd $HOME\Downloads</code> <code>age -d -o clients.csv {file}</code></dd>
          </div>
          <div>
            <dt>macOS</dt>
            <dd><Trans>Install: <code>brew install age</code>. Then in Terminal:</Trans> <code>cd ~/Downloads</code> <code>age -d -o clients.csv {file}</code></dd>
          </div>
          <div>
            <dt>Linux</dt>
            <dd><Trans>Install: <code>sudo apt install age</code> (Debian, Ubuntu) or <code>sudo dnf install age</code> (Fedora). Then:</Trans> <code>cd ~/Downloads</code> <code>age -d -o clients.csv {file}</code></dd>
          </div>
        </dl>
        <p className="muted"><Trans>If your browser saved the file under another name (for example with “(1)” added, when there is one of the same name already), use that name in the command. If age says clients.csv exists, move the old one away or choose another name after -o.</Trans></p>
        <p className="muted"><Trans>The CSV (UTF-8, separated by commas) opens in a spreadsheet — in Excel through Data → From Text/CSV, so that accented letters and columns come out right — and imports as it is into another Confidant organisation. Delete the decrypted copy when you no longer need it.</Trans></p>
      </section>
    </div>
  );
}
