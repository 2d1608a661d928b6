/**
 * Passkeys in the browser (@simplewebauthn/browser, loaded only when a passkey is used, so it stays
 * out of the sign-in page's initial JavaScript). The server makes the options and verifies the answer.
 */
import { msg } from '@lingui/core/macro';
import type { MessageDescriptor } from '@lingui/core';
import { api, data } from '../api/client';

/** The browser refused or the person cancelled: WebAuthn says only NotAllowedError for both. */
export class PasskeyCancelled extends Error {}

async function browserApi() {
  return import('@simplewebauthn/browser');
}

async function run<T>(ceremony: () => Promise<T>): Promise<T> {
  try {
    return await ceremony();
  } catch (error) {
    if (error instanceof Error && (error.name === 'NotAllowedError' || error.name === 'AbortError' || error.name === 'InvalidStateError')) throw new PasskeyCancelled(error.name);
    throw error;
  }
}

/** Signs in with a passkey alone (it is both factors). */
export async function signInWithPasskey(): Promise<void> {
  const { startAuthentication } = await browserApi();
  const { challenge_id, options } = await data(api.POST('/api/v1/auth/passkeys/login/options'));
  const response = await run(() => startAuthentication({ optionsJSON: options as never }));
  await data(api.POST('/api/v1/auth/passkeys/login/verify', { body: { challenge_id, response: response as never } }));
}

/** Completes a sign-in started with the password, with a passkey as the second factor. */
export async function confirmWithPasskey(): Promise<void> {
  const { startAuthentication } = await browserApi();
  const { challenge_id, options } = await data(api.POST('/api/v1/auth/passkeys/authenticate/options'));
  const response = await run(() => startAuthentication({ optionsJSON: options as never }));
  await data(api.POST('/api/v1/auth/passkeys/authenticate/verify', { body: { challenge_id, response: response as never } }));
}

/** Registers a new passkey for the signed-in account under a name the person chose. */
export async function registerPasskey(name: string): Promise<void> {
  const { startRegistration } = await browserApi();
  const { challenge_id, options } = await data(api.POST('/api/v1/auth/passkeys/register/options'));
  const response = await run(() => startRegistration({ optionsJSON: options as never }));
  await data(api.POST('/api/v1/auth/passkeys/register/verify', { body: { challenge_id, response: response as never, name } }));
}

export const PASSKEY_CANCELLED: MessageDescriptor = msg`The passkey was not used: it was cancelled, timed out, or this device has none for Confidant. Try again, or use your password and code.`;
