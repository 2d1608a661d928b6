/**
 * The one error type of Confidant. Every failure a caller can act on is an `AppError` with a code
 * from the closed catalogue below; each code maps to exactly one HTTP status and one CLI exit code.
 *
 * Messages are written for people and must never contain a client field value, a secret or a token:
 * they name settings, fields and record ids only.
 */
export const ERROR_CATALOGUE = {
  /** Request body, query or parameters failed their schema. */
  VALIDATION_FAILED: { status: 400, exit: 2 },
  /** Configuration (environment, flags, files) is wrong; detected at start-up. */
  CONFIG_INVALID: { status: 500, exit: 2 },
  /** No valid credentials. */
  UNAUTHENTICATED: { status: 401, exit: 4 },
  /** Password accepted; the second factor is still needed. */
  MFA_REQUIRED: { status: 401, exit: 4 },
  /** The organisation requires MFA and this account has not set it up yet. */
  MFA_ENROLMENT_REQUIRED: { status: 403, exit: 4 },
  /** The action needs a recent sign-in (step-up within the last 5 minutes). */
  STEP_UP_REQUIRED: { status: 401, exit: 4 },
  /** A cookie-authenticated change came without proof it came from Confidant's own pages. */
  CSRF_REJECTED: { status: 403, exit: 4 },
  /** Authenticated but not allowed. */
  FORBIDDEN: { status: 403, exit: 4 },
  /** The resource does not exist, or the caller may not know that it does. */
  NOT_FOUND: { status: 404, exit: 3 },
  /** The request conflicts with current state (e.g. already initialised). */
  CONFLICT: { status: 409, exit: 5 },
  /** An invoice's lines were to be changed, but it is no longer a draft (issued invoices are voided or credited, not edited). */
  INVOICE_NOT_DRAFT: { status: 409, exit: 5 },
  /** An invoice cannot move to the status asked for from the one it has (details.from, details.to). */
  INVOICE_STATUS_INVALID: { status: 409, exit: 5 },
  /** A paid invoice was to be voided: it is credited instead (POST /api/v1/invoices/:id/credit-note). */
  INVOICE_PAID: { status: 409, exit: 5 },
  /** A credit note was asked for an invoice that is not paid, or is already credited. */
  INVOICE_NOT_CREDITABLE: { status: 409, exit: 5 },
  /** An activity was to be billed (POST /api/v1/activities/:id/invoice) but is not an attended appointment (details.kind, details.status). */
  APPOINTMENT_NOT_ATTENDED: { status: 409, exit: 5 },
  /** The appointment is billed already: details.invoice_id names the invoice that bills it. */
  ALREADY_INVOICED: { status: 409, exit: 5 },
  /** A follow-up or appointment was to be moved, but it is no longer scheduled (done, cancelled, attended, missed; or an interaction). */
  ACTIVITY_NOT_SCHEDULED: { status: 409, exit: 5 },
  /** An appointment whose start is still to come was to be marked attended or no_show: wait for it, move it (at) or cancel it. */
  APPOINTMENT_NOT_STARTED: { status: 409, exit: 5 },
  /**
   * The appointment would overlap another booked (or attended) one of the same practitioner; details
   * name the clashing activities' ids and times only. Choose another time, or send `allow_clash: true`.
   */
  APPOINTMENT_CLASH: { status: 409, exit: 5 },
  /**
   * A tag was to be defined or renamed with the name another of the organisation's tags (one the
   * caller may see) already has, compared without regard to case. Choose another name, or use the
   * existing tag.
   */
  TAG_NAME_TAKEN: { status: 409, exit: 5 },
  /** An appointment named a room (room_id) that is not a room of the organisation, or is archived (details.room_id). */
  ROOM_NOT_FOUND: { status: 422, exit: 2 },
  /**
   * An import's mapping sends a column to a field the caller's role may not write (details.fields: the
   * fields; details.columns: the columns, by number). Map those columns to "ignore", or let someone
   * whose role writes the field import the file. Nothing was written.
   */
  IMPORT_FIELD_NOT_WRITABLE: { status: 403, exit: 4 },
  /**
   * Recorded on a background import (never thrown by a request): the server running it stopped (a
   * restart, a crash) before it finished. Upload the same file again: the import resumes after its
   * last committed row.
   */
  IMPORT_INTERRUPTED: { status: 409, exit: 5 },
  /** The list was asked to sort by name (decrypted in memory) over more clients than the bound allows: narrow it. */
  LIST_TOO_LARGE_TO_SORT: { status: 400, exit: 2 },
  /**
   * A confirmed count does not match: the caller confirmed acting on N records but may act on a
   * different number of those given (a bulk action on a selection that went stale). Nothing changed.
   */
  COUNT_MISMATCH: { status: 409, exit: 5 },
  /** A one-time link or token is unknown, used or expired (one code: no oracle). */
  TOKEN_INVALID: { status: 410, exit: 4 },
  /** The password does not meet the password policy. */
  PASSWORD_REJECTED: { status: 422, exit: 2 },
  /** Input held a payment-card number; Confidant never stores card data. */
  CARD_DATA_REFUSED: { status: 422, exit: 2 },
  /** A relay without TLS (`none`) was set for a host that is not this machine's loopback interface. */
  MAIL_RELAY_INSECURE: { status: 400, exit: 2 },
  /** Mail was to be sent, but no relay is configured (neither the deployment's nor the organisation's). */
  MAIL_NOT_CONFIGURED: { status: 409, exit: 5 },
  /** The mail relay could not be reached, refused the sign-in or the message (details.reason says which). */
  MAIL_SEND_FAILED: { status: 502, exit: 6 },
  /** Too many requests; retry later. */
  RATE_LIMITED: { status: 429, exit: 5 },
  /** The database cannot be reached or opened. */
  DATABASE_UNAVAILABLE: { status: 503, exit: 6 },
  /** The database schema is newer than this build of Confidant knows. */
  SCHEMA_TOO_NEW: { status: 503, exit: 6 },
  /** Key material is missing, unreadable, badly protected or wrong. */
  KEY_UNAVAILABLE: { status: 503, exit: 7 },
  /** Stored data failed an integrity check (e.g. authenticated decryption). */
  INTEGRITY_ERROR: { status: 500, exit: 8 },
  /**
   * Anything unexpected. Details go to the log, never to the caller. Exit 9: exit 1 is kept for
   * `confidant audit verify` finding the log tampered, so a crash never reads as tampering.
   */
  INTERNAL: { status: 500, exit: 9 },
} as const satisfies Record<string, { status: number; exit: number }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Optional structured, value-free details (field paths, setting names, limits). */
export type ErrorDetails = Record<string, string | number | boolean | readonly (string | number)[]>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  /**
   * @param code one of the catalogue codes
   * @param message a human sentence without any client value or secret
   * @param details value-free structured context, safe to return to the caller
   */
  constructor(code: ErrorCode, message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CATALOGUE[this.code].exit;
  }
}

/** True when `error` is an AppError, optionally with the given code. */
export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}
