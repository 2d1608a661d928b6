/**
 * First-run setup of a deployment and its owner, organisations, and the password policy.
 */
// The public surface of this folder: other folders import it from here, never from its files.
export { normalisePassword } from './password-policy.ts';
export { setupRoutes } from './setup.routes.ts';
export { organisationName, staffEmail } from './setup.schema.ts';
export { createOrganisation, createOwner, issueSetupLink, listOrganisations, purgeSetupTokensJob } from './setup.service.ts';
