import { ErrorCode } from '../error-codes.js';
import { diffRealm, diffSpace, diffStack } from '../model/diff/scope-diff.js';
import type { DiffResult } from '../model/diff/change.js';
import { isManagedLabelKey } from '../model/naming/index.js';
import type { Realm, Space, Stack } from '../model/resources.js';
import { withRealmLock } from './intent.js';
import {
  desiredCredentialsAsStored,
  removeUnusedCredentialSecrets,
  storeRealmCredentials,
} from './images/realm-credentials.js';
import { persistResource } from './resource-store.js';
import { scopes } from './resource-names.js';
import type { RunnerContext } from './runner-context.js';
import { RunnerError } from './runner-errors.js';
import { requireRealm } from './realm/realm-queries.js';
import { requireSpace } from './space/space-queries.js';
import { applySpaceEgress } from './space/space-egress.js';
import { requireStack } from './stack/stack-queries.js';

export interface UpdateResult<M> {
  resource: M;
  diff: DiffResult;
}

/** Desired labels, plus every managed `*.kukeon.io` label of the existing one it does not set. */
function mergeLabels(
  desired: Record<string, string>,
  existing: Record<string, string>,
): Record<string, string> {
  const out = { ...desired };
  for (const [k, v] of Object.entries(existing)) if (isManagedLabelKey(k) && !(k in out)) out[k] = v;
  return out;
}

function rejectBreaking(kind: string, name: string, diff: DiffResult): void {
  if (diff.class !== 'rejected') return;
  const fields = diff.changes.filter((c) => c.class === 'breaking').map((c) => c.path);
  throw new RunnerError(
    ErrorCode.BREAKING_UPDATE,
    `${kind} "${name}" has breaking changes: [${fields.join(', ')}]; delete and recreate it to apply them`,
  );
}

/**
 * Compatible update of a realm (labels, registry credentials); breaking changes are refused.
 * Inline registry passwords go into the Secret store before the metadata naming them is written,
 * and the credential Secrets no entry names any more are removed after (realm-credentials.ts).
 */
export async function updateRealm(ctx: RunnerContext, desired: Realm): Promise<UpdateResult<Realm>> {
  return withRealmLock(ctx, desired.metadata.name, async () => {
    const actual = await requireRealm(ctx, desired.metadata.name);
    const diff = diffRealm(desiredCredentialsAsStored(ctx, desired, actual), actual);
    rejectBreaking('realm', actual.metadata.name, diff);
    if (diff.class === 'unchanged') return { resource: actual, diff };
    const name = actual.metadata.name;
    const registryCredentials = await storeRealmCredentials(
      ctx,
      name,
      desired.spec.registryCredentials,
      actual.spec.registryCredentials,
    );
    const next: Realm = {
      ...actual,
      metadata: { ...actual.metadata, labels: mergeLabels(desired.metadata.labels, actual.metadata.labels) },
      spec: { ...actual.spec, registryCredentials },
    };
    const written = await persistResource(ctx, 'Realm', scopes.realm(name), next);
    await removeUnusedCredentialSecrets(ctx, name, registryCredentials);
    return { resource: written, diff };
  });
}

/** Compatible update of a space (labels, container defaults, egress policy). */
export async function updateSpace(ctx: RunnerContext, desired: Space): Promise<UpdateResult<Space>> {
  return withRealmLock(ctx, desired.spec.realmId, async () => {
    const actual = await requireSpace(ctx, desired.spec.realmId, desired.metadata.name);
    const diff = diffSpace(desired, actual);
    rejectBreaking('space', actual.metadata.name, diff);
    if (diff.class === 'unchanged') return { resource: actual, diff };
    const next: Space = {
      ...actual,
      metadata: { ...actual.metadata, labels: mergeLabels(desired.metadata.labels, actual.metadata.labels) },
      spec: { ...actual.spec, defaults: desired.spec.defaults, network: desired.spec.network },
    };
    const scope = scopes.space(actual.spec.realmId, actual.metadata.name);
    const written = await persistResource(ctx, 'Space', scope, next);
    // A changed egress policy or cell isolation takes effect now, not at the next ensure.
    if (diff.changes.some((c) => c.path.startsWith('spec.network'))) {
      await applySpaceEgress(ctx, actual.spec.realmId, actual.metadata.name, {
        network: next.spec.network,
      });
    }
    return { resource: written, diff };
  });
}

/** Compatible update of a stack (labels, id). */
export async function updateStack(ctx: RunnerContext, desired: Stack): Promise<UpdateResult<Stack>> {
  return withRealmLock(ctx, desired.spec.realmId, async () => {
    const actual = await requireStack(ctx, desired.spec.realmId, desired.spec.spaceId, desired.metadata.name);
    const diff = diffStack(desired, actual);
    rejectBreaking('stack', actual.metadata.name, diff);
    if (diff.class === 'unchanged') return { resource: actual, diff };
    const next: Stack = {
      ...actual,
      metadata: { ...actual.metadata, labels: mergeLabels(desired.metadata.labels, actual.metadata.labels) },
      spec: { ...actual.spec, id: desired.spec.id || actual.spec.id },
    };
    const scope = scopes.stack(actual.spec.realmId, actual.spec.spaceId, actual.metadata.name);
    return { resource: await persistResource(ctx, 'Stack', scope, next), diff };
  });
}
