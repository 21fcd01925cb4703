import { ErrorCode } from '../../error-codes.js';
import { realmManagedLabels, realmNamespace, withManagedLabels } from '../../model/naming/index.js';
import type { Realm } from '../../model/resources.js';
import { withIntent, withRealmLock } from '../intent.js';
import { persistResource } from '../resource-store.js';
import { storeRealmCredentials } from '../images/realm-credentials.js';
import { removeScopeSecrets } from '../secrets/scope-secrets.js';
import { getRealm } from './realm-queries.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError, wrapError } from '../runner-errors.js';
import { ensureRealmLocked } from './ensure-realm.js';
import { removeRealmHost } from './realm-host.js';
import { failpoint } from '../failpoint.js';

export interface CreateRealmResult {
  realm: Realm;
  created: boolean;
  metadataExistedBefore: boolean;
  namespaceExistedBefore: boolean;
  namespaceCreated: boolean;
  cgroupExistedBefore: boolean;
  cgroupCreated: boolean;
}

/**
 * Creates a realm: metadata stub (Creating) → containerd namespace → cgroup → Ready. An existing
 * realm is ensured instead (missing pieces recreated). A failure rolls back what this call made,
 * so a reported failure leaves nothing; a crash leaves an intent that recovery finishes.
 */
export async function createRealm(ctx: RunnerContext, input: Realm): Promise<CreateRealmResult> {
  const name = validName('realm', input.metadata.name);
  const namespace = input.spec.namespace?.trim() || realmNamespace(name, ctx.config.namespaceSuffix);
  validNamespace(namespace);
  return withRealmLock(ctx, name, async () => {
    const existing = await getRealm(ctx, name);
    if (existing) {
      const ensured = await ensureRealmLocked(ctx, existing);
      return { ...ensured, created: false, metadataExistedBefore: true };
    }
    const { registryCredentials, ...spec } = input.spec;
    return withIntent(
      ctx,
      { op: 'create', kind: 'Realm', key: name, desired: 'present' },
      async () => {
        // Passwords go into the Secret store before the metadata that names them (a crash in
        // between leaves Secrets of a realm without metadata: the sweep and the rollback remove them).
        const stored = await storeRealmCredentials(ctx, name, registryCredentials);
        const stub: Realm = {
          metadata: { name, labels: withManagedLabels(input.metadata.labels, realmManagedLabels(namespace)) },
          spec: { ...spec, namespace, ...(stored ? { registryCredentials: stored } : {}) },
          status: { state: 'Creating', cgroupPath: '' },
        };
        await persistResource(ctx, 'Realm', scopes.realm(name), stub);
        failpoint('realm.create.after-stub');
        try {
          const ensured = await ensureRealmLocked(ctx, stub);
          return { ...ensured, created: true, metadataExistedBefore: false };
        } catch (err) {
          throw wrapError(ErrorCode.CREATE_REALM, `failed to create realm "${name}"`, err);
        }
      },
      {
        rollback: async () => {
          await removeRealmHost(ctx, name, namespace);
          await removeScopeSecrets(ctx, scopes.realm(name));
          await ctx.store.removeScope(scopes.realm(name));
        },
      },
    );
  });
}

const identifier = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;

/** containerd's identifier rule, checked before anything is created. */
function validNamespace(namespace: string): void {
  if (namespace.length > 76 || !identifier.test(namespace)) {
    throw new RunnerError(
      ErrorCode.INVALID_NAME,
      `realm namespace "${namespace}" is invalid: containerd namespaces are 1-76 characters of letters and digits separated by single '.', '_' or '-'`,
    );
  }
}
