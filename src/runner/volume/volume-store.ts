import { ErrorCode } from '../../error-codes.js';
import { chmod, chown, lstat, mkdir, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

import {
  atomicWriteFile,
  ensureDir,
  isErrno,
  scopeDirsUnder,
  VOLUMES_DIR,
  volumeDirIn,
  volumeMetaIn,
  volumeNamesIn,
  type Intent,
} from '../../store/index.js';
import { failpoint } from '../failpoint.js';
import { withIntent } from '../intent.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError, wrapError } from '../runner-errors.js';

export type ReclaimPolicy = 'Delete' | 'Retain';

/** Where a Volume sits: a realm, optionally a space, optionally a stack of that space. */
export interface VolumeScope {
  realm: string;
  space?: string;
  stack?: string;
}

/** A Volume as the host holds it (docs/volumes.md). */
export interface VolumeRecord {
  name: string;
  scope: VolumeScope;
  reclaimPolicy: ReclaimPolicy;
  /** The directory. */
  path: string;
  createdAt: Date;
  /** The scope's own document exists (false: retained, or orphaned by a crash or a hand edit). */
  scopeExists: boolean;
}

/** `[realm, space?, stack?]`. */
export function volumeScopeSegments(s: VolumeScope): string[] {
  if (s.stack && !s.space)
    throw new RunnerError(ErrorCode.INVALID_NAME, 'volume scope is incomplete (stack set without space)');
  return [s.realm, ...(s.space ? [s.space] : []), ...(s.space && s.stack ? [s.stack] : [])];
}

/** The scope of `[realm, space?, stack?]`. */
export function volumeScopeOf(segments: readonly string[]): VolumeScope {
  const [realm, space, stack] = segments;
  return { realm, ...(space && { space }), ...(stack && { stack }) };
}

/** Directory of the volume (it need not exist). */
export const volumePath = (ctx: RunnerContext, scope: VolumeScope, name: string): string =>
  volumeDirIn(ctx.store.scopeDir(volumeScopeSegments(scope)), checkedName(name));

/** Intent key and lock of one volume: its path below the data root (`r/s/volumes/name`). */
export const volumeKey = (scope: VolumeScope, name: string): string =>
  [...volumeScopeSegments(scope), VOLUMES_DIR, name].join('/');

function checkedName(name: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name) || name.includes('..'))
    throw new RunnerError(ErrorCode.INVALID_NAME, `volume name "${name}" is not a safe directory name`);
  return name;
}

/** The volume at exactly these coordinates, or undefined. */
export async function getVolume(
  ctx: RunnerContext,
  scope: VolumeScope,
  name: string,
): Promise<VolumeRecord | undefined> {
  const segments = volumeScopeSegments(scope);
  const scopeDir = ctx.store.scopeDir(segments);
  const path = volumeDirIn(scopeDir, checkedName(name));
  const st = await stat(path).catch((err: unknown) => {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  });
  if (!st?.isDirectory()) return undefined;
  const retained = await stat(volumeMetaIn(scopeDir, name)).then(
    () => true,
    () => false,
  );
  return {
    name,
    scope: volumeScopeOf(segments),
    reclaimPolicy: retained ? 'Retain' : 'Delete',
    path,
    createdAt: st.birthtimeMs > 0 ? st.birthtime : st.ctime,
    scopeExists: await ctx.store.exists(segments),
  };
}

/**
 * Every volume on the host, sorted by scope then name; each coordinate given narrows to the
 * volumes at or below it (`{realm: 'r'}`: the realm's and those of its spaces and stacks).
 * Directories of scopes that no longer have a document are walked too: retained volumes live there.
 */
export async function listVolumes(
  ctx: RunnerContext,
  filter: Partial<VolumeScope> = {},
): Promise<VolumeRecord[]> {
  const root = ctx.store.dataRoot;
  const out: VolumeRecord[] = [];
  for (const rel of await scopeDirsUnder(root, 0)) {
    if (rel.length === 0) continue;
    const s = volumeScopeOf(rel);
    if ((filter.realm && s.realm !== filter.realm) || (filter.space && s.space !== filter.space)) continue;
    if (filter.stack && s.stack !== filter.stack) continue;
    for (const name of await volumeNamesIn(join(root, ...rel))) {
      const v = await getVolume(ctx, s, name).catch(() => undefined);
      if (v) out.push(v);
    }
  }
  return out;
}

/**
 * Creates the volume directory (02770 root:kukeon group, or 0770 without one) and sets its reclaim
 * policy; an existing volume keeps its data, owner and mode and only takes the new policy.
 * Under an intent: a crash in between is finished by recovery (`finishVolumeIntent`).
 */
export async function writeVolume(
  ctx: RunnerContext,
  scope: VolumeScope,
  name: string,
  policy: ReclaimPolicy,
): Promise<{ record: VolumeRecord; created: boolean; updated: boolean }> {
  const key = volumeKey(scope, checkedName(name));
  return withVolumeLock(ctx, key, async () => {
    const before = await getVolume(ctx, scope, name);
    if (before && before.reclaimPolicy === policy) return { record: before, created: false, updated: false };
    await withIntent(
      ctx,
      { op: 'create', kind: 'Volume', key, desired: 'present', payload: { scope, name, policy } },
      () => ensureVolumeDir(ctx, scope, name, policy),
    );
    const record = await getVolume(ctx, scope, name);
    if (!record) throw new RunnerError(ErrorCode.WRITE_VOLUME, `volume "${name}" vanished while written`);
    return { record, created: before === undefined, updated: before !== undefined };
  });
}

async function ensureVolumeDir(
  ctx: RunnerContext,
  scope: VolumeScope,
  name: string,
  policy: ReclaimPolicy,
): Promise<void> {
  const scopeDir = ctx.store.scopeDir(volumeScopeSegments(scope));
  const path = volumeDirIn(scopeDir, name);
  try {
    await ensureDir(join(scopeDir, VOLUMES_DIR), 0o755);
    let made = true;
    await mkdir(path).catch((err: unknown) => {
      if (!isErrno(err, 'EEXIST')) throw err;
      made = false;
    });
    if (!(await stat(path)).isDirectory())
      throw new RunnerError(ErrorCode.WRITE_VOLUME, `${path} exists and is not a directory`);
    const gid = ctx.config.kukeonGroupGid;
    if (made) {
      if (gid) await chown(path, 0, gid);
      await chmod(path, gid ? 0o2770 : 0o770);
    }
    failpoint('volume.create.after-dir');
    const meta = volumeMetaIn(scopeDir, name);
    if (policy === 'Retain') {
      await ensureDir(join(scopeDir, 'volume-meta'), 0o700);
      await atomicWriteFile(meta, '{"reclaimPolicy":"Retain"}\n', { mode: 0o600 });
    } else await unlink(meta).catch(ignoreMissing);
  } catch (err) {
    if (err instanceof RunnerError) throw err;
    throw wrapError(ErrorCode.WRITE_VOLUME, `failed to write volume "${name}"`, err);
  }
}

/**
 * Removes the volume directory with everything in it, then its Retain manifest; false when there
 * was no such volume. Under an intent: a crash half-way is finished by recovery. `refuse` (the
 * in-use check) runs under the volume's lock, which a container create also takes to resolve the
 * volume: no cell can pick the directory up between the check and the removal.
 */
export async function deleteVolume(
  ctx: RunnerContext,
  scope: VolumeScope,
  name: string,
  refuse?: (v: VolumeRecord) => Promise<void>,
): Promise<boolean> {
  const key = volumeKey(scope, checkedName(name));
  return withVolumeLock(ctx, key, async () => {
    const v = await getVolume(ctx, scope, name);
    if (!v) return false;
    await refuse?.(v);
    await withIntent(
      ctx,
      { op: 'delete', kind: 'Volume', key, desired: 'absent', payload: { scope, name } },
      () => removeVolumeDir(ctx, scope, name),
    );
    return true;
  });
}

async function removeVolumeDir(ctx: RunnerContext, scope: VolumeScope, name: string): Promise<void> {
  const scopeDir = ctx.store.scopeDir(volumeScopeSegments(scope));
  await rm(volumeDirIn(scopeDir, name), { recursive: true, force: true });
  failpoint('volume.delete.after-dir');
  await unlink(volumeMetaIn(scopeDir, name)).catch(ignoreMissing);
}

/** Recovery of an interrupted create (`present`: finished) or delete (`absent`: finished). */
export async function finishVolumeIntent(ctx: RunnerContext, intent: Intent): Promise<void> {
  const p = intent.payload as { scope?: VolumeScope; name?: string; policy?: ReclaimPolicy } | undefined;
  if (!p?.scope || !p.name) throw new Error(`volume intent ${intent.key} has no scope or name`);
  if (intent.desired === 'present') await ensureVolumeDir(ctx, p.scope, p.name, p.policy ?? 'Delete');
  else await removeVolumeDir(ctx, p.scope, p.name);
}

/** In-process lock of one volume (never the realm's: a cell create ensures volumes under its own). */
export const volumeLockKey = (intentKey: string): string => `volume/${intentKey}`;

export async function withVolumeLock<T>(ctx: RunnerContext, key: string, fn: () => Promise<T>): Promise<T> {
  const release = await ctx.locks.acquire(volumeLockKey(key));
  try {
    return await fn();
  } finally {
    release();
  }
}

/** Bytes the directory takes on disk (allocated blocks, symlinks not followed). */
export async function diskUsage(path: string): Promise<number> {
  let total = 0;
  const walk = async (p: string): Promise<void> => {
    const st = await lstat(p).catch(() => undefined);
    if (!st) return;
    total += st.blocks * 512;
    if (!st.isDirectory()) return;
    for (const e of await readdir(p).catch(() => [] as string[])) await walk(join(p, e));
  };
  await walk(path);
  return total;
}

const ignoreMissing = (err: unknown): void => {
  if (!isErrno(err, 'ENOENT')) throw err;
};
