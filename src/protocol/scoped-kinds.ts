import type { DocArg } from './method-types.js';

/** Coordinates a scoped resource can sit at, outermost first. */
export type ScopedLevel = 'realm' | 'space' | 'stack' | 'cell';
export type ScopedCoordinates = Partial<Record<ScopedLevel, string>>;

/** The scoped (non-hierarchy) kinds: documents that live at a scope without being one. */
export type ScopedKindName = 'volume' | 'secret' | 'blueprint' | 'config';

/**
 * What the wire knows of one scoped kind: a resource that lives *at* a realm (optionally a space,
 * stack, …) without being a level of the hierarchy — a Volume, a Secret, a blueprint. Its
 * document names its scope in `metadata` (`metadata.realm`, `metadata.space`, …), a deeper
 * coordinate needs every shallower one, and the kind is served by four kukeonv1 methods whose
 * replies carry the document under `resultKey` (one) or `listKey` (a list). The CLI's kind table
 * (src/cli/kinds.ts) adds names, columns and flags; the controller's `scopedOps` the behaviour.
 * See docs/adding-a-kind.md.
 */
export interface ScopedKind<K extends ScopedKindName = ScopedKindName> {
  name: K;
  docKind: 'Volume' | 'Secret' | 'CellBlueprint' | 'CellConfig';
  /** The coordinates its scope may have, outermost first (`realm` is always required). */
  levels: readonly ScopedLevel[];
  methods: {
    create: 'CreateVolume' | 'CreateSecret' | 'CreateBlueprint' | 'CreateConfig';
    get: 'GetVolume' | 'GetSecret' | 'GetBlueprint' | 'GetConfig';
    list: 'ListVolumes' | 'ListSecrets' | 'ListBlueprints' | 'ListConfigs';
    delete: 'DeleteVolume' | 'DeleteSecret' | 'DeleteBlueprint' | 'DeleteConfig';
  };
  /** Key of the document in a Create/Get/Delete `Result`. */
  resultKey: 'Volume' | 'Secret' | 'Blueprint' | 'Config';
  /** Key of the list in a List reply. */
  listKey: 'Volumes' | 'Secrets' | 'Blueprints' | 'Configs';
}

/** List argument naming each level: `RealmName`, `SpaceName`, `StackName`, `CellName`. */
export const levelArg = {
  realm: 'RealmName',
  space: 'SpaceName',
  stack: 'StackName',
  cell: 'CellName',
} as const;

export const scopedKinds: { [K in ScopedKindName]: ScopedKind<K> } = {
  volume: {
    name: 'volume',
    docKind: 'Volume',
    levels: ['realm', 'space', 'stack'],
    methods: { create: 'CreateVolume', get: 'GetVolume', list: 'ListVolumes', delete: 'DeleteVolume' },
    resultKey: 'Volume',
    listKey: 'Volumes',
  },
  // docs/secrets.md: a Secret may also be scoped to a cell; its data never travels back.
  secret: {
    name: 'secret',
    docKind: 'Secret',
    levels: ['realm', 'space', 'stack', 'cell'],
    methods: { create: 'CreateSecret', get: 'GetSecret', list: 'ListSecrets', delete: 'DeleteSecret' },
    resultKey: 'Secret',
    listKey: 'Secrets',
  },
  // docs/blueprints.md: templates of cells, and saved values for them; never cell-scoped.
  blueprint: {
    name: 'blueprint',
    docKind: 'CellBlueprint',
    levels: ['realm', 'space', 'stack'],
    methods: {
      create: 'CreateBlueprint',
      get: 'GetBlueprint',
      list: 'ListBlueprints',
      delete: 'DeleteBlueprint',
    },
    resultKey: 'Blueprint',
    listKey: 'Blueprints',
  },
  config: {
    name: 'config',
    docKind: 'CellConfig',
    levels: ['realm', 'space', 'stack'],
    methods: { create: 'CreateConfig', get: 'GetConfig', list: 'ListConfigs', delete: 'DeleteConfig' },
    resultKey: 'Config',
    listKey: 'Configs',
  },
};

/** The identity document of a scoped resource: its name and the coordinates that are set. */
export function scopedIdentityDoc(
  kind: ScopedKind,
  name: string,
  scope: ScopedCoordinates,
): DocArg & { metadata: { name: string } } {
  const metadata: { name: string; [k: string]: string } = { name };
  for (const l of kind.levels) if (scope[l]) metadata[l] = scope[l];
  return { apiVersion: 'v1beta1', kind: kind.docKind, metadata };
}

/** The coordinates a document names in its metadata (empty ones left out). */
export function scopedCoordinatesOf(kind: ScopedKind, doc: DocArg): ScopedCoordinates {
  const out: ScopedCoordinates = {};
  for (const l of kind.levels) {
    const v = doc.metadata?.[l];
    if (typeof v === 'string' && v !== '') out[l] = v;
  }
  return out;
}

/** `realm "r", space "s"`: the coordinates that are set, for messages. */
export function describeCoordinates(scope: ScopedCoordinates): string {
  return (['realm', 'space', 'stack', 'cell'] as const)
    .filter((l) => scope[l])
    .map((l) => `${l} "${scope[l]}"`)
    .join(', ');
}
