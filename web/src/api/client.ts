/**
 * The web app's API client: openapi-fetch over the types generated from the server's OpenAPI
 * document (schema.gen.ts, `npm run api-types`), so a changed route breaks the web type-check.
 * Same origin, cookie session, `no-store`; every unsafe method carries the CSRF header the server
 * requires (src/auth/sessions).
 *
 *   const me = await data(api.GET('/api/v1/auth/me'));
 *   await data(api.POST('/api/v1/auth/login', { body: { email, password } }));
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema.gen';
import { noteServerContact } from '../app/activity';

export type { paths } from './schema.gen';

const CSRF_HEADER = 'x-confidant-csrf';

export const api = createClient<paths>({ credentials: 'same-origin', cache: 'no-store' });
api.use({
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD') request.headers.set(CSRF_HEADER, '1');
    return request;
  },
  onResponse({ response }) {
    // Any answer from the server (even a refusal) was a request on the session: its idle clock restarted.
    if (response.status !== 401) noteServerContact();
    return response;
  },
});

/** An error answer of the API: its stable code (mapped to a message in the catalogue) and the status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    /** The error's `details` (ids and field names only, never values), e.g. ALREADY_INVOICED's invoice_id. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

/** The answer of a call, or a rejection with an {@link ApiError} (`NETWORK` when the server is unreachable). */
export async function data<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError(0, 'NETWORK', '');
  }
  if (!result.response.ok) {
    const error = (result.error as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    const details = typeof error?.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : {};
    throw new ApiError(result.response.status, typeof error?.code === 'string' ? error.code : 'UNKNOWN', typeof error?.message === 'string' ? error.message : '', details);
  }
  return result.data as T;
}

type Get<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer R } } } } } ? R : never;

/** What `GET /api/v1/auth/me` answers: the signed-in user and the session's state. */
export type Me = Get<'/api/v1/auth/me'>;
export type SessionState = Me['state'];

/** The JSON body a route takes: `Body<'/api/v1/clients', 'post'>`. */
export type Body<P extends keyof paths, M extends 'post' | 'patch' | 'put' | 'delete'> = paths[P] extends { [K in M]: { requestBody?: { content: { 'application/json': infer B } } } } ? B : never;
