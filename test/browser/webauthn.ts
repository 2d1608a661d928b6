import type { GatedBrowser } from './gates.ts';

/**
 * A CDP virtual authenticator in the browser (internal, resident keys, user verification): passkeys
 * made and used by the real WebAuthn code path, without a person. WebAuthn needs a host name as the
 * relying party, so journeys with passkeys open the app at http://localhost.
 */
export async function addVirtualAuthenticator(browser: GatedBrowser): Promise<{ credentials(): Promise<number> }> {
  const cdp = await browser.context.newCDPSession(browser.page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length,
  };
}
