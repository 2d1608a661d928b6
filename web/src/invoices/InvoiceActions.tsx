import { useState } from 'react';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { Form } from 'react-aria-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, data, type Body } from '../api/client';
import { errorMessage } from '../api/errors';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { Select } from '../ui/Select';
import { CARD_BRAND, CARD_BRANDS, PAYMENT_METHOD, VOID_REASON, type PaymentMethod, type VoidReason } from './labels';
import { type Invoice, decimalOf, minorOf } from './money';

type Patch = Body<'/api/v1/invoices/{id}', 'patch'>;

/** The message of a failed change; a card-data refusal also shows the server's own words (which field). */
export function ChangeError({ error }: { error: unknown }) {
  const { _ } = useLingui();
  if (!error) return null;
  const server = error instanceof ApiError && error.code === 'CARD_DATA_REFUSED' && error.detail ? ` (${error.detail})` : '';
  return <Alert>{_(errorMessage(error))}{server}</Alert>;
}

/** A change of the invoice (PATCH), the view replaced with the answer. */
export function useInvoiceChange(invoice: Invoice, onDone?: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Patch) => data(api.PATCH('/api/v1/invoices/{id}', { params: { path: { id: invoice.id } }, body })),
    onSuccess: (updated) => {
      queryClient.setQueryData(['invoice', invoice.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['invoices'] });
      void queryClient.invalidateQueries({ queryKey: ['client-invoices', invoice.client_id] });
      onDone?.();
    },
  });
}

interface LineText {
  key: number;
  description: string;
  quantity: string;
  unit: string;
  tax: string;
}

let nextKey = 1;

/** A draft's lines, edited as text and saved at once (the server recomputes the totals). */
export function LinesEditor({ invoice, onDone }: { invoice: Invoice; onDone: () => void }) {
  const { _ } = useLingui();
  const [lines, setLines] = useState<LineText[]>(() => invoice.items.map((i) => ({ key: nextKey++, description: i.description, quantity: String(i.quantity), unit: decimalOf(i.unit_minor, invoice.currency), tax: String(i.tax_rate) })));
  const [invalid, setInvalid] = useState(false);
  const save = useInvoiceChange(invoice, onDone);
  const set = (key: number, change: Partial<LineText>) => setLines((ls) => ls.map((l) => (l.key === key ? { ...l, ...change } : l)));
  const parsed = lines.map((l) => ({ description: l.description.trim(), quantity: Number(l.quantity), unit_minor: minorOf(l.unit, invoice.currency), tax_rate: Number(l.tax.replace(',', '.') || '0') }));
  const ok = parsed.length > 0 && parsed.every((l) => l.description && Number.isInteger(l.quantity) && l.quantity >= 1 && l.unit_minor !== null && l.tax_rate >= 0 && l.tax_rate <= 100);
  return (
    <Form
      className="form subform"
      aria-label={_(msg`Edit the lines`)}
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ok) return setInvalid(true);
        setInvalid(false);
        save.mutate({ items: parsed.map((l) => ({ ...l, unit_minor: l.unit_minor! })) });
      }}
    >
      <h3 className="bucket-title"><Trans>Lines</Trans></h3>
      <ChangeError error={save.error} />
      {invalid ? <Alert>{_(msg`Each line needs a description, a whole quantity of 1 or more, a price such as 50.00 and a tax rate from 0 to 100.`)}</Alert> : null}
      {lines.map((l, n) => (
        <fieldset key={l.key} className="line-edit">
          <legend className="visually-hidden">{_(msg`Line ${n + 1}`)}</legend>
          <Field name={`description-${n}`} label={<Trans>Description</Trans>} value={l.description} onChange={(v) => set(l.key, { description: v })} autoComplete="off" />
          <div className="grid-3">
            <Field name={`quantity-${n}`} label={<Trans>Quantity</Trans>} inputMode="numeric" value={l.quantity} onChange={(v) => set(l.key, { quantity: v })} />
            <Field name={`unit-${n}`} label={<Trans>Unit price ({invoice.currency})</Trans>} inputMode="decimal" value={l.unit} onChange={(v) => set(l.key, { unit: v })} />
            <Field name={`tax-${n}`} label={<Trans>Tax rate (%)</Trans>} inputMode="decimal" value={l.tax} onChange={(v) => set(l.key, { tax: v })} />
          </div>
          {lines.length > 1 ? <Button variant="quiet" onPress={() => setLines((ls) => ls.filter((x) => x.key !== l.key))} aria-label={_(msg`Remove line ${n + 1}`)}><Trans>Remove line</Trans></Button> : null}
        </fieldset>
      ))}
      <div className="actions">
        <Button variant="quiet" onPress={() => setLines((ls) => [...ls, { key: nextKey++, description: '', quantity: '1', unit: '', tax: '0' }])}><Trans>Add a line</Trans></Button>
        <Button type="submit" isDisabled={save.isPending}><Trans>Save lines</Trans></Button>
        <Button variant="quiet" onPress={onDone}><Trans>Cancel</Trans></Button>
      </div>
    </Form>
  );
}

/** Marks a sent invoice paid: how; for a card, its brand and last four digits only. */
export function PayForm({ invoice, onDone }: { invoice: Invoice; onDone: () => void }) {
  const { _ } = useLingui();
  const [method, setMethod] = useState<PaymentMethod>('card');
  const [brand, setBrand] = useState<(typeof CARD_BRANDS)[number]>('visa');
  const [last4, setLast4] = useState('');
  const pay = useInvoiceChange(invoice, onDone);
  return (
    <Form
      className="form subform"
      aria-label={_(msg`Mark paid`)}
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        pay.mutate(method === 'card' ? { status: 'paid', payment_method: 'card', card_brand: brand, card_last4: last4.trim() } : { status: 'paid', payment_method: method });
      }}
    >
      <h3 className="bucket-title"><Trans>Mark paid</Trans></h3>
      <ChangeError error={pay.error} />
      <Select<PaymentMethod> name="method" label={<Trans>Paid by</Trans>} options={(['card', 'cash', 'bank_transfer', 'cheque', 'other'] as const).map((m) => ({ id: m, label: _(PAYMENT_METHOD[m]!) }))} value={method} onChange={setMethod} />
      {method === 'card' ? (
        <div className="grid-2">
          <Select name="brand" label={<Trans>Card brand</Trans>} options={CARD_BRANDS.map((b) => ({ id: b, label: b === 'other' ? _(msg`Other`) : CARD_BRAND[b] }))} value={brand} onChange={setBrand} />
          <Field name="last4" label={<Trans>Last four digits</Trans>} inputMode="numeric" autoComplete="off" isRequired value={last4} onChange={setLast4} description={<Trans>Never enter the card number: only its last four digits.</Trans>} />
        </div>
      ) : null}
      <div className="actions">
        <Button type="submit" isDisabled={pay.isPending}><Trans>Record payment</Trans></Button>
        <Button variant="quiet" onPress={onDone}><Trans>Cancel</Trans></Button>
      </div>
    </Form>
  );
}

/** Why an invoice is voided or credited: a reason, and a note when the reason is "other". */
export function ReasonForm({ title, confirm, warning, busy, error, onSubmit, onDone }: { title: string; confirm: string; warning: string; busy: boolean; error: unknown; onSubmit: (reason: VoidReason, note?: string) => void; onDone: () => void }) {
  const { _ } = useLingui();
  const [reason, setReason] = useState<VoidReason>('issued_in_error');
  const [note, setNote] = useState('');
  const [missing, setMissing] = useState(false);
  return (
    <Form
      className="form subform"
      aria-label={title}
      validationBehavior="aria"
      onSubmit={(e) => {
        e.preventDefault();
        if (reason === 'other' && !note.trim()) return setMissing(true);
        setMissing(false);
        onSubmit(reason, note.trim() || undefined);
      }}
    >
      <h3 className="bucket-title">{title}</h3>
      <p className="muted">{warning}</p>
      <ChangeError error={error} />
      <Select<VoidReason> name="reason" label={<Trans>Reason</Trans>} options={(['issued_in_error', 'duplicate', 'client_cancelled', 'other'] as const).map((r) => ({ id: r, label: _(VOID_REASON[r]!) }))} value={reason} onChange={setReason} />
      <Field name="note" label={reason === 'other' ? <Trans>Why (required)</Trans> : <Trans>Note (optional)</Trans>} isRequired={reason === 'other'} isInvalid={missing} errorMessage={_(msg`Say why, in a few words.`)} value={note} onChange={setNote} autoComplete="off" />
      <div className="actions">
        <Button type="submit" variant="danger" isDisabled={busy}>{confirm}</Button>
        <Button variant="quiet" onPress={onDone}><Trans>Cancel</Trans></Button>
      </div>
    </Form>
  );
}
