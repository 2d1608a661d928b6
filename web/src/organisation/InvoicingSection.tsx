import { useState } from 'react';
import { Form, Label, TextArea, TextField } from 'react-aria-components';
import { useLingui } from '@lingui/react';
import { Trans } from '@lingui/react/macro';
import { msg } from '@lingui/core/macro';
import { errorMessage } from '../api/errors';
import { decimalOf, minorOf } from '../invoices/money';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Field } from '../ui/Field';
import { Section } from '../ui/Section';
import { type Settings, useSave } from './save';

const INVOICING_ERRORS = {
  VALIDATION_FAILED: msg`Some invoicing settings are not in the expected form (a prefix of letters, digits and dashes; a price such as 80.00; a three-letter currency such as GBP). Check the marked fields and save again.`,
  CARD_DATA_REFUSED: msg`That looks like card data. Invoice details never hold a card number, expiry date or security code.`,
};

/**
 * How the organisation invoices: the prefix of new invoice numbers (issued ones keep theirs), the
 * price of a session billed from an attended appointment, and what printed invoices say about the
 * organisation (address, tax number, payment terms).
 */
export function InvoicingSection({ settings }: { settings: Settings }) {
  const { _ } = useLingui();
  const save = useSave();
  const details = settings.invoice_details;
  const [prefix, setPrefix] = useState(settings.invoice_prefix);
  const [currency, setCurrency] = useState(settings.default_session_price?.currency ?? 'GBP');
  const [price, setPrice] = useState(settings.default_session_price ? decimalOf(settings.default_session_price.unit_minor, settings.default_session_price.currency) : '');
  const [address, setAddress] = useState((details?.address_lines ?? []).join('\n'));
  const [taxNumber, setTaxNumber] = useState(details?.tax_number ?? '');
  const [terms, setTerms] = useState(details?.payment_terms ?? '');
  const [invalid, setInvalid] = useState<'price' | 'currency' | null>(null);
  return (
    <Section id="invoicing" title={<Trans>Invoicing</Trans>}>
      {save.isSuccess ? <p className="notice" role="status"><Trans>Saved.</Trans></p> : null}
      <Alert>{save.isError ? _(errorMessage(save.error, INVOICING_ERRORS)) : null}</Alert>
      <Form
        className="form"
        aria-label={_(msg`Invoicing`)}
        validationBehavior="aria"
        onSubmit={(event) => {
          event.preventDefault();
          const code = currency.trim().toUpperCase();
          if (!/^[A-Z]{3}$/.test(code)) return setInvalid('currency');
          const minor = price.trim() === '' ? null : minorOf(price, code);
          if (price.trim() !== '' && minor === null) return setInvalid('price');
          setInvalid(null);
          const lines = address.split('\n').map((l) => l.trim()).filter(Boolean);
          save.mutate({
            invoice_prefix: prefix.trim() === '' ? null : prefix.trim(),
            default_session_price: minor === null ? null : { unit_minor: minor, currency: code },
            invoice_details: lines.length === 0 && !taxNumber.trim() && !terms.trim() ? null : { address_lines: lines, tax_number: taxNumber.trim() || null, payment_terms: terms.trim() || null },
          });
        }}
      >
        <div className="grid-2">
          <Field label={<Trans>Invoice number prefix</Trans>} name="invoice-prefix" maxLength={20} value={prefix} onChange={setPrefix} description={<Trans>New invoices are numbered {prefix || 'INV-'}0001, {prefix || 'INV-'}0002, …; a number is never given twice.</Trans>} />
          <Field label={<Trans>Price of a session</Trans>} name="session-price" value={price} onChange={setPrice} isInvalid={invalid === 'price'} errorMessage={_(msg`Enter an amount such as 80.00, or leave it empty.`)} description={<Trans>Used when an attended session is billed with one tap. Empty: asked each time.</Trans>} />
          <Field label={<Trans>Currency</Trans>} name="session-currency" maxLength={3} value={currency} onChange={setCurrency} isInvalid={invalid === 'currency'} errorMessage={_(msg`Three letters, such as GBP, EUR or USD.`)} />
          <Field label={<Trans>Tax or VAT number</Trans>} name="tax-number" maxLength={50} value={taxNumber} onChange={setTaxNumber} />
        </div>
        <TextField className="field" value={address} onChange={setAddress} name="invoice-address">
          <Label className="field-label"><Trans>Address printed on invoices (one line each)</Trans></Label>
          <TextArea className="field-input textarea" rows={3} />
        </TextField>
        <TextField className="field" value={terms} onChange={setTerms} name="payment-terms">
          <Label className="field-label"><Trans>Payment terms</Trans></Label>
          <TextArea className="field-input textarea" rows={2} />
        </TextField>
        <div className="actions"><Button type="submit" isDisabled={save.isPending}><Trans>Save invoicing settings</Trans></Button></div>
      </Form>
    </Section>
  );
}
