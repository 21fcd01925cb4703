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

/**
 * The second name a server's password may live under: a new user's password is written there
 * while the metadata still names the old user's Secret, so a crash between the two writes never
 * pairs one user with another's password. Unambiguous: a server's own name never ends in `_2`
 * (a name with a replaced character ends in its hash).
 */
const ALTERNATE_SUFFIX = '_2';

/** The server's other Secret name: the alternate of the plain name and the plain of the alternate. */
export function otherRegistryCredentialSecretName(name: string): string {
  return name.endsWith(ALTERNATE_SUFFIX)
    ? name.slice(0, -ALTERNATE_SUFFIX.length)
    : `${name}${ALTERNATE_SUFFIX}`;
}

/** Whether a Secret name lies in the reserved registry-credential space. */
export function isRegistryCredentialSecretName(name: string): boolean {
  return (
    name === REGISTRY_CREDENTIAL_SECRET_PREFIX ||
    name === `${REGISTRY_CREDENTIAL_SECRET_PREFIX}${ALTERNATE_SUFFIX}` ||
    name.startsWith(`${REGISTRY_CREDENTIAL_SECRET_PREFIX}.`)
  );
}
