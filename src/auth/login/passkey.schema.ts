import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { z } from 'zod';

/**
 * The WebAuthn JSON shapes of the passkey API (WebAuthn Level 3, "…JSON" dictionaries). Requests
 * are checked for their outer shape here and verified by @simplewebauthn/server; options are passed
 * to the browser as the library makes them. Both are loose objects: the fields WebAuthn defines
 * today are documented and checked, and a field a browser or the library adds later passes through.
 */
const base64url = z.string().max(65_536).regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');
const transports = z.array(z.string().max(32)).max(16);
const credentialId = z.string().min(1).max(1500);
const descriptor = z.looseObject({ id: credentialId, type: z.literal('public-key'), transports: transports.optional() });

const extensionOutputs = z
  .looseObject({ credProps: z.looseObject({ rk: z.boolean().optional() }).optional(), appid: z.boolean().optional(), hmacCreateSecret: z.boolean().optional() })
  .meta({ description: "The authenticator's extension outputs (navigator.credentials' getClientExtensionResults())" });

const credential = {
  id: credentialId,
  rawId: credentialId,
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).nullable().optional(),
  clientExtensionResults: extensionOutputs.default({}),
};

/** What `navigator.credentials.create()` returned, as JSON (RegistrationResponseJSON). */
export const registrationCredential = z.looseObject({
  ...credential,
  response: z.looseObject({
    clientDataJSON: base64url,
    attestationObject: base64url,
    authenticatorData: base64url.optional(),
    transports: transports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url.optional(),
  }),
});

/** What `navigator.credentials.get()` returned, as JSON (AuthenticationResponseJSON). */
export const authenticationCredential = z.looseObject({
  ...credential,
  response: z.looseObject({ clientDataJSON: base64url, authenticatorData: base64url, signature: base64url, userHandle: base64url.nullable().optional() }),
});

const challengeId = z.string().uuid().meta({ description: 'The challenge these options carry; send it back with the response' });
const extensionInputs = z.looseObject({ credProps: z.boolean().optional() }).meta({ description: 'Extensions asked of the authenticator' });
const hints = z.array(z.enum(['hybrid', 'security-key', 'client-device']));

/** Options for `navigator.credentials.create()` (PublicKeyCredentialCreationOptionsJSON), with their challenge id. */
// The library's own TypeScript interfaces describe the options; the schemas document and check them.
type WithChallenge<T> = z.ZodType<{ challenge_id: string; options: T }>;

export const registrationOptionsOut = z.object({
  challenge_id: challengeId,
  options: z.looseObject({
    challenge: base64url,
    rp: z.looseObject({ name: z.string(), id: z.string().optional() }),
    user: z.looseObject({ id: base64url, name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.looseObject({ alg: z.number().int(), type: z.literal('public-key') })),
    timeout: z.number().optional(),
    excludeCredentials: z.array(descriptor).optional(),
    authenticatorSelection: z
      .looseObject({
        authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
        residentKey: z.enum(['discouraged', 'preferred', 'required']).optional(),
        requireResidentKey: z.boolean().optional(),
        userVerification: z.enum(['discouraged', 'preferred', 'required']).optional(),
      })
      .optional(),
    hints: hints.optional(),
    attestation: z.enum(['none', 'indirect', 'direct', 'enterprise']).optional(),
    attestationFormats: z.array(z.string()).optional(),
    extensions: extensionInputs.optional(),
  }),
}) as unknown as WithChallenge<PublicKeyCredentialCreationOptionsJSON>;

/** Options for `navigator.credentials.get()` (PublicKeyCredentialRequestOptionsJSON), with their challenge id. */
export const authenticationOptionsOut = z.object({
  challenge_id: challengeId,
  options: z.looseObject({
    challenge: base64url,
    timeout: z.number().optional(),
    rpId: z.string().optional(),
    allowCredentials: z.array(descriptor).optional(),
    userVerification: z.enum(['discouraged', 'preferred', 'required']).optional(),
    hints: hints.optional(),
    extensions: extensionInputs.optional(),
  }),
}) as unknown as WithChallenge<PublicKeyCredentialRequestOptionsJSON>;

export const passkeyList = z.object({
  passkeys: z.array(z.object({ id: z.string(), name: z.string(), created_at: z.iso.datetime(), last_used_at: z.iso.datetime().nullable() })),
});
