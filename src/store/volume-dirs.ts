import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { isErrno } from './store-errors.js';

/**
 * Where Volumes live in the metadata tree (docs/volumes.md): a Volume *is* the directory
 * `<scope dir>/volumes/<name>/`; a `Retain` one also has `<scope dir>/volume-meta/<name>.json`.
 * The store knows this much so that tearing a scope down never takes a retained volume with it.
 */
export const VOLUMES_DIR = 'volumes';
export const VOLUME_META_DIR = 'volume-meta';

export const volumeDirIn = (scopeDir: string, name: string): string => join(scopeDir, VOLUMES_DIR, name);
export const volumeMetaIn = (scopeDir: string, name: string): string =>
  join(scopeDir, VOLUME_META_DIR, `${name}.json`);

/** Deepest scope that holds volumes: realm / space / stack (three levels below the data root). */
const MAX_VOLUME_DEPTH = 3;

async function dirNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return [];
    throw err;
  }
}

async function fileNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return [];
    throw err;
  }
}

/**
 * Every scope directory at `depth` (1 = realm) … 3 (stack) below `dir` and dir itself, as path
 * segments relative to `dir`; directories without a metadata.json count too (a retained volume
 * outlives its scope's document).
 */
export async function scopeDirsUnder(dir: string, depth: number): Promise<string[][]> {
  const out: string[][] = [[]];
  if (depth >= MAX_VOLUME_DEPTH) return out;
  for (const name of await dirNames(dir)) {
    if (name === VOLUMES_DIR || name === VOLUME_META_DIR) continue;
    for (const sub of await scopeDirsUnder(join(dir, name), depth + 1)) out.push([name, ...sub]);
  }
  return out;
}

/** Names of the volume directories of one scope directory. */
export const volumeNamesIn = (scopeDir: string): Promise<string[]> => dirNames(join(scopeDir, VOLUMES_DIR));

/** Names of the Retain manifests of one scope directory. */
export async function retainedNamesIn(scopeDir: string): Promise<string[]> {
  return (await fileNames(join(scopeDir, VOLUME_META_DIR)))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length));
}

/**
 * `rm -rf dir`, except retained volumes below it (their directories, their manifests and the
 * directories leading to them): what deleting a scope does (docs/volumes.md, "Reclaim policy").
 * `depth` is the scope level of `dir` (1 = realm). Returns the kept volume paths, relative to dir.
 */
export async function reclaimScopeDir(dir: string, depth: number): Promise<string[]> {
  const keep = new Set<string>();
  for (const rel of await scopeDirsUnder(dir, depth)) {
    const scopeDir = join(dir, ...rel);
    const present = new Set(await volumeNamesIn(scopeDir));
    for (const name of await retainedNamesIn(scopeDir)) {
      if (!present.has(name)) continue;
      keep.add(join(...rel, VOLUMES_DIR, name));
      keep.add(join(...rel, VOLUME_META_DIR, `${name}.json`));
    }
  }
  if (keep.size === 0) {
    await rm(dir, { recursive: true, force: true });
    return [];
  }
  await prune(dir, '', keep);
  return [...keep].filter((p) => !p.endsWith('.json')).sort();
}

async function prune(dir: string, rel: string, keep: ReadonlySet<string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(join(dir, rel), { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  for (const e of entries) {
    const path = rel === '' ? e.name : join(rel, e.name);
    if (keep.has(path)) continue;
    const leads = [...keep].some((k) => k.startsWith(`${path}/`));
    if (leads && e.isDirectory()) await prune(dir, path, keep);
    else await rm(join(dir, path), { recursive: true, force: true });
  }
}
