import { ErrorCode } from '../error-codes.js';
import { isRunning, ownProcess, type Intent } from '../store/index.js';
import { realmLockKey } from './intent.js';
import { readResource } from './resource-store.js';
import type { RunnerContext } from './runner-context.js';
import { ensureRealm } from './realm/ensure-realm.js';
import { purgeRealm } from './realm/delete-realm.js';
import { ensureSpace } from './space/ensure-space.js';
import { purgeSpace } from './space/delete-space.js';
import { ensureStack } from './stack/create-stack.js';
import { purgeStack } from './stack/delete-stack.js';
import { ContainerLabel } from '../model/naming/index.js';
import type { Cell } from '../model/resources.js';
import { cellRef, type CellRef } from './cell/cell-ref.js';
import { removeContainer } from './cell/container-task.js';
import { requireRealm } from './realm/realm-queries.js';
import { readCell } from './cell/cell-store.js';
import { createCell } from './cell/create-cell.js';
import { deleteCell } from './cell/delete-cell.js';
import { markFailed, startCell } from './cell/start-cell.js';
import { killCell, stopCell } from './cell/stop-cell.js';
import { finishVolumeIntent, volumeLockKey } from './volume/volume-store.js';

export interface RecoveryReport {
  /** Intents finished (or rolled back) and cleared, as `<op> <kind> <key>`. */
  finished: string[];
  /** Intents that failed again; they stay pending for the next pass. */
  failed: { intent: string; error: string }[];
  /** Intents only the user can unblock (a gone volume, Secret or image): cell Failed, intent cleared. */
  needsUser: { intent: string; error: string }[];
  /** Journal files that could not be read (reported, set aside, never fatal). */
  corrupt: string[];
}

/**
 * Finishes what a crash interrupted (docs/runner-design.md): for every pending intent, a
 * `present` one is finished by ensuring the resource (rolled back by a purge if that fails), an
 * `absent` one by purging it. Runs at daemon start before requests are served, and on every
 * reconcile tick for intents whose operation failed.
 */
export async function recoverIntents(ctx: RunnerContext): Promise<RecoveryReport> {
  const report: RecoveryReport = { finished: [], failed: [], needsUser: [], corrupt: [] };
  const listing = await ctx.journal.list();
  for (const c of listing.corrupt) {
    ctx.log.error({ file: c.file, err: c.error }, 'corrupt intent journal entry set aside');
    report.corrupt.push(c.file);
    await ctx.journal.discard(c.file);
  }
  for (const intent of listing.intents) {
    const what = label(intent);
    // An intent is also pending while its operation is still running in this process (it holds
    // the resource's lock): that one is not interrupted, and finishing it here would race it.
    if (ctx.locks.isLocked(lockKeyOf(intent))) continue;
    // Likewise while another live process that recorded it (an in-process `kuke` beside kukeond
    // on the same run path) is running it: finishing it here would race that process.
    if (heldElsewhere(intent)) continue;
    try {
      await finish(ctx, intent);
      await ctx.journal.clear(intent);
      report.finished.push(what);
      ctx.log.info({ intent: what }, 'finished interrupted operation');
    } catch (err) {
      const failure = { intent: what, error: (err as Error).message ?? String(err) };
      if (await endedAsFailed(ctx, intent, err)) {
        report.needsUser.push(failure);
        ctx.log.warn({ err, intent: what }, 'interrupted operation needs the user: cell recorded Failed');
        continue;
      }
      report.failed.push(failure);
      ctx.log.warn({ err, intent: what }, 'interrupted operation could not be finished yet');
    }
  }
  return report;
}

/**
 * Failures that retrying cannot fix, because they wait for the user: a volume or Secret the cell
 * names is gone, its image cannot be had. Retried on every tick, such an intent would stay pending
 * for good (the chaos harness counted it as a leak).
 */
const NEEDS_THE_USER = new Set<string>([
  ErrorCode.VOLUME_NOT_FOUND,
  ErrorCode.SECRET_NOT_FOUND,
  ErrorCode.SECRET_SCOPE_NOT_FOUND,
  ErrorCode.INVALID_SECRET,
  ErrorCode.IMAGE_NOT_FOUND,
  ErrorCode.REGISTRY_MANIFEST_UNKNOWN,
  ErrorCode.REGISTRY_UNAUTHORIZED,
]);

/**
 * A cell operation that failed for one of those reasons ends here: the cell is recorded Failed
 * with the error (the user fixes the cause, then starts or re-applies it) and the intent is
 * cleared. Returns whether it ended.
 */
async function endedAsFailed(ctx: RunnerContext, intent: Intent, err: unknown): Promise<boolean> {
  const code = (err as { code?: string }).code;
  if (intent.kind !== 'Cell' || code === undefined || !NEEDS_THE_USER.has(code)) return false;
  const [realm, space, stack, name] = intent.key.split('/');
  const ref = cellRef(ctx, { realm, space, stack, name });
  if (await readCell(ctx, ref)) {
    const namespace = (await requireRealm(ctx, realm)).spec.namespace;
    await markFailed(ctx, namespace, ref, 'RecoveryFailed', err);
  }
  await ctx.journal.clear(intent);
  return true;
}

/** Recorded by another process that still runs (never this one: its own are judged by its locks). */
function heldElsewhere(intent: Intent): boolean {
  const owner = intent.owner;
  return owner !== undefined && owner.pid !== ownProcess().pid && isRunning(owner);
}

async function finish(ctx: RunnerContext, intent: Intent): Promise<void> {
  const parts = intent.key.split('/');
  const present = intent.desired === 'present';
  switch (intent.kind) {
    case 'Realm': {
      const [realm] = parts;
      const doc = present ? await readResource(ctx, 'Realm', [realm]) : undefined;
      if (doc)
        await orRollback(
          ctx,
          label(intent),
          () => ensureRealm(ctx, doc),
          () => purgeRealm(ctx, realm, { cascade: true }),
        );
      else await purgeRealm(ctx, realm, { cascade: true });
      return;
    }
    case 'Space': {
      const [realm, space] = parts;
      const doc = present ? await readResource(ctx, 'Space', [realm, space]) : undefined;
      if (doc)
        await orRollback(
          ctx,
          label(intent),
          () => ensureSpace(ctx, doc),
          () => purgeSpace(ctx, realm, space, { cascade: true }),
        );
      else await purgeSpace(ctx, realm, space, { cascade: true });
      return;
    }
    case 'Stack': {
      const [realm, space, stack] = parts;
      const doc = present ? await readResource(ctx, 'Stack', [realm, space, stack]) : undefined;
      if (doc)
        await orRollback(
          ctx,
          label(intent),
          () => ensureStack(ctx, doc),
          () => purgeStack(ctx, realm, space, stack),
        );
      else await purgeStack(ctx, realm, space, stack);
      return;
    }
    case 'Cell': {
      const [realm, space, stack, name] = parts;
      const ref = cellRef(ctx, { realm, space, stack, name });
      const cell = present ? await readCell(ctx, ref) : undefined;
      if (!cell) {
        await deleteCell(ctx, ref, 0);
        return;
      }
      const run = (intent.payload as { run?: string } | undefined)?.run;
      // An update persists the new spec last: records it made for workloads the stored cell does
      // not list (added before the crash) are not part of the cell, so they go.
      if (intent.op === 'update') await dropUnlistedContainers(ctx, ref, cell);
      // A create whose caller starts the cell next (apply, CreateCell) says `run: running`: the
      // crash may have come before the start intent replaced this one.
      const created =
        intent.op !== 'create' ||
        (await orRollback(
          ctx,
          label(intent),
          () => createCell(ctx, cell),
          () => deleteCell(ctx, ref, 0),
        ));
      if (!created) return;
      if (run === 'running') {
        // startCell records Failed itself when the start cannot be finished.
        await startCell(ctx, ref).catch((err: unknown) =>
          ctx.log.warn({ err, intent: label(intent) }, 'recovered start failed'),
        );
      } else if (run === 'stopped') {
        // An update may have torn a changed workload's record down before re-creating it; a stop
        // alone would leave the stored cell without that container (a start ensures it itself).
        if (intent.op === 'update') await createCell(ctx, cell);
        await (intent.op === 'kill' ? killCell(ctx, ref) : stopCell(ctx, ref));
      }
      return;
    }
    case 'Volume':
      // Never rolled back: a create is finished, a delete is finished (docs/volumes.md).
      await finishVolumeIntent(ctx, intent);
      return;
    default:
      throw new Error(`no recovery for intents of kind ${intent.kind}`);
  }
}

async function dropUnlistedContainers(ctx: RunnerContext, ref: CellRef, cell: Cell): Promise<void> {
  const namespace = (await requireRealm(ctx, ref.realm)).spec.namespace;
  const filter = [
    `labels."${ContainerLabel.Cell}"==${ref.id}`,
    `labels."${ContainerLabel.Space}"==${ref.space}`,
    `labels."${ContainerLabel.Stack}"==${ref.stack}`,
  ].join(',');
  const listed = new Set(cell.spec.containers.map((c) => c.containerdId));
  for (const r of await ctx.containerd.containers.list(namespace, [filter]))
    if (!listed.has(r.id)) await removeContainer(ctx, namespace, r.id);
}

/**
 * Finish forward; if that is impossible, undo so the resource does not exist half-made. Whether
 * it went forward.
 */
async function orRollback(
  ctx: RunnerContext,
  what: string,
  forward: () => Promise<unknown>,
  back: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await forward();
    return true;
  } catch (err) {
    ctx.log.warn({ err, intent: what }, 'interrupted create cannot be finished; rolling it back');
    await back();
    return false;
  }
}

/** The in-process lock its operation holds (see intent.ts and cell/cell-ref.ts). */
function lockKeyOf(intent: Intent): string {
  if (intent.kind === 'Volume') return volumeLockKey(intent.key);
  return intent.kind === 'Cell' ? `cell/${intent.key}` : realmLockKey(intent.key.split('/')[0]);
}

const label = (intent: Intent): string => `${intent.op} ${intent.kind} ${intent.key}`;
