import { fnv1a32Hex } from './fnv1a32.js';

/**
 * Names of the realm-level Secrets kukeond keeps registry passwords in (docs/images.md,
 * "Credentials"). The prefix is reserved: users cannot write Secrets under it, which is what
 * lets the ownership sweep remove one no credential of its realm refers to.
 */
export const REGISTRY_CREDENTIAL_SECRET_PREFIX = 'registry-credential';

/**
 * `registry-credential.<server>` (`registry-credential` for the entry without a server). A
 * character a file name or a Secret name cannot hold is replaced by `_` and the name then gets
 * the server's hash, so two servers never share a Secret.
 */
export function registryCredentialSecretName(serverAddress: string | undefined): string {
  const server = (serverAddress ?? '').trim();
  if (server === '') return REGISTRY_CREDENTIAL_SECRET_PREFIX;
  const safe = server.replace(/[^A-Za-z0-9.:\-[\]@]/g, '_');
  const suffix = safe === server ? server : `${safe}.${fnv1a32Hex(server)}`;
  return `${REGISTRY_CREDENTIAL_SECRET_PREFIX}.${suffix}`;
}

/** Whether a Secret name lies in the reserved registry-credential space. */
export function isRegistryCredentialSecretName(name: string): boolean {
  return (
    name === REGISTRY_CREDENTIAL_SECRET_PREFIX || name.startsWith(`${REGISTRY_CREDENTIAL_SECRET_PREFIX}.`)
  );
}
