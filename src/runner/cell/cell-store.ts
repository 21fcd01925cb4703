import { ErrorCode } from '../../error-codes.js';
import type { Cell } from '../../model/resources.js';
import {
  listResources,
  loadResource,
  persistResource,
  readResource,
  type Loaded,
} from '../resource-store.js';
import { scopes, validName } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { RunnerError } from '../runner-errors.js';
import type { CellRef } from './cell-ref.js';

export const readCell = (ctx: RunnerContext, ref: CellRef): Promise<Cell | undefined> =>
  readResource(ctx, 'Cell', ref.scope);

export const loadCell = (ctx: RunnerContext, ref: CellRef): Promise<Loaded<Cell> | undefined> =>
  loadResource(ctx, 'Cell', ref.scope);

export async function requireCell(ctx: RunnerContext, ref: CellRef): Promise<Cell> {
  const cell = await readCell(ctx, ref);
  if (!cell) {
    throw new RunnerError(
      ErrorCode.CELL_NOT_FOUND,
      `cell "${ref.name}" not found in realm "${ref.realm}", space "${ref.space}", stack "${ref.stack}"`,
    );
  }
  return cell;
}

/** Persists the cell document; transport-only fields never reach the disk. */
export async function persistCell(ctx: RunnerContext, ref: CellRef, cell: Cell): Promise<Cell> {
  const { runtimeEnv: _r, ignoreDiskPressure: _i, ...spec } = cell.spec;
  return persistResource(ctx, 'Cell', ref.scope, { ...cell, spec });
}

export async function listCells(
  ctx: RunnerContext,
  realm: string,
  space: string,
  stack: string,
): Promise<Cell[]> {
  return listResources(
    ctx,
    'Cell',
    scopes.stack(validName('realm', realm), validName('space', space), validName('stack', stack)),
  );
}

/** Runs `fn` holding the cell's lifecycle lock. */
export async function withCellLock<T>(ctx: RunnerContext, ref: CellRef, fn: () => Promise<T>): Promise<T> {
  const release = await ctx.locks.acquire(ref.lockKey);
  try {
    return await fn();
  } finally {
    release();
  }
}
