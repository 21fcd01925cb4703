import { ErrorCode } from '../error-codes.js';
import { createHash } from 'node:crypto';
import type { ContainerdClient } from '../containerd/client.js';
import type { Scope } from '../containerd/types.js';
import type { PlannedBlob } from './archive-plan.js';
import { ImageError } from './errors.js';
import { streamTarFile } from './tar-index.js';

/**
 * Ingest ref of a blob, unique to one import (its lease): two imports of the same blob never
 * contend for a locked ref (containerd answers that with UNAVAILABLE, indistinguishable from a
 * dead daemon); the loser's COMMIT gets ALREADY_EXISTS, which counts as success. An ingest left
 * by a crashed import belongs to its lease and goes when the lease expires.
 */
export function ingestRef(importId: string, digest: string): string {
  return `${importId}-${digest}`;
}

/**
 * Stores one planned blob in containerd's content store under the import lease, streaming tar
 * entries straight from the file. The bytes are hashed on the way and compared with the
 * descriptor before the final chunk is committed, so a corrupt blob fails with
 * IMAGE_DIGEST_MISMATCH naming it, and the ingest is aborted (nothing is left behind). containerd
 * checks digest and size again at commit. A blob that already exists in the namespace is not
 * re-sent (the Write stream answers ALREADY_EXISTS and the lease takes a reference to it).
 * Returns false when the blob already existed.
 */
export async function writeBlob(
  client: ContainerdClient,
  scope: Scope,
  importId: string,
  file: string,
  blob: PlannedBlob,
  onBytes: (n: number) => void,
): Promise<boolean> {
  const { desc, source } = blob;
  if (!source) {
    // "Skip missing blobs": the archive may omit a blob the store already has.
    try {
      await client.content.info(scope, desc.digest);
    } catch (err) {
      throw new ImageError(
        ErrorCode.IMAGE_ARCHIVE_INVALID,
        `${file}: blob ${desc.digest} (${desc.mediaType}) is neither in the archive nor in containerd`,
        { cause: err },
      );
    }
    if (Object.keys(blob.labels).length) await client.content.updateLabels(scope, desc.digest, blob.labels);
    return false;
  }
  let mismatch: string | undefined;
  // Metadata blobs were read and digest-checked by the planner; only tar entries stream.
  const entry = source.kind === 'tar' ? source.entry : undefined;
  async function* hashed(): AsyncIterable<Uint8Array> {
    if (!entry) return;
    const h = createHash('sha256');
    let n = 0;
    for await (const chunk of streamTarFile(file, entry) as AsyncIterable<Buffer>) {
      h.update(chunk);
      n += chunk.length;
      onBytes(chunk.length);
      yield chunk;
    }
    const actual = 'sha256:' + h.digest('hex');
    if (n !== desc.size || (desc.digest.startsWith('sha256:') && actual !== desc.digest)) {
      mismatch = n !== desc.size ? `${n} bytes, expected ${desc.size}` : `digest ${actual}`;
      // Thrown before the COMMIT goes out: the writer aborts the ingest.
      throw new ImageError(ErrorCode.IMAGE_DIGEST_MISMATCH, `${file}: blob ${desc.digest} has ${mismatch}`);
    }
  }
  try {
    const res = await client.content.write(scope, {
      ref: ingestRef(importId, desc.digest),
      data: source.kind === 'tar' ? hashed() : source.data,
      total: desc.size,
      expected: desc.digest,
      labels: blob.labels,
    });
    if (!entry) onBytes(desc.size);
    if (res.existed && Object.keys(blob.labels).length) {
      // An earlier import stored it; make sure its GC references are there too.
      await client.content.updateLabels(scope, desc.digest, blob.labels);
    }
    return !res.existed;
  } catch (err) {
    if (mismatch !== undefined) {
      throw new ImageError(
        ErrorCode.IMAGE_DIGEST_MISMATCH,
        `${file}: blob ${desc.digest} (${desc.mediaType}) has ${mismatch}`,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}
