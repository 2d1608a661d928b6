import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { ApiError } from './client';

/**
 * The API's stable error codes as messages that say what to do (UI.md, "Say what to do"). A screen
 * may pass its own messages for codes whose meaning depends on where they come from.
 */
const GENERAL: Record<string, MessageDescriptor> = {
  NETWORK: msg`Confidant cannot be reached. Check that the server is running and your connection works, then try again.`,
  RATE_LIMITED: msg`Too many attempts in a short time. Wait a minute, then try again.`,
  CSRF_REJECTED: msg`The request did not come from this page. Reload the page and try again.`,
  VALIDATION_FAILED: msg`Some of what you entered is not in the expected form. Check the fields and try again.`,
  UNAUTHENTICATED: msg`Your session has ended. Sign in again.`,
  STEP_UP_CANCELLED: msg`Nothing was changed: confirming it is you was cancelled. Try again when you are ready.`,
  STEP_UP_REQUIRED: msg`This step needs a recent sign-in. Try again and confirm with your password.`,
  FORBIDDEN: msg`Your role may not do this. Ask the organisation's owner if you need it.`,
  NOT_FOUND: msg`That is no longer there: someone may have changed or removed it. Reload the page.`,
  APPOINTMENT_NOT_ATTENDED: msg`Only an attended appointment can be billed. Mark the appointment as attended first, then bill it.`,
  ALREADY_INVOICED: msg`This session is billed already. Open its invoice to change or void it instead of billing it again.`,
  INVOICE_NOT_DRAFT: msg`This invoice has been sent, so its lines can no longer change. Void it (or credit it, once paid) and make a new one.`,
  INVOICE_STATUS_INVALID: msg`The invoice cannot make that step from where it is now. Reload it to see its current status.`,
  INVOICE_PAID: msg`A paid invoice is not voided. Issue a credit note for it instead.`,
  INVOICE_NOT_CREDITABLE: msg`Only a paid invoice without a credit note can be credited. Void an unpaid invoice instead.`,
  CARD_DATA_REFUSED: msg`That looks like card data. Never enter a card number, expiry date or security code: give the card brand and its last four digits only.`,
  CONFLICT: msg`Someone changed this at the same time. Reload it and try again.`,
  DATABASE_UNAVAILABLE: msg`The server cannot reach its database. Ask whoever runs Confidant to check it, then try again.`,
};
const FALLBACK = msg`Something went wrong on the server. Try again; if it keeps happening, ask whoever runs Confidant to check its log.`;

export function errorMessage(error: unknown, specific: Record<string, MessageDescriptor> = {}): MessageDescriptor {
  const code = error instanceof ApiError ? error.code : 'UNKNOWN';
  return specific[code] ?? GENERAL[code] ?? FALLBACK;
}
