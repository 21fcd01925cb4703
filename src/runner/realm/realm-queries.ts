import { ErrorCode } from '../../error-codes.js';
import type { Realm } from '../../model/resources.js';
import { listResources, readResource } from '../resource-store.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';
import { realmWithStoredCredentials } from '../images/realm-credentials.js';

/** A realm's metadata; a clear-text registry password of an older kukeon is moved into the Secret store first. */
export async function getRealm(ctx: RunnerContext, name: string): Promise<Realm | undefined> {
  const realm = await readResource(ctx, 'Realm', scopes.realm(validName('realm', name)));
  return realm && realmWithStoredCredentials(ctx, realm);
}

/** Like getRealm, but a missing realm is REALM_NOT_FOUND naming it. */
export async function requireRealm(ctx: RunnerContext, name: string): Promise<Realm> {
  const realm = await getRealm(ctx, name);
  if (!realm) throw new RunnerError(ErrorCode.REALM_NOT_FOUND, `realm "${name.trim()}" not found`);
  return realm;
}

export async function listRealms(ctx: RunnerContext): Promise<Realm[]> {
  const realms = await listResources(ctx, 'Realm', []);
  return Promise.all(realms.map((r) => realmWithStoredCredentials(ctx, r)));
}
