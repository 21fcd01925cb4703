import { ErrorCode } from '../../error-codes.js';
import {
  cellPublishedPorts,
  formatPublishedPort,
  portsClash,
  type OwnedPort,
  type PortsOwner,
} from '../../model/published-ports.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';
import { listSpaces } from '../space/space-queries.js';
import { listStacks } from '../stack/stack-queries.js';
import type { CellRef } from './cell-ref.js';
import { listCells } from './cell-store.js';

/** In-process lock key of the host's published ports (one per runner, across realms). */
const PORTS_LOCK = 'host/published-ports';

/**
 * Runs `fn` (which records the cell's new spec) holding the host's port lock, after checking that
 * no other cell of any realm publishes a host port these containers publish. A conflict is
 * PORT_CONFLICT naming the port and the cell holding it, thrown before `fn` runs: nothing is
 * changed. Called inside the cell's lock (the order every caller keeps: cell, then ports).
 * A cell claims its ports whatever its state (a stopped cell gets them back on start).
 */
export async function withPortClaim<T>(
  ctx: RunnerContext,
  ref: CellRef,
  containers: readonly PortsOwner[],
  fn: () => Promise<T>,
): Promise<T> {
  const release = await claimPorts(ctx, ref, containers);
  try {
    return await fn();
  } finally {
    release();
  }
}

/**
 * The check of withPortClaim; on success the caller holds the port lock until it calls the
 * returned release (after it recorded the new spec).
 */
export async function claimPorts(
  ctx: RunnerContext,
  ref: CellRef,
  containers: readonly PortsOwner[],
): Promise<() => void> {
  const wanted = cellPublishedPorts(containers);
  if (typeof wanted === 'string') {
    throw new RunnerError(ErrorCode.INVALID_CELL, `cell "${ref.name}": ${wanted}`);
  }
  if (wanted.length === 0) return () => undefined;
  const release = await ctx.locks.acquire(PORTS_LOCK);
  try {
    await assertPortsFree(ctx, ref, wanted);
  } catch (err) {
    release();
    throw err;
  }
  return release;
}

async function assertPortsFree(
  ctx: RunnerContext,
  ref: CellRef,
  wanted: readonly OwnedPort[],
): Promise<void> {
  const self = ref.scope.join('/');
  for (const space of await listSpaces(ctx)) {
    const realm = space.spec.realmId;
    const spaceName = space.metadata.name;
    for (const stack of await listStacks(ctx, realm, spaceName)) {
      for (const cell of await listCells(ctx, realm, spaceName, stack.metadata.name)) {
        const s = cell.spec;
        if ([s.realmId, s.spaceId, s.stackId, cell.metadata.name].join('/') === self) continue;
        const held = cellPublishedPorts(s.containers);
        if (typeof held === 'string') continue; // stored before validation existed: claims nothing usable
        for (const w of wanted) {
          const h = held.find((x) => portsClash(x, w));
          if (!h) continue;
          throw new RunnerError(
            ErrorCode.PORT_CONFLICT,
            `host port ${w.hostPort}/${w.protocol} (container "${w.container}" of cell "${ref.name}") is already published by cell "${cell.metadata.name}" (realm "${s.realmId}", space "${s.spaceId}", stack "${s.stackId}", ${formatPublishedPort(h)})`,
          );
        }
      }
    }
  }
}
