/**
 * An in-memory ScopeRunner for the controller's unit tests: realms, spaces and stacks in maps,
 * every mutating call recorded in `calls` so tests can assert what the controller asked for
 * (and that a rejected document asked for nothing).
 */
import { realmNamespace } from '../model/naming/index.js';
import type { Realm, Space, Stack } from '../model/resources.js';
import { diffRealm, diffSpace, diffStack } from '../model/diff/scope-diff.js';
import { KukeonError } from '../errors.js';
import type { ScopeRunner } from './runner-port.js';
import type { HostProbe } from '../runner/host-probe.js';
import { Controller } from './controller.js';

const clone = <T>(v: T): T => structuredClone(v);

export class FakeRunner {
  realms = new Map<string, Realm>();
  spaces = new Map<string, Space>();
  stacks = new Map<string, Stack>();
  calls: string[] = [];
  /** Make the named call (e.g. `createSpace`) throw this error once. */
  failNext = new Map<string, Error>();

  private maybeFail(op: string): void {
    const err = this.failNext.get(op);
    if (err) {
      this.failNext.delete(op);
      throw err;
    }
  }

  private record(op: string, key: string): void {
    this.calls.push(`${op} ${key}`);
    this.maybeFail(op);
  }

  readonly port: ScopeRunner = {
    createRealm: async (r: Realm) => {
      this.record('createRealm', r.metadata.name);
      const existed = this.realms.has(r.metadata.name);
      const stored: Realm = this.realms.get(r.metadata.name) ?? {
        ...clone(r),
        spec: { ...r.spec, namespace: r.spec.namespace || realmNamespace(r.metadata.name, 'test') },
        status: { state: 'Ready', cgroupPath: '' },
      };
      this.realms.set(r.metadata.name, stored);
      return {
        realm: clone(stored),
        created: !existed,
        metadataExistedBefore: existed,
        namespaceExistedBefore: existed,
        namespaceCreated: !existed,
        cgroupExistedBefore: existed,
        cgroupCreated: !existed,
      };
    },
    getRealm: async (name: string) => clone(this.realms.get(name.trim())),
    listRealms: async () => [...this.realms.values()].map(clone),
    realmAsStored: (d: Realm) => d,
    setRegistryCredential: async (realm: string, c: { username: string; serverAddress?: string }) => {
      this.record('setRegistryCredential', `${realm} ${c.username}@${c.serverAddress ?? ''}`);
      const r = this.realms.get(realm)!;
      const entry = {
        username: c.username,
        serverAddress: c.serverAddress,
        passwordSecret: 'registry-credential',
      };
      r.spec.registryCredentials = [...(r.spec.registryCredentials ?? []), entry];
      return { realm: clone(r), action: 'created' as const };
    },
    removeRegistryCredential: async (realm: string, server?: string) => {
      this.record('removeRegistryCredential', `${realm} ${server ?? ''}`);
      const r = this.realms.get(realm)!;
      r.spec.registryCredentials = r.spec.registryCredentials?.filter((c) => c.serverAddress !== server);
      return clone(r);
    },
    updateRealm: async (d: Realm) => {
      this.record('updateRealm', d.metadata.name);
      const a = this.realms.get(d.metadata.name)!;
      const diff = diffRealm(d, a);
      const next = { ...a, metadata: { ...a.metadata, labels: { ...d.metadata.labels } } };
      this.realms.set(d.metadata.name, next);
      return { resource: clone(next), diff };
    },
    deleteRealm: async (name: string, o?: { cascade?: boolean }) => {
      this.record('deleteRealm', `${name} cascade=${o?.cascade ?? false}`);
      const deleted = this.removeRealmChildren(name);
      const existed = this.realms.delete(name);
      return { metadataDeleted: existed, cgroupDeleted: existed, namespaceDeleted: existed, deleted };
    },
    purgeRealm: async (name: string) => {
      this.record('purgeRealm', name);
      const deleted = this.removeRealmChildren(name);
      const existed = this.realms.delete(name);
      return { metadataDeleted: existed, cgroupDeleted: existed, namespaceDeleted: existed, deleted };
    },
    refreshRealm: async (name: string) => {
      const r = this.realms.get(name);
      return r && { resource: clone(r), updated: false, missing: [] };
    },
    createSpace: async (s: Space) => {
      this.record('createSpace', `${s.spec.realmId}/${s.metadata.name}`);
      if (!this.realms.has(s.spec.realmId))
        throw new KukeonError('REALM_NOT_FOUND', `realm "${s.spec.realmId}" not found`);
      const key = `${s.spec.realmId}/${s.metadata.name}`;
      const existed = this.spaces.has(key);
      const stored = this.spaces.get(key) ?? {
        ...clone(s),
        status: { state: 'Ready' as const, cgroupPath: '' },
      };
      this.spaces.set(key, stored);
      return {
        space: clone(stored),
        created: !existed,
        metadataExistedBefore: existed,
        networkExistedBefore: existed,
        networkCreated: !existed,
        cgroupExistedBefore: existed,
        cgroupCreated: !existed,
      };
    },
    ensureSpace: async (s: Space) => {
      this.record('ensureSpace', `${s.spec.realmId}/${s.metadata.name}`);
      return {
        space: clone(s),
        networkExistedBefore: true,
        networkCreated: false,
        cgroupExistedBefore: true,
        cgroupCreated: false,
      };
    },
    getSpace: async (realm: string, name: string) => clone(this.spaces.get(`${realm}/${name}`)),
    listSpaces: async (realm?: string) =>
      [...this.spaces.values()].filter((s) => !realm || s.spec.realmId === realm).map(clone),
    updateSpace: async (d: Space) => {
      const key = `${d.spec.realmId}/${d.metadata.name}`;
      this.record('updateSpace', key);
      const a = this.spaces.get(key)!;
      const next = { ...a, metadata: { ...a.metadata, labels: { ...d.metadata.labels } } };
      this.spaces.set(key, next);
      return { resource: clone(next), diff: diffSpace(d, a) };
    },
    deleteSpace: async (realm: string, name: string, o?: { cascade?: boolean }) => {
      this.record('deleteSpace', `${realm}/${name} cascade=${o?.cascade ?? false}`);
      const deleted = this.removeSpaceChildren(realm, name);
      const existed = this.spaces.delete(`${realm}/${name}`);
      return { metadataDeleted: existed, cgroupDeleted: existed, networkDeleted: existed, deleted };
    },
    purgeSpace: async (realm: string, name: string) => {
      this.record('purgeSpace', `${realm}/${name}`);
      const deleted = this.removeSpaceChildren(realm, name);
      const existed = this.spaces.delete(`${realm}/${name}`);
      return { metadataDeleted: existed, cgroupDeleted: existed, networkDeleted: existed, deleted };
    },
    refreshSpace: async (realm: string, name: string) => {
      const s = this.spaces.get(`${realm}/${name}`);
      return s && { resource: clone(s), updated: true, missing: [] };
    },
    createStack: async (t: Stack) => {
      const key = `${t.spec.realmId}/${t.spec.spaceId}/${t.metadata.name}`;
      this.record('createStack', key);
      if (!this.spaces.has(`${t.spec.realmId}/${t.spec.spaceId}`))
        throw new KukeonError('SPACE_NOT_FOUND', `space "${t.spec.spaceId}" not found`);
      const existed = this.stacks.has(key);
      const stored = this.stacks.get(key) ?? {
        ...clone(t),
        spec: { ...t.spec, id: t.spec.id || t.metadata.name },
        status: { state: 'Ready' as const, cgroupPath: '' },
      };
      this.stacks.set(key, stored);
      return {
        stack: clone(stored),
        created: !existed,
        metadataExistedBefore: existed,
        cgroupExistedBefore: existed,
        cgroupCreated: !existed,
      };
    },
    getStack: async (realm: string, space: string, name: string) =>
      clone(this.stacks.get(`${realm}/${space}/${name}`)),
    listStacks: async (realm: string, space: string) =>
      [...this.stacks.values()]
        .filter((t) => t.spec.realmId === realm && t.spec.spaceId === space)
        .map(clone),
    updateStack: async (d: Stack) => {
      const key = `${d.spec.realmId}/${d.spec.spaceId}/${d.metadata.name}`;
      this.record('updateStack', key);
      const a = this.stacks.get(key)!;
      const next = { ...a, metadata: { ...a.metadata, labels: { ...d.metadata.labels } } };
      this.stacks.set(key, next);
      return { resource: clone(next), diff: diffStack(d, a) };
    },
    deleteStack: async (realm: string, space: string, name: string, o?: { cascade?: boolean }) => {
      this.record('deleteStack', `${realm}/${space}/${name} cascade=${o?.cascade ?? false}`);
      const existed = this.stacks.delete(`${realm}/${space}/${name}`);
      return { metadataDeleted: existed, cgroupDeleted: existed, deleted: [] };
    },
    purgeStack: async (realm: string, space: string, name: string) => {
      this.record('purgeStack', `${realm}/${space}/${name}`);
      const existed = this.stacks.delete(`${realm}/${space}/${name}`);
      return { metadataDeleted: existed, cgroupDeleted: existed, deleted: [] };
    },
    refreshStack: async (realm: string, space: string, name: string) => {
      const t = this.stacks.get(`${realm}/${space}/${name}`);
      return t && { resource: clone(t), updated: false, missing: [] };
    },
    loadImage: async () => {
      throw new Error('not in the fake');
    },
    listImages: async () => [],
    getImage: async () => {
      throw new Error('not in the fake');
    },
    deleteImage: async () => undefined,
    pullImage: async () => {
      throw new Error('not in the fake');
    },
    pruneImages: async () => {
      throw new Error('not in the fake');
    },
    recoverIntents: async () => ({ finished: [], failed: [], needsUser: [], corrupt: [] }),
    sweepOrphans: async (): ReturnType<ScopeRunner['sweepOrphans']> => ({
      namespaces: [],
      cgroups: [],
      network: { bridges: [], networks: [], ipamDirs: [], conflists: [], chains: [], cacheFiles: [] },
      errors: [],
    }),
  };

  private removeSpaceChildren(realm: string, space: string): string[] {
    const out: string[] = [];
    for (const [k, t] of this.stacks) {
      if (t.spec.realmId === realm && t.spec.spaceId === space) {
        this.stacks.delete(k);
        out.push(`stack:${t.metadata.name}`);
      }
    }
    return out;
  }

  private removeRealmChildren(realm: string): string[] {
    const out: string[] = [];
    for (const [k, s] of this.spaces) {
      if (s.spec.realmId === realm) {
        out.push(...this.removeSpaceChildren(realm, s.metadata.name), `space:${s.metadata.name}`);
        this.spaces.delete(k);
      }
    }
    return out;
  }
}

/** A controller over a fresh fake runner and fake cells (namespace suffix `test`). */
export function fakeController(): { fake: FakeRunner; cells: FakeCells; controller: Controller } {
  const fake = new FakeRunner();
  const cells = new FakeCells();
  const controller = new Controller({
    runner: fake.port,
    probe: fakeProbe(fake),
    cells: cells.port,
    namespaceSuffix: 'test',
  });
  return { fake, cells, controller };
}

/** A probe that reports everything the fake runner knows as present on the host. */
export function fakeProbe(fake: FakeRunner): HostProbe {
  return {
    realmCgroupExists: async (r) => fake.realms.has(r),
    namespaceExists: async (ns) => [...fake.realms.values()].some((r) => r.spec.namespace === ns),
    spaceCgroupExists: async (r, s) => fake.spaces.has(`${r}/${s}`),
    spaceNetworkExists: async (r, s) => fake.spaces.has(`${r}/${s}`),
    stackCgroupExists: async (r, s, t) => fake.stacks.has(`${r}/${s}/${t}`),
    cellCgroupExists: async () => false,
  };
}

/** An in-memory CellPort: cells keyed by `r/s/t/name`, every mutation recorded in `calls`. */
export class FakeCells {
  cells = new Map<string, import('../model/resources.js').Cell>();
  calls: string[] = [];
  /** Each getCell: the cell's name and whether live container states were asked for. */
  gets: { name: string; observe: boolean }[] = [];
  /** State a start leaves the cell in (tests set Failed to exercise the failure path). */
  startState: 'Ready' | 'Failed' = 'Ready';

  /** The containerd IDs a real delete would remove: the root and one per declared container. */
  private containerIds(c: import('../model/resources.js').Cell): string[] {
    const stored = this.cells.get(this.key(c)) ?? c;
    const prefix = `${stored.spec.spaceId}_${stored.spec.stackId}_${stored.metadata.name}`;
    return [`${prefix}_root`, ...stored.spec.containers.map((x) => `${prefix}_${x.id}`)];
  }

  private key(c: import('../model/resources.js').Cell): string {
    return `${c.spec.realmId}/${c.spec.spaceId}/${c.spec.stackId}/${c.metadata.name}`;
  }

  readonly port: import('./runner-port.js').CellPort = {
    listCells: async (r, s, t) =>
      [...this.cells.values()].filter(
        (c) => c.spec.realmId === r && c.spec.spaceId === s && c.spec.stackId === t,
      ),
    getCell: async (r, s, t, n, options) => {
      this.gets.push({ name: n, observe: options?.observe !== false });
      return clone(this.cells.get(`${r}/${s}/${t}/${n}`));
    },
    createCell: async (cell) => {
      this.calls.push(`createCell ${cell.metadata.name}`);
      const stored = { ...clone(cell), status: { ...cell.status, state: 'Pending' as const } };
      this.cells.set(this.key(cell), stored);
      return { cell: clone(stored), created: true, containers: [] };
    },
    startCell: async (cell) => {
      this.calls.push(`startCell ${cell.metadata.name}`);
      const c = this.cells.get(this.key(cell))!;
      c.status.state = this.startState;
      return clone(c);
    },
    recreateCell: async (cell) => {
      this.calls.push(`recreateCell ${cell.metadata.name}`);
      const c = this.cells.get(this.key(cell))!;
      c.status.state = this.startState;
      return clone(c);
    },
    stopCell: async (cell) => clone(cell),
    killCell: async (cell) => clone(cell),
    updateCell: async (cell) => {
      this.calls.push(`updateCell ${cell.metadata.name}`);
      const prev = this.cells.get(this.key(cell))!;
      const next = { ...clone(cell), status: prev.status };
      this.cells.set(this.key(cell), next);
      return {
        cell: clone(next),
        recreatedCell: false,
        recreatedContainers: [],
        addedContainers: [],
        removedContainers: [],
      };
    },
    upsertContainer: async (cell, container) => {
      this.calls.push(`upsertContainer ${cell.metadata.name}/${container.id}`);
      const c = this.cells.get(this.key(cell))!;
      c.spec.containers = [...c.spec.containers.filter((x) => x.id !== container.id), clone(container)];
      return clone(c);
    },
    deleteCell: async (cell) => {
      this.calls.push(`deleteCell ${cell.metadata.name}`);
      const containersDeleted = this.containerIds(cell);
      this.cells.delete(this.key(cell));
      return {
        metadataDeleted: true,
        containersDeleted,
        cgroupDeleted: true,
        networkReleased: true,
      };
    },
    purgeCell: async (cell) => {
      const containersDeleted = this.containerIds(cell);
      this.cells.delete(this.key(cell));
      return {
        metadataDeleted: true,
        containersDeleted,
        cgroupDeleted: true,
        networkReleased: true,
      };
    },
    refreshCell: async () => ({ updated: false, containersUpdated: false }),
    reconcileCell: async () => ({ updated: false, deleted: false, vanished: false }),
  };
}
