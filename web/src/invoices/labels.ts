import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';

export const INVOICE_STATUS: Record<string, MessageDescriptor> = { draft: msg`draft`, sent: msg`sent`, paid: msg`paid`, void: msg`void` };
export const PAYMENT_METHOD: Record<string, MessageDescriptor> = { card: msg`Card`, cash: msg`Cash`, bank_transfer: msg`Bank transfer`, cheque: msg`Cheque`, other: msg`Other` };
export const VOID_REASON: Record<string, MessageDescriptor> = { issued_in_error: msg`Issued in error`, duplicate: msg`Duplicate`, client_cancelled: msg`Client cancelled`, other: msg`Other (say why)` };
export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'diners', 'unionpay', 'maestro', 'other'] as const;
export const CARD_BRAND: Record<(typeof CARD_BRANDS)[number], string> = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover', jcb: 'JCB', diners: 'Diners Club', unionpay: 'UnionPay', maestro: 'Maestro', other: '—' };
export type PaymentMethod = 'card' | 'cash' | 'bank_transfer' | 'cheque' | 'other';
export type VoidReason = 'issued_in_error' | 'duplicate' | 'client_cancelled' | 'other';
