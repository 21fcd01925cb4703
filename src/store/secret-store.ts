import { closeSync, fstatSync, openSync, readFileSync, type BigIntStats } from 'node:fs';
import { lstat, readdir, rm, rmdir, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { atomicWriteFile, ensureDir, isTempName } from './atomic-write.js';
import { isErrno } from './store-errors.js';

/**
 * The root-only store of `kind: Secret` data (docs/secrets.md): one file per secret holding
 * exactly its data, nothing else, under a tree only root can enter (directories 0700, files 0600).
 * It lives beside the metadata tree, not in it, because the metadata tree is readable by the
 * kukeon group.
 *
 * Layout: `<root>/<realm>/<space>/<stack>/<cell>/<name>`, an absent coordinate written `_` —
 * a character no scope name may contain — so a realm-level secret named like a space can never
 * collide with that space's directory, and deleting a scope is one `rm -rf` of its directory.
 */
export const SECRET_DIR_MODE = 0o700;
export const SECRET_FILE_MODE = 0o600;
const NONE = '_';

export interface SecretCoordinates {
  name: string;
  realm: string;
  space?: string;
  stack?: string;
  cell?: string;
}

/** What may be told about a stored secret: never its data. */
export interface SecretInfo extends SecretCoordinates {
  sizeBytes: number;
  /** When the secret was first written (kept across updates). */
  createdAt: Date;
  /**
   * Changes on every write of the data (inode and change time of the file): what a container
   * built from the secret records, so a later change is seen without reading or hashing the data.
   */
  revision: string;
}

/** Scope levels of a secret, shallowest first; an absent level ends the list. */
function levels(c: Omit<SecretCoordinates, 'name'>): string[] {
  const out = [c.realm];
  for (const level of [c.space, c.stack, c.cell]) {
    if (!level) break;
    out.push(level);
  }
  return out;
}

/** Directory of one scope's secrets (`scope` = realm[, space[, stack[, cell]]]). */
export function secretScopeDir(root: string, scope: readonly string[]): string {
  const parts = [...scope];
  while (parts.length < 4) parts.push(NONE);
  return join(root, ...parts);
}

/**
 * Directory holding a scope and everything below it: the realm's own directory for a realm,
 * `<realm>/<space>` for a space, … Removing it removes every secret of the scope and its children.
 */
export function secretSubtreeDir(root: string, scope: readonly string[]): string {
  return join(root, ...scope);
}

export function secretFilePath(root: string, c: SecretCoordinates): string {
  return join(secretScopeDir(root, levels(c)), c.name);
}

/**
 * Writes a secret's data atomically (temp file 0600, fsync, rename). Returns whether it is new.
 * An update keeps the first write's time as the file's mtime (its `createdAt`).
 */
export async function writeSecretData(root: string, c: SecretCoordinates, data: string): Promise<boolean> {
  const path = secretFilePath(root, c);
  await ensureDir(root, SECRET_DIR_MODE);
  const before = await stat(path, { bigint: true }).catch((err: unknown) => {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  });
  await atomicWriteFile(path, data, {
    mode: SECRET_FILE_MODE,
    dirMode: SECRET_DIR_MODE,
    tmpPrefix: '.secret-',
  });
  if (before) await utimes(path, new Date(), Number(before.mtimeNs) / 1e9);
  return before === undefined;
}

/** Reads a secret's data and revision; undefined when there is no such secret. */
export function readSecretData(
  root: string,
  c: SecretCoordinates,
): { data: string; revision: string } | undefined {
  const path = secretFilePath(root, c);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
  try {
    // One open file: the revision is the one of the bytes read, even if a write races.
    const s = fstatSync(fd, { bigint: true });
    if (!s.isFile()) return undefined;
    return { data: readFileSync(fd, 'utf8'), revision: revisionOf(s) };
  } finally {
    closeSync(fd);
  }
}

function revisionOf(s: BigIntStats): string {
  return `${s.ino.toString(36)}.${s.ctimeNs.toString(36)}`;
}

/** The metadata of one secret (its file is stat'ed, never read); undefined when absent. */
export async function statSecret(root: string, c: SecretCoordinates): Promise<SecretInfo | undefined> {
  const path = secretFilePath(root, c);
  const s = await stat(path, { bigint: true }).catch((err: unknown) => {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  });
  if (!s || !s.isFile()) return undefined;
  return infoOf(c, s);
}

function infoOf(c: SecretCoordinates, s: BigIntStats): SecretInfo {
  return {
    ...c,
    sizeBytes: Number(s.size),
    // Whole seconds: what an update carries over (utimes) is exact to well under a second.
    createdAt: new Date(Number(s.mtimeNs / 1_000_000_000n) * 1000),
    revision: revisionOf(s),
  };
}

export interface SecretFilter {
  realm?: string;
  space?: string;
  stack?: string;
  cell?: string;
}

/**
 * Secrets at or below the filter's scope (no realm: every secret), sorted by scope then name.
 * A filter level narrows to that scope and its children.
 */
export async function listSecretInfos(root: string, filter: SecretFilter = {}): Promise<SecretInfo[]> {
  const fixed = [filter.realm, filter.space, filter.stack, filter.cell];
  const out: SecretInfo[] = [];
  const walk = async (dir: string, depth: number, coords: string[]): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return [];
      throw err;
    });
    if (depth === 4) {
      for (const e of entries) {
        if (!e.isFile() || isTempName(e.name)) continue;
        const [realm, space, stack, cell] = coords.map((x) => (x === NONE ? undefined : x));
        const c: SecretCoordinates = {
          name: e.name,
          realm: realm!,
          ...(space && { space }),
          ...(stack && { stack }),
          ...(cell && { cell }),
        };
        const s = await stat(join(dir, e.name), { bigint: true }).catch(() => undefined);
        if (s?.isFile()) out.push(infoOf(c, s));
      }
      return;
    }
    const want = fixed[depth];
    // Below a given level, an absent one only matches its own `_` directory when no deeper
    // level is asked for; otherwise walk every child scope.
    for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      if (want !== undefined && e.name !== want) continue;
      if (depth > 0 && coords[depth - 1] === NONE && e.name !== NONE) continue;
      await walk(join(dir, e.name), depth + 1, [...coords, e.name]);
    }
  };
  await walk(root, 0, []);
  return out;
}

/** Removes one secret; returns whether it existed. Empty scope directories are pruned. */
export async function deleteSecretData(root: string, c: SecretCoordinates): Promise<boolean> {
  const path = secretFilePath(root, c);
  const s = await lstat(path).catch(() => undefined);
  if (!s?.isFile()) return false;
  await rm(path, { force: true });
  await pruneEmpty(root, dirname(path));
  return true;
}

/** Removes every secret of a scope and of its children (the scope is being deleted). */
export async function removeSecretSubtree(root: string, scope: readonly string[]): Promise<void> {
  const dir = secretSubtreeDir(root, scope);
  await rm(dir, { recursive: true, force: true });
  await pruneEmpty(root, dirname(dir));
}

async function pruneEmpty(root: string, dir: string): Promise<void> {
  for (let d = dir; d.startsWith(`${root}/`); d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return; // not empty (or gone): stop
    }
  }
}
