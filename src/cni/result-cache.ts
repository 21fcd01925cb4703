import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile, isTempName } from '../store/atomic-write.js';
import type { CapabilityArgs, CniResult, RuntimeConf } from './types.js';

/**
 * The ADD result cache: what a later DEL or CHECK needs (prevResult) when the caller no longer
 * has it. Same layout and JSON as libcni's (`<cacheDir>/results/<network>-<containerID>-<ifName>`,
 * kind `cniCacheV1`, config base64) so tools that know libcni's cache can read ours.
 */
export interface CacheEntry {
  kind: 'cniCacheV1';
  containerId: string;
  /** The conflist bytes used for the ADD, base64 (Go's []byte JSON encoding). */
  config: string;
  ifName: string;
  networkName: string;
  cniArgs?: [string, string][];
  /** What the ADD was given (libcni caches it too): a DEL hands the same mappings to portmap. */
  capabilityArgs?: CapabilityArgs;
  result?: CniResult;
}

export function resultsDir(cacheDir: string): string {
  return join(cacheDir, 'results');
}

export function cacheFilePath(
  cacheDir: string,
  networkName: string,
  rt: Pick<RuntimeConf, 'containerId' | 'ifName'>,
): string {
  return join(resultsDir(cacheDir), `${networkName}-${rt.containerId}-${rt.ifName}`);
}

export async function writeCacheEntry(cacheDir: string, entry: CacheEntry): Promise<string> {
  const path = cacheFilePath(cacheDir, entry.networkName, entry);
  await atomicWriteFile(path, JSON.stringify(entry), { mode: 0o600, dirMode: 0o700 });
  return path;
}

/** The entry, or undefined when there is none or it is unreadable (a corrupt cache is no cache). */
export async function readCacheEntry(path: string): Promise<CacheEntry | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<CacheEntry>;
    if (v.kind !== 'cniCacheV1' || typeof v.networkName !== 'string' || typeof v.containerId !== 'string') {
      return undefined;
    }
    return v as CacheEntry;
  } catch {
    return undefined;
  }
}

export async function removeCacheEntry(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch {
    return false;
  }
}

/** Every readable entry under the cache, with its file path. */
export async function listCacheEntries(cacheDir: string): Promise<{ path: string; entry: CacheEntry }[]> {
  let names: string[];
  try {
    names = await readdir(resultsDir(cacheDir));
  } catch {
    return [];
  }
  const out: { path: string; entry: CacheEntry }[] = [];
  for (const name of names.sort()) {
    if (isTempName(name)) continue;
    const path = join(resultsDir(cacheDir), name);
    const entry = await readCacheEntry(path);
    if (entry) out.push({ path, entry });
  }
  return out;
}
