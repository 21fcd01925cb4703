/** The kinds `kuke apply` accepts, their schemas and apply order. */
import type { z } from 'zod';
import { realmDocSchema, type RealmDoc } from './realm.js';
import { spaceDocSchema, type SpaceDoc } from './space.js';
import { stackDocSchema, type StackDoc } from './stack.js';
import { cellDocSchema, type CellDoc } from './cell.js';
import { containerDocSchema, type ContainerDoc } from './container-doc.js';
import { secretDocSchema, type SecretDoc } from './secret.js';
import { volumeDocSchema, type VolumeDoc } from './volume.js';
import { cellBlueprintDocSchema, type CellBlueprintDoc } from './cell-blueprint.js';
import { cellConfigDocSchema, type CellConfigDoc } from './cell-config.js';

export const applyKinds = [
  'Realm',
  'Space',
  'Stack',
  'Cell',
  'Container',
  'Secret',
  'CellBlueprint',
  'CellConfig',
  'Volume',
] as const;
export type ApplyKind = (typeof applyKinds)[number];

export const kindSchemas: Record<ApplyKind, z.ZodType> = {
  Realm: realmDocSchema,
  Space: spaceDocSchema,
  Stack: stackDocSchema,
  Cell: cellDocSchema,
  Container: containerDocSchema,
  Secret: secretDocSchema,
  CellBlueprint: cellBlueprintDocSchema,
  CellConfig: cellConfigDocSchema,
  Volume: volumeDocSchema,
};

/** Apply order rank (1-based); ties keep document order. */
export function kindRank(kind: ApplyKind): number {
  return applyKinds.indexOf(kind) + 1;
}

export function isApplyKind(kind: string): kind is ApplyKind {
  return (applyKinds as readonly string[]).includes(kind);
}

/** A decoded manifest document, discriminated by kind. */
export type ManifestDoc =
  | { kind: 'Realm'; doc: RealmDoc }
  | { kind: 'Space'; doc: SpaceDoc }
  | { kind: 'Stack'; doc: StackDoc }
  | { kind: 'Cell'; doc: CellDoc }
  | { kind: 'Container'; doc: ContainerDoc }
  | { kind: 'Secret'; doc: SecretDoc }
  | { kind: 'CellBlueprint'; doc: CellBlueprintDoc }
  | { kind: 'CellConfig'; doc: CellConfigDoc }
  | { kind: 'Volume'; doc: VolumeDoc };

/**
 * Our change to the original's order (docs/secrets.md): a Secret is applied right after the
 * stacks, before the cells that may use it (after them, a cell and the Secret it names in one
 * file could never be applied together); a Secret scoped to a cell still comes after the cells,
 * since its cell must exist first. Deleting goes the other way round, cells before Secrets, so a
 * Secret is not refused as in use by a cell deleted in the same file. Volumes (docs/volumes.md)
 * take the same place for the same reasons: a cell and the new Volume it mounts apply together
 * without `ensure`, and `delete -f` removes the cells before the Volume they keep in use.
 */
function rank(d: { kind: ApplyKind; doc?: unknown }, forDelete: boolean): number {
  if (d.kind === 'Volume') return kindRank('Stack') + 0.5;
  if (d.kind !== 'Secret') return kindRank(d.kind);
  const cell = (d.doc as { metadata?: { cell?: string } } | undefined)?.metadata?.cell;
  return !forDelete && cell ? kindRank('Secret') : kindRank('Stack') + 0.5;
}

/** Apply order: by kind rank, ties by original document index. */
export function sortForApply<T extends { kind: ApplyKind; index: number; doc?: unknown }>(
  docs: readonly T[],
): T[] {
  return [...docs].sort((a, b) => rank(a, false) - rank(b, false) || a.index - b.index);
}

/** Delete order (`kuke delete -f`): the reverse of apply's, ties by original document index. */
export function sortForDelete<T extends { kind: ApplyKind; index: number; doc?: unknown }>(
  docs: readonly T[],
): T[] {
  return [...docs].sort((a, b) => rank(b, true) - rank(a, true) || a.index - b.index);
}
