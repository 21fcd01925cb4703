import { ErrorCode } from '../../error-codes.js';
import type { RunnerContext } from '../runner-context.js';
import { listCells } from '../cell/cell-store.js';
import { listRealms } from '../realm/realm-queries.js';
import { listSpaces } from '../space/space-queries.js';
import { listStacks } from '../stack/stack-queries.js';
import { RunnerError } from '../runner-errors.js';
import { scopes } from '../resource-names.js';
import { locateVolume } from './volume-mounts.js';
import type { VolumeRecord } from './volume-store.js';

/** A cell one of whose containers mounts a volume. */
export interface VolumeUse {
  realm: string;
  space: string;
  stack: string;
  cell: string;
  /**
   * The cell runs (Ready or Degraded) or is being brought up (a create, start or update of it is
   * pending in the journal, in progress or interrupted): its volumes cannot be deleted.
   */
  running: boolean;
}

const RUNNING = new Set(['Ready', 'Degraded']);

/**
 * The cells that mount each volume, by the volume's directory: every stored cell's `kind: volume`
 * mounts resolved as a container create resolves them now (an unresolvable one mounts nothing).
 */
export async function volumeUses(ctx: RunnerContext): Promise<Map<string, VolumeUse[]>> {
  const uses = new Map<string, VolumeUse[]>();
  for (const realm of (await listRealms(ctx)).map((r) => r.metadata.name))
    for (const space of (await listSpaces(ctx, realm)).map((s) => s.metadata.name))
      for (const stack of (await listStacks(ctx, realm, space)).map((s) => s.metadata.name))
        for (const cell of await listCells(ctx, realm, space, stack)) {
          const seen = new Set<string>();
          for (const c of cell.spec.containers)
            for (const m of c.volumes ?? []) {
              if (m.kind !== 'volume') continue;
              const v = await locateVolume(ctx, { realm, space, stack }, m).catch(() => undefined);
              if (!v || seen.has(v.path)) continue;
              seen.add(v.path);
              const use = {
                realm,
                space,
                stack,
                cell: cell.metadata.name,
                running:
                  RUNNING.has(cell.status.state ?? '') ||
                  (await beingBroughtUp(ctx, [realm, space, stack, cell.metadata.name])),
              };
              uses.set(v.path, [...(uses.get(v.path) ?? []), use]);
            }
        }
  return uses;
}

/** A create, start or update of the cell is pending (a stop's intent wants it stopped). */
async function beingBroughtUp(ctx: RunnerContext, cell: [string, string, string, string]): Promise<boolean> {
  const intent = await ctx.journal.get('Cell', scopes.cell(...cell).join('/')).catch(() => undefined);
  return intent?.desired === 'present' && (intent.payload as { run?: string } | undefined)?.run !== 'stopped';
}

/**
 * Refuses to delete a volume that a running cell, or one being brought up, mounts
 * (`volume "<n>" is in use by cell "<c>"`). Runs under the volume's lock (deleteVolume).
 */
export async function refuseVolumeInUse(ctx: RunnerContext, v: VolumeRecord): Promise<void> {
  const user = ((await volumeUses(ctx)).get(v.path) ?? []).find((u) => u.running);
  if (user)
    throw new RunnerError(ErrorCode.VOLUME_IN_USE, `volume "${v.name}" is in use by cell "${user.cell}"`);
}
