/**
 * Broken and unusual archives for tests, derived from the reproducible test images. Test code
 * only: archives are read whole into memory (they are ~1–2 MB).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeTar, type TarEntry } from '../../../scripts/make-test-images.js';
import { readTarIndex } from '../../../src/images/tar-index.js';

const sha = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

/** The regular files of a tarball, in archive order. */
export async function readEntries(file: string): Promise<Map<string, Buffer>> {
  const idx = await readTarIndex(file);
  const all = readFileSync(file);
  const out = new Map<string, Buffer>();
  for (const [name, e] of [...idx.entries()].sort((a, b) => a[1].offset - b[1].offset)) {
    out.set(name, all.subarray(e.offset, e.offset + e.size));
  }
  return out;
}

export function writeEntries(file: string, entries: Map<string, Buffer>): void {
  writeFileSync(file, writeTar([...entries].map(([name, data]): TarEntry => ({ name, type: 'file', data }))));
}

/** Copies the first `bytes` bytes only, as an interrupted download would. */
export function truncateArchive(src: string, dst: string, bytes: number): void {
  writeFileSync(dst, readFileSync(src).subarray(0, bytes));
}

export async function withoutEntry(src: string, dst: string, name: string): Promise<void> {
  const e = await readEntries(src);
  e.delete(name);
  writeEntries(dst, e);
}

interface Json {
  [k: string]: unknown;
}

/**
 * Rewrites a single-manifest OCI archive: `layer` may change the bytes of layer `i` while the
 * manifest keeps the old digest (a corrupt blob); `config` may edit the config JSON, in which
 * case the config, manifest and index.json digests are recomputed (a consistent archive whose
 * diff IDs lie).
 */
export async function mutateOci(
  src: string,
  dst: string,
  opts: { layer?: { index: number; mutate: (b: Buffer) => Buffer }; config?: (c: Json) => void },
): Promise<void> {
  const e = await readEntries(src);
  const blob = (d: string): Buffer => e.get(`blobs/sha256/${d.slice(7)}`)!;
  const index = JSON.parse(e.get('index.json')!.toString()) as { manifests: Json[] };
  const mdesc = index.manifests[0] as { digest: string; size: number };
  const manifest = JSON.parse(blob(mdesc.digest).toString()) as {
    config: Json;
    layers: Array<{ digest: string }>;
  };
  if (opts.layer) {
    const d = manifest.layers[opts.layer.index].digest;
    e.set(`blobs/sha256/${d.slice(7)}`, opts.layer.mutate(Buffer.from(blob(d))));
  }
  if (opts.config) {
    const cdesc = manifest.config as { digest: string; size: number };
    const config = JSON.parse(blob(cdesc.digest).toString()) as Json;
    opts.config(config);
    const cdata = Buffer.from(JSON.stringify(config));
    e.delete(`blobs/sha256/${cdesc.digest.slice(7)}`);
    cdesc.digest = sha(cdata);
    cdesc.size = cdata.length;
    e.set(`blobs/sha256/${cdesc.digest.slice(7)}`, cdata);
    const mdata = Buffer.from(JSON.stringify(manifest));
    e.delete(`blobs/sha256/${mdesc.digest.slice(7)}`);
    mdesc.digest = sha(mdata);
    mdesc.size = mdata.length;
    e.set(`blobs/sha256/${mdesc.digest.slice(7)}`, mdata);
    // Keep index.json last, as in the originals.
    e.delete('index.json');
    e.set('index.json', Buffer.from(JSON.stringify(index)));
  }
  writeEntries(dst, e);
}

/** Same archive with index.json rewritten by `edit` (names, platforms). */
export async function editIndex(
  src: string,
  dst: string,
  edit: (index: { manifests: Json[] }) => void,
): Promise<void> {
  const e = await readEntries(src);
  const index = JSON.parse(e.get('index.json')!.toString()) as { manifests: Json[] };
  edit(index);
  e.set('index.json', Buffer.from(JSON.stringify(index)));
  writeEntries(dst, e);
}
