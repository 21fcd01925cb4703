import {
  isRegistryCredentialSecretName,
  otherRegistryCredentialSecretName,
  registryCredentialSecretName,
} from '../../model/naming/index.js';
import type { Realm, RegistryCredentials } from '../../model/resources.js';
import {
  deleteSecretData,
  listSecretInfos,
  readSecretData,
  statSecret,
  writeSecretData,
} from '../../store/index.js';
import { isStale, loadResource, persistResource } from '../resource-store.js';
import { scopes } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { ErrorCode } from '../../error-codes.js';
import { RunnerError } from '../runner-errors.js';

/**
 * A realm's registry passwords live in kukeond's Secret store, one realm-level Secret per
 * credential (docs/images.md, "Credentials"); the realm's metadata keeps the username, the
 * server and the Secret's name. An inline `password` (the Go kukeon's manifests) is moved into
 * the store when the realm is written, and one still in older metadata when the realm is read.
 *
 * Order of writes, for crash safety: the Secret first, then the metadata naming it, then the
 * Secrets no entry names any more. A crash in between leaves at worst a credential Secret no
 * entry refers to; the ownership sweep removes those (sweepRegistryCredentialSecrets).
 */

function hasInlinePassword(realm: Realm): boolean {
  return (realm.spec.registryCredentials ?? []).some((c) => (c.password ?? '') !== '');
}

/** `registryCredentials[i]` of realm "r" (messages never carry the password). */
function entryLabel(realm: string, i: number, c: RegistryCredentials): string {
  const server = c.serverAddress ? `server "${c.serverAddress}"` : 'the default entry';
  return `realm "${realm}": registryCredentials[${i}] (${server})`;
}

/**
 * Writes each inline password into its Secret (only when it differs from what is stored) and
 * returns the entries as metadata keeps them: `{username, serverAddress?, passwordSecret}`. An
 * entry naming a `passwordSecret` must name an existing Secret of the realm.
 */
export async function storeRealmCredentials(
  ctx: RunnerContext,
  realm: string,
  creds: readonly RegistryCredentials[] | undefined,
  current: readonly RegistryCredentials[] = [],
): Promise<RegistryCredentials[] | undefined> {
  if (!creds || creds.length === 0) return undefined;
  const root = ctx.config.secretStoreDir;
  const out: RegistryCredentials[] = [];
  for (const [i, c] of creds.entries()) {
    const serverAddress = (c.serverAddress ?? '').trim();
    const base = { username: c.username.trim(), ...(serverAddress ? { serverAddress } : {}) };
    if ((c.password ?? '') !== '') {
      const name = secretNameFor(serverAddress, base.username, current);
      if (readSecretData(root, { name, realm })?.data !== c.password)
        await writeSecretData(root, { name, realm }, c.password!);
      out.push({ ...base, passwordSecret: name });
      continue;
    }
    const name = (c.passwordSecret ?? '').trim();
    if (!name || !(await statSecret(root, { name, realm })))
      throw new RunnerError(
        ErrorCode.SECRET_NOT_FOUND,
        `${entryLabel(realm, i, c)}: passwordSecret "${name}" is not a Secret of realm "${realm}" (give the password, or create it with kuke create registry-credential)`,
      );
    out.push({ ...base, passwordSecret: name });
  }
  return out;
}

/**
 * Where a server's new password is written, given the entries the metadata holds now: over the
 * Secret the entry names when the user is the same (the write is atomic: old or new password, both
 * the user's), else into the server's other name, so that until the metadata is written the old
 * entry still names the old user's password (docs/images.md, "Credentials").
 */
function secretNameFor(server: string, username: string, current: readonly RegistryCredentials[]): string {
  const plain = registryCredentialSecretName(server);
  const have = current.find((c) => (c.serverAddress ?? '').trim() === server);
  const named = (have?.passwordSecret ?? '').trim();
  if (named !== plain && named !== otherRegistryCredentialSecretName(plain)) return plain;
  return have!.username.trim() === username ? named : otherRegistryCredentialSecretName(named);
}

/**
 * Credential Secrets of the realm (the reserved `registry-credential…` names) that no entry
 * refers to — by `passwordSecret`, or by the name an inline password is about to be moved to —
 * are removed. Secrets a user created under another name are never touched. Returns their names.
 */
export async function removeUnusedCredentialSecrets(
  ctx: RunnerContext,
  realm: string,
  creds: readonly RegistryCredentials[] | undefined,
): Promise<string[]> {
  const root = ctx.config.secretStoreDir;
  const used = new Set(
    (creds ?? []).map((c) =>
      (c.password ?? '') !== ''
        ? registryCredentialSecretName(c.serverAddress)
        : (c.passwordSecret ?? '').trim(),
    ),
  );
  const removed: string[] = [];
  for (const s of await listSecretInfos(root, { realm })) {
    if (s.space || !isRegistryCredentialSecretName(s.name) || used.has(s.name)) continue;
    if (await deleteSecretData(root, { name: s.name, realm })) removed.push(s.name);
  }
  return removed;
}

/**
 * A realm read from metadata, with any clear-text password of an older kukeon moved into the
 * Secret store first (the metadata is rewritten with compare-and-swap, so a concurrent writer
 * wins and the move is retried on what it wrote). A process that cannot write the store (not
 * root) gets the realm without the password, never with it.
 */
export async function realmWithStoredCredentials(ctx: RunnerContext, realm: Realm): Promise<Realm> {
  if (!hasInlinePassword(realm)) return realm;
  const name = realm.metadata.name;
  for (let attempt = 0; attempt < 5; attempt++) {
    const loaded = await loadResource(ctx, 'Realm', scopes.realm(name));
    if (!loaded) return withoutPasswords(realm);
    if (!hasInlinePassword(loaded.model)) return loaded.model;
    let stored: RegistryCredentials[] | undefined;
    try {
      stored = await storeRealmCredentials(ctx, name, loaded.model.spec.registryCredentials);
    } catch (err) {
      ctx.log.warn(
        { realm: name, code: (err as NodeJS.ErrnoException).code },
        'realm registry passwords could not be moved into the secret store; they are left out',
      );
      return withoutPasswords(loaded.model);
    }
    const next: Realm = { ...loaded.model, spec: { ...loaded.model.spec, registryCredentials: stored } };
    try {
      const written = await persistResource(ctx, 'Realm', scopes.realm(name), next, {
        observed: loaded.bytes,
      });
      ctx.log.info({ realm: name }, 'realm registry passwords moved from metadata into the secret store');
      return written;
    } catch (err) {
      if (!isStale(err)) throw err;
    }
  }
  return withoutPasswords(realm);
}

function withoutPasswords(realm: Realm): Realm {
  const creds = realm.spec.registryCredentials?.map(({ password: _password, ...rest }) => rest);
  return { ...realm, spec: { ...realm.spec, ...(creds ? { registryCredentials: creds } : {}) } };
}

/**
 * `desired` (a manifest's realm) as it compares with the stored `actual`: an inline password
 * equal to the one stored for the same server and user is replaced by that entry's reference,
 * so re-applying a manifest with an inline password is no change. Reads the store; writes nothing.
 */
export function desiredCredentialsAsStored(ctx: RunnerContext, desired: Realm, actual: Realm): Realm {
  const creds = desired.spec.registryCredentials;
  if (!creds?.some((c) => (c.password ?? '') !== '')) return desired;
  const realm = actual.metadata.name;
  const mapped = creds.map((c) => {
    if ((c.password ?? '') === '') return c;
    const server = (c.serverAddress ?? '').trim();
    const have = actual.spec.registryCredentials?.find((a) => (a.serverAddress ?? '') === server);
    if (!have?.passwordSecret || have.username !== c.username.trim()) return c;
    const stored = readSecretData(ctx.config.secretStoreDir, { name: have.passwordSecret, realm });
    if (stored?.data !== c.password) return c;
    return {
      username: have.username,
      ...(server ? { serverAddress: server } : {}),
      passwordSecret: have.passwordSecret,
    };
  });
  return { ...desired, spec: { ...desired.spec, registryCredentials: mapped } };
}

/** The password of a stored credential entry, read from its Secret for a pull. */
export function readCredentialPassword(ctx: RunnerContext, realm: string, c: RegistryCredentials): string {
  if ((c.password ?? '') !== '') return c.password!;
  const name = (c.passwordSecret ?? '').trim();
  const data = name ? readSecretData(ctx.config.secretStoreDir, { name, realm })?.data : undefined;
  if (data === undefined)
    throw new RunnerError(
      ErrorCode.SECRET_NOT_FOUND,
      `registry credential of realm "${realm}" for ${
        c.serverAddress ? `"${c.serverAddress}"` : 'the default entry'
      }: its password Secret "${name}" is missing; set it again with kuke create registry-credential`,
    );
  return data;
}
