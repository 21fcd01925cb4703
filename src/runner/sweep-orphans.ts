import { isKukeonNamespace, realmFromNamespace, safeBridgeName, networkName } from '../model/naming/index.js';
import { cgroupRootPath } from '../model/naming/index.js';
import { listOrphans, purgeOrphans, type OrphanReport } from '../cni/index.js';
import { isNotFound, purgeNamespace } from '../containerd/index.js';
import { withRealmLock } from './intent.js';
import { ContainerLabel } from '../model/naming/index.js';
import { cellRef, type CellRef } from './cell/cell-ref.js';
import { withCellLock } from './cell/cell-store.js';
import { removeCellHost } from './cell/remove-cell-host.js';
import { readResource } from './resource-store.js';
import { sweepOrphanLeases } from './lease-owner.js';
import type { RunnerContext } from './runner-context.js';
import { listRealms } from './realm/realm-queries.js';
import { listSpaces } from './space/space-queries.js';
import { listStacks } from './stack/stack-queries.js';
import { sweepEgressOrphans } from './space/space-egress.js';
import { sweepOrphanShims } from './orphan-shims.js';
import {
  sweepRegistryCredentialSecrets,
  sweepSecretScopes,
  sweepStagedSecrets,
} from './secrets/sweep-secrets.js';

export interface SweepReport {
  namespaces: string[];
  cgroups: string[];
  network: OrphanReport;
  /** Space egress chains (our prefix) whose space is gone. */
  egressChains?: string[];
  /** containerd leases of ours whose owner process is gone (a crash mid-write). */
  leases?: string[];
  /** Cells whose containers or cgroup existed without cell metadata (`realm/space/stack/cell`). */
  cells?: string[];
  /** containerd shims of ours serving no container containerd knows of (`namespace/id (pid n)`). */
  shims?: string[];
  /** Staged secret directories whose container is gone (`namespace/containerdId`). */
  stagedSecrets?: string[];
  /** Secret store scopes whose scope metadata is gone (`realm/space/…`). */
  secretScopes?: string[];
  /** Registry-credential Secrets no credential of their realm names (`realm/name`). */
  registryCredentialSecrets?: string[];
  errors: string[];
}

/**
 * The ownership sweep (docs/runner-design.md, mechanism 3): removes what carries kukeon's mark
 * but is not accounted for by the metadata tree — containerd namespaces `<x>.<suffix>` with no
 * realm, cgroups under the kukeon root with no realm/space/stack, bridges, leases, chains and
 * conflists of networks with no space. Resources with a pending intent are left to recovery.
 * Names are matched exactly, so realm `dev` never claims realm `dev-2`'s objects.
 */
export async function sweepOrphans(ctx: RunnerContext): Promise<SweepReport> {
  const report: SweepReport = {
    namespaces: [],
    cgroups: [],
    network: emptyOrphans(),
    egressChains: [],
    errors: [],
  };
  const pending = new Set((await ctx.journal.list()).intents.map((i) => `${i.kind}:${i.key}`));
  const realms = await listRealms(ctx);
  const realmNames = new Set(realms.map((r) => r.metadata.name));
  const realmNamespaces = new Set(realms.map((r) => r.spec.namespace));
  const fail = (what: string, err: unknown): void => {
    report.errors.push(`${what}: ${(err as Error).message ?? String(err)}`);
    ctx.log.warn({ err, what }, 'orphan sweep step failed');
  };

  // Leases a crashed process held: they keep snapshots alive until they expire otherwise.
  report.leases = [];
  for (const ns of realmNamespaces) {
    try {
      report.leases.push(...(await sweepOrphanLeases(ctx, ns)).map((id) => `${ns}/${id}`));
    } catch (err) {
      fail(`leases of ${ns}`, err);
    }
  }

  for (const ns of await ctx.containerd.namespaces.list()) {
    const suffix = ctx.config.namespaceSuffix;
    if (!isKukeonNamespace(ns.name, suffix) || realmNamespaces.has(ns.name)) continue;
    const realm = realmFromNamespace(ns.name, suffix);
    if (pending.has(`Realm:${realm}`)) continue;
    try {
      await withRealmLock(ctx, realm, async () => {
        if (await ctx.store.exists([realm])) return; // created meanwhile
        await purgeNamespace(ctx.containerd, ns.name);
        report.namespaces.push(ns.name);
      });
    } catch (err) {
      fail(`namespace ${ns.name}`, err);
    }
  }

  // Containers labelled with a cell whose metadata is gone (deleted by hand, or a crash between
  // the records and the stub): the whole cell's host state goes.
  for (const realm of realms) {
    const ns = realm.spec.namespace;
    const records = await ctx.containerd.containers
      .list(ns, [`labels."${ContainerLabel.Cell}"`])
      .catch((err: unknown) => (fail(`containers of ${ns}`, err), []));
    const cells = new Map<string, { space: string; stack: string; id: string; name: string }>();
    for (const r of records) {
      const space = r.labels[ContainerLabel.Space];
      const stack = r.labels[ContainerLabel.Stack];
      const id = r.labels[ContainerLabel.Cell];
      if (!space || !stack || !id) continue;
      const name = r.labels[ContainerLabel.CellName] || id;
      cells.set(`${space}/${stack}/${id}`, {
        space,
        stack,
        id,
        name: cells.get(`${space}/${stack}/${id}`)?.name ?? name,
      });
    }
    for (const c of cells.values()) {
      const key = `${realm.metadata.name}/${c.space}/${c.stack}/${c.name}`;
      if (pending.has(`Cell:${key}`)) continue;
      if (await ctx.store.exists([realm.metadata.name, c.space, c.stack, c.name])) continue;
      let ref: CellRef;
      try {
        ref = cellRef(ctx, {
          realm: realm.metadata.name,
          space: c.space,
          stack: c.stack,
          name: c.name,
          id: c.id,
        });
      } catch {
        continue; // labels that are not our names: not ours to touch
      }
      await sweepCell(ctx, ref, report, fail);
    }
  }

  // cgroups: walk root → realm → space → stack; anything the metadata does not name is an orphan.
  const root = cgroupRootPath(ctx.config.cgroupRoot);
  const sweepGroup = async (path: string, key: string): Promise<void> => {
    if (pending.has(key)) return;
    try {
      await ctx.cgroups.remove(path, { force: true });
      report.cgroups.push(path);
    } catch (err) {
      fail(`cgroup ${path}`, err);
    }
  };
  for (const realm of await ctx.cgroups.listChildren(root)) {
    if (!realmNames.has(realm)) {
      await withRealmLock(ctx, realm, async () => {
        if (!(await ctx.store.exists([realm]))) await sweepGroup(`${root}/${realm}`, `Realm:${realm}`);
      });
      continue;
    }
    const spaces = new Set((await listSpaces(ctx, realm)).map((s) => s.metadata.name));
    // The realm's container IDs, listed once, pre-filter container groups (checked again under
    // the cell lock before anything is removed).
    let known: Promise<Set<string>> | undefined;
    const knownContainers = (): Promise<Set<string>> =>
      (known ??= readResource(ctx, 'Realm', [realm])
        .then((r) => (r ? ctx.containerd.containers.list(r.spec.namespace) : []))
        .then((records) => new Set(records.map((c) => c.id))));
    for (const space of await ctx.cgroups.listChildren(`${root}/${realm}`)) {
      if (!spaces.has(space)) {
        await sweepGroup(`${root}/${realm}/${space}`, `Space:${realm}/${space}`);
        continue;
      }
      const stacks = new Set((await listStacks(ctx, realm, space)).map((s) => s.metadata.name));
      for (const stack of await ctx.cgroups.listChildren(`${root}/${realm}/${space}`)) {
        if (!stacks.has(stack)) {
          await sweepGroup(`${root}/${realm}/${space}/${stack}`, `Stack:${realm}/${space}/${stack}`);
          continue;
        }
        // Cell cgroups with no cell metadata (their containers are swept below); in a live cell,
        // container groups no container of it owns.
        for (const cell of await ctx.cgroups.listChildren(`${root}/${realm}/${space}/${stack}`)) {
          if (pending.has(`Cell:${realm}/${space}/${stack}/${cell}`)) continue;
          const ref = cellRef(ctx, { realm, space, stack, name: cell });
          if (!(await ctx.store.exists([realm, space, stack, cell]))) {
            await sweepCell(ctx, ref, report, fail);
            continue;
          }
          const children = await ctx.cgroups.listChildren(ref.cgroupPath);
          if (children.length === 0) continue;
          const ids = await knownContainers().catch(() => undefined);
          const unknown = ids ? children.filter((c) => !ids.has(c)) : [];
          if (unknown.length) await sweepStrayContainerGroups(ctx, ref, unknown, report, fail);
        }
      }
    }
  }

  // Networks: every live space's network is kept; everything else of ours goes.
  const live = (await listSpaces(ctx)).map((s) => {
    const name = networkName(s.spec.realmId, s.metadata.name);
    return { name, bridge: safeBridgeName(name, ctx.config.bridgePrefix) };
  });
  try {
    const orphans = await listOrphans(ctx.cni, live);
    orphans.networks = orphans.networks.filter((n) => !pendingNetwork(pending, n.name));
    const { errors } = await purgeOrphans(ctx.cni, orphans);
    errors.forEach((e) => fail('network', e));
    report.network = orphans;
  } catch (err) {
    fail('network', err);
  }

  // Egress chains: kept for every live space and every space with a pending intent.
  try {
    const keep = (await listSpaces(ctx)).map((s) => ({ realm: s.spec.realmId, space: s.metadata.name }));
    for (const key of pending) {
      if (!key.startsWith('Space:')) continue;
      const [realm, space] = key.slice('Space:'.length).split('/');
      if (realm && space) keep.push({ realm, space });
    }
    const { removed, errors } = await sweepEgressOrphans(ctx, keep);
    report.egressChains = removed;
    errors.forEach((e) => fail('egress', e));
  } catch (err) {
    fail('egress', err);
  }

  // Secrets: staged files of containers that are gone, stored ones of scopes that are gone.
  try {
    report.stagedSecrets = await sweepStagedSecrets(ctx, realmNamespaces, pending);
    report.secretScopes = await sweepSecretScopes(ctx, pending);
    report.registryCredentialSecrets = await sweepRegistryCredentialSecrets(ctx, pending);
  } catch (err) {
    fail('secrets', err);
  }

  // Shims last: the steps above may have removed the containers a shim served.
  try {
    const { removed, errors } = await sweepOrphanShims(ctx);
    report.shims = removed;
    errors.forEach((e) => fail('shims', e));
  } catch (err) {
    fail('shims', err);
  }
  return report;
}

function pendingNetwork(pending: Set<string>, network: string): boolean {
  for (const key of pending) {
    if (!key.startsWith('Space:')) continue;
    const [realm, space] = key.slice('Space:'.length).split('/');
    if (networkName(realm, space) === network) return true;
  }
  return false;
}

function emptyOrphans(): OrphanReport {
  return { bridges: [], networks: [], ipamDirs: [], conflists: [], chains: [], cacheFiles: [] };
}

/** Removes an orphan cell's containers, network attachment and cgroup, under its lock. */
/**
 * Container cgroups under a live cell that containerd holds no container for: runc makes a
 * container's group when its task is created, so a crash while a task create or delete was in
 * flight can leave one behind with nothing to remove it. `candidates` came from a listing taken
 * before the lock: each is checked again (a container created since has its record first).
 */
async function sweepStrayContainerGroups(
  ctx: RunnerContext,
  ref: CellRef,
  candidates: readonly string[],
  report: SweepReport,
  fail: (what: string, err: unknown) => void,
): Promise<void> {
  try {
    await withCellLock(ctx, ref, async () => {
      const realm = await readResource(ctx, 'Realm', [ref.realm]);
      if (!realm) return;
      for (const child of candidates) {
        const owned = await ctx.containerd.containers.get(realm.spec.namespace, child).then(
          () => true,
          (err: unknown) => !isNotFound(err), // containerd unreachable: not ours to judge now
        );
        if (owned) continue;
        const path = `${ref.cgroupPath}/${child}`;
        const removed = await ctx.cgroups.remove(path, { force: true });
        if (removed.existed) report.cgroups.push(path);
      }
    });
  } catch (err) {
    fail(`container cgroups of cell ${ref.scope.join('/')}`, err);
  }
}

async function sweepCell(
  ctx: RunnerContext,
  ref: CellRef,
  report: SweepReport,
  fail: (what: string, err: unknown) => void,
): Promise<void> {
  try {
    await withCellLock(ctx, ref, async () => {
      if (await ctx.store.exists(ref.scope)) return; // created meanwhile
      const realm = await readResource(ctx, 'Realm', [ref.realm]);
      if (!realm) return;
      const r = await removeCellHost(ctx, realm.spec.namespace, ref, { removeMetadata: false });
      (report.cells ??= []).push(ref.scope.join('/'));
      if (r.cgroupDeleted) report.cgroups.push(ref.cgroupPath);
    });
  } catch (err) {
    fail(`cell ${ref.scope.join('/')}`, err);
  }
}
