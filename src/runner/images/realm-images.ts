import type { ImageSummary, ImportProgress, ImportResult } from '../../images/index.js';
import type { RunnerContext } from '../runner-context.js';
import { requireRealm } from '../realm/realm-queries.js';

/**
 * Images are per realm: they live in the realm's containerd namespace (spec 02 §9). The realm
 * must exist (REALM_NOT_FOUND otherwise); its stored namespace is used, not a recomputed one
 * (fixes spec 02 §12 item 11). A missing image is the images layer's typed IMAGE_NOT_FOUND.
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
