/**
 * Space container defaults: container's own value > space default > runtime default.
 * Shallow per field, idempotent. The runner applies it before persisting, and the apply diff
 * applies it to the *desired* cell before comparing (the original did not, so re-applying an
 * unchanged manifest in a space with defaults reported changes and even recreated containers).
 */
import type { ContainerSpec } from './container.js';
import type { Cell, SpaceContainerDefaults } from './resources.js';

const clone = <T>(v: T): T => structuredClone(v);

export function mergeContainerDefaults(
  c: ContainerSpec,
  d: SpaceContainerDefaults | undefined,
): ContainerSpec {
  if (!d) return c;
  const out = { ...c };
  if (!out.user && d.user) out.user = d.user;
  // One-way: a default of true cannot be turned off by a container (false is "unset").
  if (!out.readOnlyRootFilesystem && d.readOnlyRootFilesystem !== undefined) {
    out.readOnlyRootFilesystem = d.readOnlyRootFilesystem;
  }
  if (!out.capabilities && d.capabilities) out.capabilities = clone(d.capabilities);
  if ((out.securityOpts ?? []).length === 0 && (d.securityOpts ?? []).length > 0)
    out.securityOpts = [...d.securityOpts!];
  if ((out.tmpfs ?? []).length === 0 && (d.tmpfs ?? []).length > 0) out.tmpfs = clone(d.tmpfs);
  if (!out.resources && d.resources) out.resources = clone(d.resources);
  return out;
}

/** A copy of `cell` with the defaults merged into every container. */
export function applySpaceDefaults(cell: Cell, defaults: SpaceContainerDefaults | undefined): Cell {
  if (!defaults) return cell;
  return {
    ...cell,
    spec: { ...cell.spec, containers: cell.spec.containers.map((c) => mergeContainerDefaults(c, defaults)) },
  };
}
