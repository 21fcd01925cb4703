import type { DocArg } from './method-types.js';

/** The kinds of the hierarchy that hold each other: realm ⊃ space ⊃ stack ⊃ cell. */
export type ScopeKindName = 'realm' | 'space' | 'stack' | 'cell';
/** The coordinates above a resource, by parent kind. */
export type ScopeCoordinates = Partial<Record<'realm' | 'space' | 'stack', string>>;

/**
 * What the wire knows of one hierarchy kind: its document kind, parents (outermost first), the
 * kukeonv1 methods that serve it, the reply keys, and its identity document. One descriptor per
 * kind; the CLI's kind table (src/cli/kinds.ts) adds names, columns and messages on top. See
 * docs/adding-a-kind.md.
 */
export interface ScopeKind<K extends ScopeKindName = ScopeKindName> {
  name: K;
  docKind: 'Realm' | 'Space' | 'Stack' | 'Cell';
  parents: readonly ('realm' | 'space' | 'stack')[];
  methods: {
    create: 'CreateRealm' | 'CreateSpace' | 'CreateStack' | 'MaterializeCell';
    get: 'GetRealm' | 'GetSpace' | 'GetStack' | 'GetCell';
    list: 'ListRealms' | 'ListSpaces' | 'ListStacks' | 'ListCells';
    delete: 'DeleteRealm' | 'DeleteSpace' | 'DeleteStack' | 'DeleteCell';
    purge: 'PurgeRealm' | 'PurgeSpace' | 'PurgeStack' | 'PurgeCell';
  };
  /** Key of the document in a Get/Create/Delete/Purge `Result`. */
  resultKey: 'Realm' | 'Space' | 'Stack' | 'Cell';
  /** Key of the list in a List reply. */
  listKey: 'Realms' | 'Spaces' | 'Stacks' | 'Cells';
  /** The document repeats its name as `spec.id` (stacks and cells). */
  idInSpec: boolean;
  /** Delete takes `Force` and `Cascade` (a cell has no children to cascade to). */
  deleteFlags: boolean;
}

/** `spec.realmId`, `spec.spaceId`, … of each parent kind. */
export const parentField = { realm: 'realmId', space: 'spaceId', stack: 'stackId' } as const;
/** List argument naming each parent: `RealmName`, `SpaceName`, `StackName`. */
export const parentArg = { realm: 'RealmName', space: 'SpaceName', stack: 'StackName' } as const;

export const scopeKinds: { [K in ScopeKindName]: ScopeKind<K> } = {
  realm: {
    name: 'realm',
    docKind: 'Realm',
    parents: [],
    methods: {
      create: 'CreateRealm',
      get: 'GetRealm',
      list: 'ListRealms',
      delete: 'DeleteRealm',
      purge: 'PurgeRealm',
    },
    resultKey: 'Realm',
    listKey: 'Realms',
    idInSpec: false,
    deleteFlags: true,
  },
  space: {
    name: 'space',
    docKind: 'Space',
    parents: ['realm'],
    methods: {
      create: 'CreateSpace',
      get: 'GetSpace',
      list: 'ListSpaces',
      delete: 'DeleteSpace',
      purge: 'PurgeSpace',
    },
    resultKey: 'Space',
    listKey: 'Spaces',
    idInSpec: false,
    deleteFlags: true,
  },
  stack: {
    name: 'stack',
    docKind: 'Stack',
    parents: ['realm', 'space'],
    methods: {
      create: 'CreateStack',
      get: 'GetStack',
      list: 'ListStacks',
      delete: 'DeleteStack',
      purge: 'PurgeStack',
    },
    resultKey: 'Stack',
    listKey: 'Stacks',
    idInSpec: true,
    deleteFlags: true,
  },
  cell: {
    name: 'cell',
    docKind: 'Cell',
    parents: ['realm', 'space', 'stack'],
    methods: {
      create: 'MaterializeCell',
      get: 'GetCell',
      list: 'ListCells',
      delete: 'DeleteCell',
      purge: 'PurgeCell',
    },
    resultKey: 'Cell',
    listKey: 'Cells',
    idInSpec: true,
    deleteFlags: false,
  },
};

/**
 * The identity document of a resource: `metadata.name` and the parents' ids in `spec` (a realm
 * has no spec). `withId` also repeats the name as `spec.id` for the kinds that carry one.
 */
export function identityDoc(
  kind: ScopeKind,
  name: string,
  scope: ScopeCoordinates,
  withId = false,
): DocArg & { metadata: { name: string } } {
  if (kind.parents.length === 0) return { metadata: { name } };
  const spec: Record<string, string> = withId && kind.idInSpec ? { id: name } : {};
  for (const p of kind.parents) spec[parentField[p]] = scope[p] ?? '';
  return { metadata: { name }, spec };
}
