/**
 * A small typed fetch wrapper for the routes the web app uses so far. Same origin, cookie session,
 * `no-store`; every unsafe method carries the CSRF header the server requires (src/auth/sessions).
 *
 * The types below are written by hand for these few routes (setup, sign-in, MFA, me, sign-out);
 * a later step of issue 14 generates them from the server's OpenAPI document so that a changed route
 * breaks this type-check.
 */
const CSRF_HEADER = 'x-confidant-csrf';

export type SessionState = 'mfa_pending' | 'mfa_enrolment' | 'active';

interface Routes {
  'POST /api/v1/invites/accept': { body: { token: string; password: string }; response: { user_id: string } };
  'POST /api/v1/setup': { body: { token: string; email: string; password: string; organisation_name: string }; response: { organisation_id: string; user_id: string } };
  'POST /api/v1/auth/login': { body: { email: string; password: string }; response: { state: SessionState } };
  'POST /api/v1/auth/mfa': { body: { code: string }; response: { state: 'active' } };
  'POST /api/v1/auth/mfa/totp': { body: undefined; response: { secret: string; otpauth_uri: string } };
  'POST /api/v1/auth/mfa/totp/confirm': { body: { code: string }; response: { recovery_codes: string[]; state: 'active' } };
  'POST /api/v1/auth/logout': { body: undefined; response: null };
  'GET /api/v1/auth/me': { body: undefined; response: Me };
}

export interface Me {
  user_id: string;
  organisation_id: string;
  email: string;
  role: string;
  state: SessionState;
  session_id: string;
}

/** An error answer of the API: its stable code (mapped to a message in the catalogue) and the status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(code);
  }
}

type Route = keyof Routes;

/** Calls one route; resolves with its typed answer or rejects with an {@link ApiError}. */
export async function call<R extends Route>(route: R, ...args: Routes[R]['body'] extends undefined ? [] : [Routes[R]['body']]): Promise<Routes[R]['response']> {
  const [method, path] = route.split(' ') as [string, string];
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers[CSRF_HEADER] = '1';
  const body = args[0];
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', cache: 'no-store', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch {
    throw new ApiError(0, 'NETWORK', '');
  }
  if (response.status === 204) return null as Routes[R]['response'];
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new ApiError(response.status, typeof error?.code === 'string' ? error.code : 'UNKNOWN', typeof error?.message === 'string' ? error.message : '');
  }
  return json as Routes[R]['response'];
}
