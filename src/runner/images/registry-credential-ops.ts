import type { Realm, RegistryCredentials } from '../../model/resources.js';
import { readSecretData } from '../../store/index.js';
import { failpoint } from '../failpoint.js';
import { withRealmLock } from '../intent.js';
import { persistResource } from '../resource-store.js';
import { scopes } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { ErrorCode } from '../../error-codes.js';
import { RunnerError } from '../runner-errors.js';
import { requireRealm } from '../realm/realm-queries.js';
import { removeUnusedCredentialSecrets, storeRealmCredentials } from './realm-credentials.js';

export interface RegistryCredentialInput {
  username: string;
  password: string;
  /** Registry host[:port]; empty: the realm's default entry. */
  serverAddress?: string;
}

export interface SetRegistryCredentialResult {
  realm: Realm;
  /** `created` (a new server), `replaced` (another user or password), `unchanged`. */
  action: 'created' | 'replaced' | 'unchanged';
}

const sameServer = (c: RegistryCredentials, server: string) => (c.serverAddress ?? '').trim() === server;

/**
 * `kuke create registry-credential` (docs/images.md, "Credentials"): the entry of the realm for
 * that server is added or replaced; its password goes into the Secret store before the metadata
 * naming it is written. Only the new entry is checked: a broken other entry does not block it.
 */
export async function setRegistryCredential(
  ctx: RunnerContext,
  realmName: string,
  input: RegistryCredentialInput,
): Promise<SetRegistryCredentialResult> {
  const username = input.username.trim();
  const server = (input.serverAddress ?? '').trim();
  if (username === '')
    throw new RunnerError(ErrorCode.INVALID_SECRET, 'registry credential: username is required');
  if (input.password.trim() === '')
    throw new RunnerError(ErrorCode.INVALID_SECRET, 'registry credential: the password is empty');
  return withRealmLock(ctx, realmName.trim(), async () => {
    const actual = await requireRealm(ctx, realmName);
    const name = actual.metadata.name;
    const list = actual.spec.registryCredentials ?? [];
    const before = list.find((c) => sameServer(c, server));
    const storedBefore =
      before?.passwordSecret &&
      readSecretData(ctx.config.secretStoreDir, { name: before.passwordSecret, realm: name })?.data;
    const [entry] = (await storeRealmCredentials(
      ctx,
      name,
      [{ username, password: input.password, ...(server ? { serverAddress: server } : {}) }],
      list,
    ))!;
    failpoint('registry-credential.after-secret');
    if (before && before.username === username && before.passwordSecret === entry.passwordSecret) {
      // Same user, same Secret: the store write above was skipped when the password was the same.
      return { realm: actual, action: storedBefore === input.password ? 'unchanged' : 'replaced' };
    }
    const creds = before ? list.map((c) => (c === before ? entry : c)) : [...list, entry];
    const next: Realm = { ...actual, spec: { ...actual.spec, registryCredentials: creds } };
    const written = await persistResource(ctx, 'Realm', scopes.realm(name), next);
    await removeUnusedCredentialSecrets(ctx, name, creds);
    return { realm: written, action: before ? 'replaced' : 'created' };
  });
}

/**
 * `kuke delete registry-credential` (as `docker logout`): the realm's entry for that server (the
 * default entry without one) is removed, then its Secret when kukeond made it. Missing: an error
 * naming the servers the realm has.
 */
export async function removeRegistryCredential(
  ctx: RunnerContext,
  realmName: string,
  serverAddress: string | undefined,
): Promise<Realm> {
  const server = (serverAddress ?? '').trim();
  return withRealmLock(ctx, realmName.trim(), async () => {
    const actual = await requireRealm(ctx, realmName);
    const name = actual.metadata.name;
    const list = actual.spec.registryCredentials ?? [];
    if (!list.some((c) => sameServer(c, server))) {
      const have = list.map((c) => (c.serverAddress ? `"${c.serverAddress}"` : '(default)'));
      throw new RunnerError(
        ErrorCode.REGISTRY_CREDENTIAL_NOT_FOUND,
        `realm "${name}" has no registry credential for ${server ? `server "${server}"` : 'the default entry (no --server)'}${
          have.length ? `; it has: ${have.join(', ')}` : ''
        }`,
      );
    }
    const creds = list.filter((c) => !sameServer(c, server));
    const next: Realm = {
      ...actual,
      spec: { ...actual.spec, registryCredentials: creds.length ? creds : undefined },
    };
    const written = await persistResource(ctx, 'Realm', scopes.realm(name), next);
    await removeUnusedCredentialSecrets(ctx, name, creds);
    return written;
  });
}
