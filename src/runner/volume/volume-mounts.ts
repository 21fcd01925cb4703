import { ErrorCode } from '../../error-codes.js';
import { chmod, chown } from 'node:fs/promises';

import type { ContainerSpec, VolumeMount } from '../../model/container.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';
import {
  getVolume,
  volumeKey,
  withVolumeLock,
  writeVolume,
  type VolumeRecord,
  type VolumeScope,
} from './volume-store.js';

/** The scope of a cell: where a bare `source` is looked up first. */
export interface CellScope {
  realm: string;
  space: string;
  stack: string;
}

/** Where a `kind: volume` mount may be found, nearest first (docs/volumes.md, "Mounting"). */
export function candidateScopes(cell: CellScope, m: VolumeMount): { scope: VolumeScope; name: string }[] {
  if (m.volumeRef) {
    const r = m.volumeRef;
    return [
      {
        scope: {
          realm: r.realm,
          ...(r.space && { space: r.space }),
          ...(r.space && r.stack && { stack: r.stack }),
        },
        name: r.name,
      },
    ];
  }
  const name = m.source ?? '';
  return [
    { scope: { realm: cell.realm, space: cell.space, stack: cell.stack }, name },
    { scope: { realm: cell.realm, space: cell.space }, name },
    { scope: { realm: cell.realm }, name },
  ];
}

/**
 * The volume a mount names: the first existing candidate, or undefined. `locked`: each candidate
 * is read under its volume's lock, so a delete in progress (check and removal) is waited for.
 */
export async function locateVolume(
  ctx: RunnerContext,
  cell: CellScope,
  m: VolumeMount,
  opts: { locked?: boolean } = {},
): Promise<VolumeRecord | undefined> {
  for (const c of candidateScopes(cell, m)) {
    const read = () => getVolume(ctx, c.scope, c.name);
    const v = opts.locked ? await withVolumeLock(ctx, volumeKey(c.scope, c.name), read) : await read();
    if (v) return v;
  }
  return undefined;
}

const where = (s: VolumeScope): string =>
  [`realm "${s.realm}"`, s.space && `space "${s.space}"`, s.stack && `stack "${s.stack}"`]
    .filter(Boolean)
    .join(', ');

/**
 * The container with its `kind: volume` mounts turned into bind mounts of the volumes'
 * directories: a `source` is looked up in the cell's stack, then space, then realm; a `volumeRef`
 * at exactly its coordinates. A missing volume is created when the mount says `ensure` (at the
 * volumeRef's coordinates, else at the cell's stack; the scope must exist), else refused naming
 * where it was looked for. Also returns the directories mounted writable (see `claimVolumeDirs`).
 */
export async function resolveVolumeMounts(
  ctx: RunnerContext,
  cell: CellScope,
  c: ContainerSpec,
): Promise<{ container: ContainerSpec; writable: string[] }> {
  if (!(c.volumes ?? []).some((v) => v.kind === 'volume')) return { container: c, writable: [] };
  const writable: string[] = [];
  const volumes: VolumeMount[] = [];
  for (const m of c.volumes ?? []) {
    if (m.kind !== 'volume') {
      volumes.push(m);
      continue;
    }
    // Under the volume's lock: a delete either saw this cell (its stub and intent are written
    // before its containers are made, so it refused) or has finished (and this finds nothing).
    let v = await locateVolume(ctx, cell, m, { locked: true });
    if (!v) {
      const candidates = candidateScopes(cell, m);
      const name = candidates[0].name;
      if (!m.ensure)
        throw new RunnerError(
          ErrorCode.VOLUME_NOT_FOUND,
          `volume "${name}" not found for container "${c.id}" (looked in ${candidates.map((x) => where(x.scope)).join('; ')})`,
        );
      const at = candidates[0].scope;
      const segments = [at.realm, ...(at.space ? [at.space] : []), ...(at.stack ? [at.stack] : [])];
      if (!(await ctx.store.exists(segments)))
        throw new RunnerError(
          ErrorCode.VOLUME_NOT_FOUND,
          `volume "${name}" cannot be ensured for container "${c.id}": ${where(at)} does not exist`,
        );
      v = (await writeVolume(ctx, at, name, 'Delete')).record;
    }
    if (!m.readOnly) writable.push(v.path);
    volumes.push({ kind: 'bind', source: v.path, target: m.target, readOnly: m.readOnly });
  }
  return { container: { ...c, volumes }, writable };
}

/**
 * Hands the writable volume directories to the user the container runs as, so a non-root
 * process can write its own data (as upstream kukeon does): owner uid:gid, mode 02770 with the
 * kukeon group's setgid bit (0770 without one). Root containers leave them as they are.
 */
export async function claimVolumeDirs(
  ctx: RunnerContext,
  paths: readonly string[],
  user: { uid: number; gid: number },
): Promise<void> {
  if (user.uid === 0) return;
  for (const path of paths) {
    await chown(path, user.uid, user.gid);
    await chmod(path, ctx.config.kukeonGroupGid ? 0o2770 : 0o770);
  }
}
