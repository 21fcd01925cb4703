/**
 * `Space.spec.network.isolation` (our extension, docs/cell-isolation.md): whether the cells of a
 * space may reach each other. `cells` keeps them apart except through published ports; `none`
 * (or unset) leaves them on one open bridge, as before.
 */
export type SpaceIsolation = 'none' | 'cells';

export const SPACE_ISOLATION_VALUES: readonly SpaceIsolation[] = ['none', 'cells'];

/** The applied form: trimmed, case-insensitive, unset = `none`; undefined when not a known value. */
export function parseSpaceIsolation(value: string | undefined): SpaceIsolation | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'none';
  return (SPACE_ISOLATION_VALUES as readonly string[]).includes(v) ? (v as SpaceIsolation) : undefined;
}

/** The message of a value that is not one of the known settings, or undefined. */
export function checkSpaceIsolation(value: string | undefined): string | undefined {
  if (parseSpaceIsolation(value) !== undefined) return undefined;
  return `network.isolation must be 'none' or 'cells' (got "${value}")`;
}

/** Whether a space's cells are kept apart (an unknown value, refused at apply, counts as none). */
export function isolatesCells(network: { isolation?: string } | undefined): boolean {
  return parseSpaceIsolation(network?.isolation) === 'cells';
}
