import {
  scopeKinds,
  type ScopeCoordinates,
  type ScopeKind,
  type ScopeKindName,
} from '../protocol/scope-kinds.js';
import { scopedKinds, type ScopedKind } from '../protocol/scoped-kinds.js';
import { q } from './cli-error.js';
import type { PlainDoc } from './output/doc-fields.js';
import {
  blueprintColumns,
  cellColumns,
  configColumns,
  containerColumns,
  imageColumns,
  realmColumns,
  spaceColumns,
  stackColumns,
  secretColumns,
  volumeColumns,
  type KindColumns,
} from './output/get-columns.js';

/**
 * One entry per kind `kuke` names on its command line: the words, the scope flags, the table, the
 * messages. Hierarchy kinds carry their wire descriptor (`scope`), and get / delete / purge /
 * create / completion / scope walking all read this table rather than a list of their own. See
 * docs/adding-a-kind.md.
 */
export interface CliKind {
  /** Singular CLI name, also the `-o name` prefix (`realm/default`). */
  name: string;
  /** Document kind of `-o yaml|json`. */
  docKind: string;
  /** The short alias (`r`, `sp`, …); `get` also takes the plural. */
  short: string;
  /** Scope flags of `kuke get <kind>`. */
  getScopes: readonly string[];
  /** `get` takes `-l/--selector`. */
  selector: boolean;
  /** The hierarchy kind behind it, when it is one (delete, purge, create, scope walking). */
  scope?: ScopeKind;
  /**
   * The scoped kind behind it (a Volume: lives at a scope without being a level), when it is one:
   * get, delete and completion serve it from this descriptor. Its scope flags are `getScopes`;
   * `delete`/`get NAME` default `--realm` to `default` and leave the deeper ones unset.
   */
  scoped?: ScopedKind;
  columns?: KindColumns<PlainDoc>;
  /** `get <kind> NAME` found nothing (only when it differs from `missing`). */
  getMissing?: (name: string, scope: ScopeCoordinates) => string;
  /** The extra lines of a purge reply. */
  purgeDetail?: (r: Record<string, unknown>) => string;
}

/** `<kind> "n" not found[ in realm "r", space "s", …]`: what delete, purge and get say. */
export function missing(kind: ScopeKind, name: string, scope: ScopeCoordinates): string {
  const where = kind.parents.map((p) => `${p} ${q(scope[p] ?? '')}`).join(', ');
  return `${kind.name} ${q(name)} not found${where ? ` in ${where}` : ''}`;
}

/** `Deleted space "n" from realm "r"`: the verb, the kind, and its nearest parent. */
export function removedLine(
  verb: 'Deleted' | 'Purged',
  kind: ScopeKind,
  name: string,
  scope: ScopeCoordinates,
) {
  const parent = kind.parents[kind.parents.length - 1];
  return `${verb} ${kind.name} ${q(name)}${parent ? ` from ${parent} ${q(scope[parent] ?? '')}` : ''}`;
}

export const cliKinds: readonly CliKind[] = [
  {
    name: 'realm',
    docKind: 'Realm',
    short: 'r',
    getScopes: [],
    selector: true,
    scope: scopeKinds.realm,
    columns: realmColumns,
  },
  {
    name: 'space',
    docKind: 'Space',
    short: 'sp',
    getScopes: ['realm'],
    selector: true,
    scope: scopeKinds.space,
    columns: spaceColumns,
    purgeDetail: (r) =>
      `Deleted resources -> metadata:${r.MetadataDeleted === true} cgroup:${r.CgroupDeleted === true} cni:${r.CNINetworkDeleted === true}\n`,
  },
  {
    name: 'stack',
    docKind: 'Stack',
    short: 'st',
    getScopes: ['realm', 'space'],
    selector: true,
    scope: scopeKinds.stack,
    columns: stackColumns,
  },
  {
    name: 'cell',
    docKind: 'Cell',
    short: 'ce',
    getScopes: ['realm', 'space', 'stack'],
    selector: true,
    scope: scopeKinds.cell,
    columns: cellColumns,
    getMissing: (name, s) =>
      `cell ${q(name)} not found in stack ${q(s.realm ?? '')}/${q(s.space ?? '')}/${q(s.stack ?? '')}`,
  },
  {
    name: 'container',
    docKind: 'Container',
    short: 'co',
    getScopes: ['realm', 'space', 'stack', 'cell'],
    selector: true,
  },
  { name: 'image', docKind: 'Image', short: 'img', getScopes: ['realm'], selector: false },
  {
    name: 'volume',
    docKind: 'Volume',
    short: 'vol',
    getScopes: ['realm', 'space', 'stack'],
    selector: false,
    scoped: scopedKinds.volume,
    columns: volumeColumns,
  },
  {
    name: 'secret',
    docKind: 'Secret',
    short: 'sec',
    getScopes: ['realm', 'space', 'stack', 'cell'],
    selector: false,
    scoped: scopedKinds.secret,
    columns: secretColumns,
  },
  {
    name: 'blueprint',
    docKind: 'CellBlueprint',
    short: 'bp',
    getScopes: ['realm', 'space', 'stack'],
    selector: false,
    scoped: scopedKinds.blueprint,
    columns: blueprintColumns,
  },
  {
    name: 'config',
    docKind: 'CellConfig',
    short: 'cfg',
    getScopes: ['realm', 'space', 'stack'],
    selector: false,
    scoped: scopedKinds.config,
    columns: configColumns,
  },
];

/** The kind named by its CLI name. */
export function cliKind(name: string): CliKind | undefined {
  return cliKinds.find((k) => k.name === name);
}

/** Hierarchy kinds, outermost first (delete, purge). */
export const scopeCliKinds = cliKinds.filter(
  (k): k is CliKind & { scope: ScopeKind } => k.scope !== undefined,
);

/** Scoped kinds (volumes, …): get, delete and completion take them alongside the hierarchy. */
export const scopedCliKinds = cliKinds.filter(
  (k): k is CliKind & { scoped: ScopedKind } => k.scoped !== undefined,
);

/** The CLI entry of a hierarchy kind. */
export function scopeCliKind(name: ScopeKindName): CliKind & { scope: ScopeKind } {
  return scopeCliKinds.find((k) => k.name === name) as CliKind & { scope: ScopeKind };
}

export { imageColumns, containerColumns };
