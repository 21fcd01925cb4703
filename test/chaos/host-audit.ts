import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listLinks } from '../../src/cni/ip-link.js';
import { cniChains, readTable } from '../../src/cni/iptables.js';
import { egressContext } from '../../src/cni/egress/egress-context.js';
import { isSpaceEgressChain, spaceEgressChain } from '../../src/cni/egress/egress-names.js';
import { listLeases } from '../../src/cni/ipam-leases.js';
import {
  ContainerLabel,
  isKukeonNamespace,
  networkName,
  safeBridgeName,
} from '../../src/model/naming/index.js';
import type { Cell, Realm } from '../../src/model/resources.js';
import type { Runner } from '../../src/runner/runner.js';
import { candidateScopes } from '../../src/runner/volume/volume-mounts.js';
import {
  cellNames,
  chaosCredentialServers,
  chaosVolumes,
  credentialTarget,
  passwordOwner,
  type ChaosScope,
} from './chaos-scope.js';
import { isRegistryCredentialSecretName } from '../../src/model/naming/index.js';
import { readCredentialPassword } from '../../src/runner/images/realm-credentials.js';
import { listSecretInfos } from '../../src/store/index.js';
import type { Observed } from './expectations.js';
import { auditImages } from './image-audit.js';

/** What existed right after setup and is legitimately ours without a cell: the image's layers. */
export interface AuditBaseline {
  committedSnapshots: Set<string>;
  leases: Set<string>;
}

export interface AuditCounts {
  cells: number;
  readyCells: number;
  containers: number;
  tasks: number;
  runningTasks: number;
  snapshots: number;
  leases: number;
  ipamLeases: number;
  veths: number;
  bridges: number;
  chains: number;
  cgroups: number;
  pendingIntents: number;
  stagedSecretDirs: number;
  /** Volume mounts of running workloads checked against their volume's directory. */
  volumeMounts: number;
  /** Image records in the realm, and ingests (partial blob writes) left in it. */
  images: number;
  ingests: number;
}

export interface AuditResult {
  /** Something of ours that the metadata does not account for. */
  leaks: string[];
  /** Something the metadata says must exist, and does not. */
  lost: string[];
  /** Exists on both sides but disagrees (labels, running tasks of a cell that is not Ready...). */
  inconsistent: string[];
  /** Per target, for the expectation check. */
  observed: Map<string, Observed>;
  counts: AuditCounts;
}

interface ExpectedContainer {
  cell: Cell;
  id: string;
  root: boolean;
}

/**
 * Checks the host against the metadata tree, in both directions, for everything a cell, space or
 * stack can leave: containerd containers (with their labels), tasks (running iff the cell is
 * Ready), snapshots, leases, IPAM lease files, veths, bridges, CNI and KUKE iptables chains,
 * cgroups under the configured root, and intents still pending in the journal.
 */
export async function auditHost(
  runner: Runner,
  scope: ChaosScope,
  baseline: AuditBaseline,
): Promise<AuditResult> {
  const { ctx } = runner;
  const cfg = ctx.config;
  const leaks: string[] = [];
  const lost: string[] = [];
  const inconsistent: string[] = [];
  const observed = new Map<string, Observed>(cellNames(scope).map((n) => [`cell:${n}`, { exists: false }]));

  const realm = await runner.getRealm(scope.realm);
  if (!realm) throw new Error(`chaos realm ${scope.realm} vanished`);
  const ns = realm.spec.namespace;
  const spaces = (await runner.listSpaces(scope.realm)).map((s) => s.metadata.name);
  const stacks = new Map<string, string[]>();
  for (const s of spaces)
    stacks.set(
      s,
      (await runner.listStacks(scope.realm, s)).map((t) => t.metadata.name),
    );
  observed.set(`space:${scope.extraSpace}`, { exists: spaces.includes(scope.extraSpace) });
  observed.set(`stack:${scope.extraSpace}/${scope.extraStack}`, {
    exists: stacks.get(scope.extraSpace)?.includes(scope.extraStack) ?? false,
  });
  for (const v of chaosVolumes(scope))
    observed.set(`volume:${v.name}`, { exists: (await runner.getVolume(v.scope, v.name)) !== undefined });
  await auditCredentials(runner, scope, realm, observed, { leaks, inconsistent });
  for (const s of [scope.space]) {
    if (!spaces.includes(s)) lost.push(`space ${s}`);
    else if (!stacks.get(s)?.includes(scope.stack)) lost.push(`stack ${s}/${scope.stack}`);
  }
  for (const s of spaces) {
    const r = await runner.refreshSpace(scope.realm, s);
    for (const m of r?.missing ?? []) lost.push(`space ${s}: ${m}`);
    for (const t of stacks.get(s) ?? []) {
      const rs = await runner.refreshStack(scope.realm, s, t);
      for (const m of rs?.missing ?? []) lost.push(`stack ${s}/${t}: ${m}`);
    }
  }

  // Cells and the containers they account for.
  const cells: Cell[] = [];
  for (const [s, ts] of stacks)
    for (const t of ts) cells.push(...(await runner.listCells(scope.realm, s, t)));
  const expected = new Map<string, ExpectedContainer>();
  const rootOf = new Map<Cell, string>();
  for (const cell of cells) {
    const ref = runner.cellRef({
      realm: scope.realm,
      space: cell.spec.spaceId,
      stack: cell.spec.stackId,
      name: cell.metadata.name,
      id: cell.spec.id,
    });
    rootOf.set(cell, ref.rootContainerdId);
    if (cell.spec.spaceId === scope.space && cell.spec.stackId === scope.stack)
      observed.set(`cell:${cell.metadata.name}`, { exists: true, ready: cell.status.state === 'Ready' });
    // Exited is what the state derivation gives for a created cell whose tasks never ran.
    if (!['Pending', 'Ready', 'Stopped', 'Failed', 'Exited'].includes(cell.status.state))
      inconsistent.push(`cell ${cell.metadata.name} left in state ${cell.status.state}`);
    for (const c of cell.spec.containers) {
      if (!c.containerdId) {
        inconsistent.push(`cell ${cell.metadata.name}: container ${c.id} has no containerd id in metadata`);
        continue;
      }
      expected.set(c.containerdId, { cell, id: c.id, root: !!c.root });
    }
  }
  const ready = cells.filter((c) => c.status.state === 'Ready');

  // containerd: only our realm's namespace may exist.
  for (const n of await ctx.containerd.namespaces.list())
    if (isKukeonNamespace(n.name, cfg.namespaceSuffix) && n.name !== ns) leaks.push(`namespace ${n.name}`);
  const records = await ctx.containerd.containers.list(ns);
  const recordIds = new Set(records.map((r) => r.id));
  for (const r of records) {
    const e = expected.get(r.id);
    if (!e) {
      leaks.push(`container ${r.id}`);
      continue;
    }
    const want: Record<string, string> = {
      [ContainerLabel.Cell]: e.cell.spec.id,
      [ContainerLabel.Realm]: scope.realm,
      [ContainerLabel.Space]: e.cell.spec.spaceId,
      [ContainerLabel.Stack]: e.cell.spec.stackId,
      [ContainerLabel.ContainerType]: e.root ? 'root' : 'container',
    };
    for (const [k, v] of Object.entries(want))
      if (r.labels[k] !== v) inconsistent.push(`container ${r.id}: label ${k}=${r.labels[k]} (want ${v})`);
  }
  for (const [id, e] of expected)
    if (!recordIds.has(id)) lost.push(`container ${id} of cell ${e.cell.metadata.name}`);

  const tasks = await ctx.containerd.tasks.list(ns);
  const running = new Set(tasks.filter((t) => t.status === 'RUNNING').map((t) => t.container_id));
  for (const t of tasks)
    if (!expected.has(t.container_id)) leaks.push(`task ${t.container_id} (${t.status})`);
  for (const cell of cells) {
    const isReady = cell.status.state === 'Ready';
    for (const c of cell.spec.containers) {
      if (!c.containerdId) continue;
      if (isReady && !running.has(c.containerdId))
        inconsistent.push(`cell ${cell.metadata.name} is Ready but ${c.id} does not run`);
      if (!isReady && running.has(c.containerdId))
        inconsistent.push(`cell ${cell.metadata.name} is ${cell.status.state} but ${c.id} runs`);
    }
  }

  const snapshots = await ctx.containerd.snapshots.list(ns);
  const snapNames = new Set(snapshots.map((s) => s.name));
  // Pulled images: their layer chains may exist, and so may the chain under a container's rootfs
  // whose image was deleted since (GC keeps a snapshot's parents).
  const imageAudit = await auditImages(runner, ns);
  leaks.push(...imageAudit.leaks);
  lost.push(...imageAudit.lost);
  if (scope.pulledImage)
    observed.set(`image:${scope.pulledImage}`, { exists: imageAudit.images.has(scope.pulledImage) });
  const parentOf = new Map(snapshots.map((s) => [s.name, s.parent]));
  const kept = new Set([...baseline.committedSnapshots, ...imageAudit.committedSnapshots]);
  for (const id of expected.keys())
    for (let p = parentOf.get(id); p && !kept.has(p); p = parentOf.get(p)) kept.add(p);
  const unaccounted: typeof snapshots = [];
  for (const s of snapshots) {
    if (s.kind === 'COMMITTED' && kept.has(s.name)) continue;
    if (s.kind === 'ACTIVE' && expected.has(s.name)) continue;
    unaccounted.push(s);
  }
  for (const id of expected.keys()) if (!snapNames.has(id)) lost.push(`snapshot ${id}`);
  const leases = (await ctx.containerd.leases.list(ns)).filter((l) => !baseline.leases.has(l.id));
  for (const l of leases) leaks.push(`lease ${l.id}`);
  // A leftover lease keeps an unreferenced snapshot from GC; say so, it is the same defect.
  for (const s of unaccounted)
    leaks.push(
      `snapshot ${s.name} (${s.kind}${leases.length ? `, while ${leases.length} leftover lease(s) exist` : ''})`,
    );

  // Network: bridges of live spaces only; leases, veths and chains of Ready cells only.
  const ourNetworks = new Set([scope.space, scope.extraSpace].map((s) => networkName(scope.realm, s)));
  const liveNetworks = new Map(spaces.map((s) => [networkName(scope.realm, s), s]));
  const bridgeOf = (net: string): string => safeBridgeName(net, cfg.bridgePrefix);
  const liveBridges = new Set([...liveNetworks.keys()].map(bridgeOf));
  const links = await listLinks();
  const bridges = links.filter((l) => l.kind === 'bridge' && l.name.startsWith(cfg.bridgePrefix));
  for (const b of bridges) if (!liveBridges.has(b.name)) leaks.push(`bridge ${b.name}`);
  const readyRootsByNet = new Map<string, Set<string>>();
  for (const cell of ready) {
    const net = networkName(scope.realm, cell.spec.spaceId);
    if (!readyRootsByNet.has(net)) readyRootsByNet.set(net, new Set());
    readyRootsByNet.get(net)!.add(rootOf.get(cell)!);
  }
  let ipamLeases = 0;
  for (const dir of subdirs(cfg.cniIpamDir)) {
    if (!liveNetworks.has(dir)) {
      leaks.push(`IPAM directory ${dir}`);
      continue;
    }
    const held = await listLeases(cfg.cniIpamDir, dir);
    ipamLeases += held.length;
    const roots = readyRootsByNet.get(dir) ?? new Set();
    for (const l of held)
      if (!roots.has(l.containerId)) leaks.push(`IPAM lease ${dir}/${l.ip} (${l.containerId})`);
    const holders = new Set(held.map((l) => l.containerId));
    for (const r of roots) if (!holders.has(r)) lost.push(`IPAM lease of Ready cell root ${r}`);
  }
  // Each host veth on our bridges must be the peer of the eth0 of a Ready cell's root.
  const taskByPid = new Map(tasks.filter((t) => t.status === 'RUNNING').map((t) => [t.pid, t.container_id]));
  const peers = vethPeers(taskByPid);
  const readyRoots = new Set(ready.map((c) => rootOf.get(c)!));
  let veths = 0;
  const suspects: { v: IpLink; owners: string[] }[] = [];
  for (const v of hostVeths().filter((l) => l.master && bridges.some((b) => b.name === l.master))) {
    veths++;
    const owners = peers.get(v.ifindex) ?? [];
    if (!owners.some((o) => readyRoots.has(o))) suspects.push({ v, owners });
  }
  // The kernel frees a dead netns (and the veth pair in it) asynchronously, some time after its
  // last task exited: a veth whose peer is in no running task is a leak only if it stays.
  for (let i = 0; i < 20 && suspects.some((x) => x.owners.length === 0); i++) {
    await sleep(100);
    const still = new Set(hostVeths().map((l) => l.ifindex));
    for (let k = suspects.length - 1; k >= 0; k--)
      if (!still.has(suspects[k].v.ifindex)) {
        suspects.splice(k, 1);
        veths--;
      }
  }
  for (const { v, owners } of suspects)
    leaks.push(
      `veth ${v.ifname} on ${v.master} (${owners.length ? `peer in the netns of tasks ${owners.join(' ')}` : 'peer in no running task'})`,
    );
  const vethOwners = new Set([...peers.values()].flat());
  for (const r of readyRoots) if (!vethOwners.has(r)) lost.push(`veth of Ready cell root ${r}`);
  const chains = cniChains(await readTable('nat')).filter((c) => ourNetworks.has(c.network));
  for (const c of chains) {
    if (!liveNetworks.has(c.network) || !readyRootsByNet.get(c.network)?.has(c.containerId))
      leaks.push(`iptables chain ${c.chain} (${c.network} ${c.containerId})`);
  }
  // Egress chains (names follow the bridge prefix): one per live space at most, none of a gone one.
  const egress = egressContext(cfg);
  const liveEgress = new Set(spaces.map((s) => spaceEgressChain(egress, scope.realm, s)));
  for (const c of iptablesChainNames())
    if (isSpaceEgressChain(egress, c) && !liveEgress.has(c))
      leaks.push(`iptables chain ${c} (no live space)`);

  // cgroups: realm / space / stack / cell / containerd id, as the metadata names them.
  const allowed = new Set<string>(['', scope.realm]);
  for (const [s, ts] of stacks) {
    allowed.add(`${scope.realm}/${s}`);
    for (const t of ts) allowed.add(`${scope.realm}/${s}/${t}`);
  }
  const cellDirs = new Map<string, Cell>();
  for (const cell of cells) {
    const dir = `${scope.realm}/${cell.spec.spaceId}/${cell.spec.stackId}/${cell.metadata.name}`;
    allowed.add(dir);
    cellDirs.set(dir, cell);
    for (const c of cell.spec.containers) if (c.containerdId) allowed.add(`${dir}/${c.containerdId}`);
  }
  const groups = cgroupDirs(cfg.cgroupMount, cfg.cgroupRoot);
  for (const g of groups) if (!allowed.has(g.path)) leaks.push(`cgroup ${g.hierarchy}:${g.path}`);
  for (const [dir, cell] of cellDirs) {
    const present = await ctx.cgroups.exists(`/${cfg.cgroupRoot}/${dir}`);
    if (!present.exists) lost.push(`cgroup of cell ${cell.metadata.name}`);
  }

  // Staged file secrets: a directory per container record that has file secrets, nothing else.
  const staged = new Set<string>();
  for (const n of subdirs(cfg.secretStagingDir)) {
    if (n !== ns) {
      leaks.push(`staged secrets of namespace ${n}`);
      continue;
    }
    for (const id of subdirs(join(cfg.secretStagingDir, n))) {
      staged.add(id);
      if (!recordIds.has(id)) leaks.push(`staged secrets of ${id} (no container)`);
    }
  }
  for (const [id, e] of expected) {
    const spec = e.cell.spec.containers.find((c) => c.id === e.id);
    const files = (spec?.secrets ?? []).filter((x) => x.mountPath);
    if (files.length > 0 && recordIds.has(id) && !staged.has(id)) lost.push(`staged secrets of ${id}`);
  }

  // Volumes of running workloads: the volume must exist, and what the task has at the mount's
  // target must be that very directory (not one removed under it, nor an older incarnation).
  let volumeMounts = 0;
  const pidOf = new Map(tasks.filter((t) => t.status === 'RUNNING').map((t) => [t.container_id, t.pid]));
  for (const cell of ready)
    for (const c of cell.spec.containers) {
      const pid = c.containerdId ? pidOf.get(c.containerdId) : undefined;
      for (const m of c.volumes ?? []) {
        if (m.kind !== 'volume' || !pid) continue;
        volumeMounts++;
        const at = { realm: scope.realm, space: cell.spec.spaceId, stack: cell.spec.stackId };
        let volume: string | undefined;
        for (const k of candidateScopes(at, m)) {
          volume = (await runner.getVolume(k.scope, k.name))?.path;
          if (volume) break;
        }
        const what = `volume "${m.source ?? m.volumeRef?.name}" of running ${cell.metadata.name}/${c.id}`;
        if (!volume) {
          lost.push(`${what}: no such volume`);
          continue;
        }
        const inTask = statOrUndefined(`/proc/${pid}/root${m.target}`);
        const dir = statOrUndefined(volume);
        if (!inTask || !dir || inTask.ino !== dir.ino || inTask.dev !== dir.dev)
          lost.push(`${what}: ${m.target} in the task is not ${volume}`);
      }
    }

  const pending = (await ctx.journal.list()).intents;
  for (const i of pending) leaks.push(`pending intent ${i.op} ${i.kind} ${i.key}`);

  return {
    leaks,
    lost,
    inconsistent,
    observed,
    counts: {
      cells: cells.length,
      readyCells: ready.length,
      containers: records.length,
      tasks: tasks.length,
      runningTasks: running.size,
      snapshots: snapshots.length,
      leases: leases.length,
      ipamLeases,
      veths,
      bridges: bridges.length,
      chains: chains.length,
      cgroups: groups.length,
      pendingIntents: pending.length,
      stagedSecretDirs: staged.size,
      volumeMounts,
      images: imageAudit.images.size,
      ingests: imageAudit.ingests,
    },
  };
}

function statOrUndefined(path: string): { ino: number; dev: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
}

export function iptablesChainNames(): string[] {
  const out = execFileSync('iptables-save', [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out
    .split('\n')
    .filter((l) => l.startsWith(':'))
    .map((l) => l.slice(1).split(' ')[0]);
}

/** Every cgroup directory under the root, per hierarchy, as a path relative to the root. */
export function cgroupDirs(mount: string, root: string): { hierarchy: string; path: string }[] {
  const rel = root.replace(/^\/+|\/+$/g, '');
  let hierarchies: string[];
  try {
    // Symlinked hierarchies (cpu -> cpu,cpuacct) would be walked twice.
    hierarchies = readdirSync(mount).filter((h) => !lstatSync(join(mount, h)).isSymbolicLink());
  } catch {
    return [];
  }
  const unified = hierarchies.includes('cgroup.controllers');
  const out: { hierarchy: string; path: string }[] = [];
  for (const h of unified ? ['.'] : hierarchies) {
    const top = join(mount, h, rel);
    try {
      if (!statSync(top).isDirectory()) continue;
    } catch {
      continue;
    }
    const walk = (dir: string, prefix: string): void => {
      out.push({ hierarchy: h, path: prefix });
      for (const d of subdirs(dir)) walk(join(dir, d), prefix ? `${prefix}/${d}` : d);
    };
    walk(top, '');
  }
  return out;
}

interface IpLink {
  ifindex: number;
  ifname: string;
  master?: string;
  link_index?: number;
  linkinfo?: { info_kind?: string };
}

const ipLinks = (args: string[]): IpLink[] => {
  try {
    return JSON.parse(
      execFileSync(args[0], args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }) || '[]',
    ) as IpLink[];
  } catch {
    return [];
  }
};

function hostVeths(): IpLink[] {
  return ipLinks(['ip', '-j', '-d', 'link', 'show']).filter((l) => l.linkinfo?.info_kind === 'veth');
}

/** Host-side ifindex of every veth whose other end is in a running task's netns → the tasks in that netns. */
function vethPeers(taskByPid: Map<number, string>): Map<number, string[]> {
  const byNs = new Map<string, { pid: number; containers: string[] }>();
  for (const [pid, container] of taskByPid) {
    try {
      const ns = readlinkSync(`/proc/${pid}/ns/net`);
      const e = byNs.get(ns) ?? { pid, containers: [] };
      e.containers.push(container);
      byNs.set(ns, e);
    } catch {
      // exited meanwhile
    }
  }
  const out = new Map<number, string[]>();
  for (const { pid, containers } of byNs.values())
    for (const l of ipLinks(['nsenter', '-t', String(pid), '-n', 'ip', '-j', '-d', 'link', 'show']))
      if (l.linkinfo?.info_kind === 'veth' && l.link_index) out.set(l.link_index, containers);
  return out;
}

/**
 * The realm's registry logins (docs/images.md, "Credentials"): each entry's password Secret must
 * exist and hold that user's password (a crash must not pair one user with another's), and no
 * credential Secret may be left that no entry names (the start-up sweep removes those).
 */
async function auditCredentials(
  runner: Runner,
  scope: ChaosScope,
  realm: Realm,
  observed: Map<string, Observed>,
  out: { leaks: string[]; inconsistent: string[] },
): Promise<void> {
  const entries = realm.spec.registryCredentials ?? [];
  for (const server of chaosCredentialServers) {
    const entry = entries.find((c) => (c.serverAddress ?? '') === server);
    const target = credentialTarget(server);
    observed.set(target, { exists: entry !== undefined });
    if (!entry) continue;
    try {
      const owner = passwordOwner(readCredentialPassword(runner.ctx, scope.realm, entry));
      if (owner !== entry.username)
        out.inconsistent.push(`${target}: user ${entry.username} has the password of ${owner}`);
    } catch (err) {
      out.inconsistent.push(`${target}: ${(err as Error).message}`);
    }
  }
  const named = new Set(entries.map((c) => c.passwordSecret ?? ''));
  for (const s of await listSecretInfos(runner.ctx.config.secretStoreDir, { realm: scope.realm }))
    if (!s.space && isRegistryCredentialSecretName(s.name) && !named.has(s.name))
      out.leaks.push(`credential Secret ${s.name} that no entry names`);
}
