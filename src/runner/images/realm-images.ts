import {
  parseRegistryReference,
  type ImageSummary,
  type ImportProgress,
  type ImportResult,
  type PullProgress,
  type PullResult,
} from '../../images/index.js';
import type { EventInput } from '../../model/kukeon-event.js';
import type { Realm } from '../../model/resources.js';
import { failpoint } from '../failpoint.js';
import { leaseAbandoned, ownedLeaseLabels } from '../lease-owner.js';
export type { ImageSummary, ImportProgress, ImportResult, PullProgress, PullResult };
import type { PullRequester, RunnerContext } from '../runner-context.js';
import { requireRealm } from '../realm/realm-queries.js';
import { matchRegistryCredential } from './registry-credential-match.js';
import { readCredentialPassword } from './realm-credentials.js';

/**
 * Images are per realm: they live in the realm's containerd namespace. The realm
 * must exist (REALM_NOT_FOUND otherwise); its stored namespace is used, not a recomputed one
 * (the original recomputed it, and missed realms created with another suffix). A missing image is the images layer's typed IMAGE_NOT_FOUND.
 */
async function realmNamespaceOf(ctx: RunnerContext, realm: string): Promise<string> {
  return (await requireRealm(ctx, realm)).spec.namespace;
}

export async function loadImage(
  ctx: RunnerContext,
  realm: string,
  file: string,
  onProgress?: (p: ImportProgress) => void,
): Promise<ImportResult> {
  return ctx.images.import(await realmNamespaceOf(ctx, realm), file, { onProgress });
}

export async function listImages(ctx: RunnerContext, realm: string): Promise<ImageSummary[]> {
  return ctx.images.list(await realmNamespaceOf(ctx, realm));
}

export async function getImage(ctx: RunnerContext, realm: string, name: string): Promise<ImageSummary> {
  return ctx.images.get(await realmNamespaceOf(ctx, realm), name);
}

/** Deletes the image record with a synchronous GC: layers no other image or container uses go. */
export async function deleteImage(ctx: RunnerContext, realm: string, name: string): Promise<void> {
  await ctx.images.delete(await realmNamespaceOf(ctx, realm), name, { sync: true });
}

/**
 * Pulls `ref` into a realm with the realm's matching registry credential; the image is recorded
 * under its normalised reference. The pull lease names this process, so the ownership sweep
 * removes it if the process dies mid-pull.
 */
export async function pullRealmImage(
  ctx: RunnerContext,
  realm: Realm,
  ref: string,
  onProgress?: (p: PullProgress) => void,
): Promise<PullResult> {
  const entry = matchRegistryCredential(realm.spec.registryCredentials, parseRegistryReference(ref));
  const credential = entry && {
    username: entry.username,
    password: readCredentialPassword(ctx, realm.metadata.name, entry),
  };
  let halfway = false;
  return ctx.images.pull(realm.spec.namespace, ref, {
    auth: { realm: realm.metadata.name, ...(credential ? { credential } : {}) },
    onProgress: (p) => {
      // Crash points of the chaos harness (docs/chaos.md): layers half written, and every layer
      // stored and unpacked but neither the manifest nor the record written yet.
      if (!halfway && p.phase === 'write' && p.bytesTotal > 0 && p.bytesDone * 2 >= p.bytesTotal) {
        halfway = true;
        failpoint('image.pull.mid-layers');
      }
      if (p.phase === 'unpack') failpoint('image.pull.before-record');
      onProgress?.(p);
    },
    leaseLabels: ownedLeaseLabels(),
    leaseAbandoned,
    onSettled: (outcome) => ctx.events?.emit(pullEvent(realm.metadata.name, ref, outcome)),
  });
}

/** One event per pull (docs/events.md): what was fetched, or why it failed. */
export function pullEvent(
  realm: string,
  ref: string,
  outcome: { result: PullResult } | { error: unknown },
): EventInput {
  if ('error' in outcome) {
    const why = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
    return {
      kind: 'Image',
      type: 'Warning',
      reason: 'PullFailed',
      realm,
      name: ref,
      message: `pull ${ref}: ${why}`,
    };
  }
  const r = outcome.result;
  const fetched =
    r.blobsFetched === 0
      ? 'up to date, nothing fetched'
      : `${r.blobsFetched} blob(s), ${r.bytesFetched} bytes fetched, ${r.layersUnpacked} layer(s) unpacked`;
  return {
    kind: 'Image',
    reason: 'Pulled',
    realm,
    name: r.name,
    message: `pulled ${r.name} (${r.manifestDigest}): ${fetched}`,
  };
}

/**
 * pullRealmImage, told to `ctx.onPullProgress` as it goes and then how it ended (kukeond's pull
 * board, docs/images.md "Progress of pulls"); a failure is rethrown as it is.
 */
export async function reportedPull(
  ctx: RunnerContext,
  realm: Realm,
  image: string,
  requester: PullRequester,
  onProgress?: (p: PullProgress) => void,
): Promise<PullResult> {
  const told = ctx.onPullProgress;
  if (!told) return pullRealmImage(ctx, realm, image, onProgress);
  let last: PullProgress = { phase: 'write', bytesDone: 0, bytesTotal: 0, layersDone: 0, layersTotal: 0 };
  let pulled: PullResult;
  try {
    pulled = await pullRealmImage(ctx, realm, image, (p) => {
      last = p;
      told(requester, image, p);
      onProgress?.(p);
    });
  } catch (err) {
    told(requester, image, last, { error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  told(requester, image, last, { digest: pulled.target.digest, bytes: last.bytesTotal });
  return pulled;
}

/** What `pullImage` did, and where: the realm's containerd namespace. */
export type RealmPullResult = PullResult & { namespace: string };

/** `kuke image pull` / `PullImage`: the realm's credentials, shown on the pull board as the realm's. */
export async function pullImage(
  ctx: RunnerContext,
  realm: string,
  ref: string,
  onProgress?: (p: PullProgress) => void,
): Promise<RealmPullResult> {
  const r = await requireRealm(ctx, realm);
  const pulled = await reportedPull(ctx, r, ref, { realm: r.metadata.name }, onProgress);
  return { ...pulled, namespace: r.spec.namespace };
}
