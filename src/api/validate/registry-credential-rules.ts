/**
 * A realm's `spec.registryCredentials` (docs/images.md, "Credentials"): each entry names a user
 * and either an inline `password` (moved into kukeond's Secret store at apply) or
 * `passwordSecret`, a realm-level Secret holding it; one entry per registry (the entry without
 * `serverAddress` is the realm's default). Messages never quote a password.
 */
import { isPathSafeSegment } from './names.js';

export interface RegistryCredentialInput {
  username?: string;
  password?: string;
  passwordSecret?: string;
  serverAddress?: string;
}

export function checkRegistryCredentials(
  list: readonly RegistryCredentialInput[] | undefined,
): string | undefined {
  const seen = new Map<string, number>();
  for (const [i, c] of (list ?? []).entries()) {
    const at = `spec.registryCredentials[${i}]`;
    if ((c.username ?? '').trim() === '') return `${at}.username is required`;
    const inline = (c.password ?? '') !== '';
    const ref = (c.passwordSecret ?? '').trim();
    if (inline && ref !== '') return `${at}: give password or passwordSecret, not both`;
    if (!inline && ref === '')
      return `${at}.password is required (or passwordSecret: the name of a Secret of the realm holding it)`;
    if (ref !== '' && (!isPathSafeSegment(ref) || ref.startsWith('.')))
      return `${at}.passwordSecret "${ref}" is not a Secret name (no path separators, not '.'/'..', no leading '.')`;
    const server = (c.serverAddress ?? '').trim();
    const first = seen.get(server);
    if (first !== undefined)
      return server === ''
        ? `${at} is a second entry without serverAddress (spec.registryCredentials[${first}] is the realm's default)`
        : `${at}.serverAddress "${server}" repeats spec.registryCredentials[${first}] (one credential per registry)`;
    seen.set(server, i);
  }
  return undefined;
}
