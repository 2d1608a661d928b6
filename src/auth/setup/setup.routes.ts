import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../platform/db/index.ts';
import { isAppError } from '../../platform/errors/index.ts';
import { setupRequest, setupResponse } from './setup.schema.ts';
import { completeSetup, isSetupTokenUsable } from './setup.service.ts';

const PUBLIC_BY_LINK = { access: 'public', reason: 'first-run setup; the one-time link token is the credential' } as const;
/** Attempts per minute per address on each setup route: setup happens once; guessing should not. */
export const SETUP_PER_MINUTE = 10;
const LIMITED = { rateLimit: { max: SETUP_PER_MINUTE, timeWindow: 60_000 } };

/**
 * First-run setup: a minimal HTML form behind the one-time link printed at start-up, and the JSON
 * API it stands for. Both create the organisation and its owner and burn the link.
 */
export async function setupRoutes(app: FastifyInstance, options: { db: Db }): Promise<void> {
  const { db } = options;
  await app.register(formbody, { bodyLimit: 16 * 1024 });
  setupApiRoute(app, db);
  setupFormRoutes(app, db);
}

/** The JSON API of setup. */
function setupApiRoute(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/v1/setup',
    {
      config: { policy: PUBLIC_BY_LINK, ...LIMITED },
      schema: {
        tags: ['setup'],
        summary: 'Create the organisation and its owner account with the one-time setup token',
        body: setupRequest,
        response: { 201: setupResponse },
      },
    },
    async (request, reply) => {
      const { token, email, password, organisation_name } = request.body;
      const created = await completeSetup(db, token, { email, password, organisationName: organisation_name });
      return reply.status(201).send({ organisation_id: created.organisationId, user_id: created.userId });
    },
  );
}

/** The HTML form behind the setup link, and its submission. */
function setupFormRoutes(app: FastifyInstance, db: Db): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/setup',
    {
      config: { policy: PUBLIC_BY_LINK, ...LIMITED },
      schema: { tags: ['setup'], summary: 'Setup form (HTML)', querystring: z.object({ token: z.string().max(200).default('') }), response: { 200: html('The setup form'), 410: html('The link is invalid, used or expired') } },
    },
    async (request, reply) => {
      const { token } = request.query;
      const usable = token !== '' && (await isSetupTokenUsable(db, token));
      if (!usable) return sendPage(reply, 410, invalidLinkPage());
      return sendPage(reply, 200, formPage(token));
    },
  );

  r.post(
    '/setup',
    {
      config: { policy: PUBLIC_BY_LINK, ...LIMITED },
      // A bad form is answered with the form again (HTML), not with the JSON error: validation is attached.
      attachValidation: true,
      schema: {
        tags: ['setup'],
        summary: 'Setup form submission (HTML)',
        consumes: ['application/x-www-form-urlencoded'],
        body: setupRequest,
        response: { 201: html('Set up: the owner account exists'), 400: html('The form again, naming the field to check'), 410: html('The link is invalid, used or expired'), 422: html('The form again, saying why the password or e-mail was refused') },
      },
    },
    async (request, reply) => {
      const raw = (request.body ?? {}) as Record<string, unknown>;
      const token = typeof raw.token === 'string' ? raw.token : '';
      if (request.validationError) {
        const field = String((request.validationError as { details?: { fields?: string[] } }).details?.fields?.[0] ?? 'body.form').replace(/^body\.?/, '') || 'form';
        return sendPage(reply, 400, formPage(token, `Please check the ${field.replace('_', ' ')}.`));
      }
      const { email, password, organisation_name } = request.body;
      try {
        await completeSetup(db, request.body.token, { email, password, organisationName: organisation_name });
      } catch (error) {
        if (isAppError(error, 'TOKEN_INVALID')) return sendPage(reply, 410, invalidLinkPage());
        if (isAppError(error, 'PASSWORD_REJECTED') || isAppError(error, 'CONFLICT') || isAppError(error, 'CARD_DATA_REFUSED')) {
          return sendPage(reply, error.status, formPage(token, `${capitalise(error.message)}.`));
        }
        throw error;
      }
      return sendPage(reply, 201, page('Confidant is set up', '<p>The owner account has been created. This setup link no longer works.</p>'));
    },
  );
}

function sendPage(reply: FastifyReply, status: number, page: string) {
  return reply.status(status).type('text/html; charset=utf-8').send(page);
}

/** An HTML page response, for the OpenAPI document. */
function html(description: string) {
  return { description, content: { 'text/html': { schema: z.string() } } };
}

function formPage(token: string, problem?: string): string {
  return page(
    'Set up Confidant',
    `${problem ? `<p role="alert"><strong>${escapeHtml(problem)}</strong></p>` : ''}
<form method="post" action="/setup">
  <input type="hidden" name="token" value="${escapeHtml(token)}">
  <p><label>Organisation name<br><input name="organisation_name" required maxlength="200" autocomplete="organization"></label></p>
  <p><label>Your e-mail (owner account)<br><input name="email" type="email" required autocomplete="username"></label></p>
  <p><label>Password (at least 15 characters; a passphrase is best)<br><input name="password" type="password" required minlength="15" autocomplete="new-password"></label></p>
  <p><button type="submit">Create owner account</button></p>
</form>`,
  );
}

function invalidLinkPage(): string {
  return page('Setup link not valid', '<p>This setup link is invalid, already used or expired. Restart Confidant (or run <code>confidant init</code>) to get a new one.</p>');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
