import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { HostConfig } from '../../src/config.js';
import { defaultChainNames } from '../../src/cni/egress/egress-context.js';
import { cidrContains, parseIpv4Cidr } from '../../src/model/naming/index.js';

/**
 * Everything kukeon can leave on a host, as sorted string lists, so a test can compare "before"
 * and "after" and a leak shows up as a named line in the assertion diff.
 */
export interface HostSnapshot {
  namespaces: string[];
  cgroups: string[];
  links: string[];
  ipam: string[];
  chains: string[];
  metadata: string[];
  journal: string[];
  netns: string[];
  /** Files on the secret staging tmpfs and in the secret store. */
  secrets: string[];
  /**
   * Live kukeond processes serving this configuration's run path (named on their command line or
   * in their environment): one that outlives its test re-creates what the test's clean-up removed.
   */
  daemons: string[];
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

function walk(dir: string, base = dir): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e);
    const rel = relative(base, p);
    try {
      if (statSync(p).isDirectory()) out.push(rel + '/', ...walk(p, base));
      else out.push(rel);
    } catch {
      out.push(rel);
    }
  }
  return out.sort();
}

/** Every cgroup directory under the configured root, in every hierarchy (`<hierarchy>:<path>`). */
function cgroupDirs(cfg: HostConfig): string[] {
  const root = cfg.cgroupRoot.replace(/^\/+/, '');
  const out: string[] = [];
  let hierarchies: string[];
  try {
    hierarchies = readdirSync(cfg.cgroupMount);
  } catch {
    return [];
  }
  const flat = hierarchies.some((h) => h === 'cgroup.controllers');
  for (const h of flat ? ['.'] : hierarchies) {
    const top = join(cfg.cgroupMount, h, root);
    const dirs = walk(top).filter((p) => p.endsWith('/'));
    try {
      if (statSync(top).isDirectory()) out.push(`${h}:/${root}`);
    } catch {
      continue;
    }
    out.push(...dirs.map((d) => `${h}:/${root}/${d.slice(0, -1)}`));
  }
  return out.sort();
}

/**
 * Our bridges (by prefix) and the veths enslaved to them. Veths elsewhere on the host belong to
 * other tests or other software and are not ours to count.
 */
function ourLinks(prefix: string): string[] {
  const out: string[] = [];
  for (const line of sh('ip', ['-o', 'link', 'show']).split('\n')) {
    const name = line.split(': ')[1]?.split('@')[0];
    if (!name) continue;
    const master = / master (\S+)/.exec(line)?.[1];
    if (name.startsWith(prefix) || master?.startsWith(prefix)) out.push(name);
  }
  return out.sort();
}

/**
 * Our iptables chains: the egress, input, host isolation and postrouting (masquerade) chains (named after our bridge prefix), the bridge plugin's
 * masquerade chains and portmap's DNAT chains of our networks — recognised by their rules naming
 * an address of our subnet pool (CNI-* chains of other processes' networks are not ours to count).
 * portmap's shared CNI-HOSTPORT-* chains are not counted here (another process may publish ports
 * meanwhile); test/e2e/published-ports.test.ts checks them.
 */
function ourChains(cfg: HostConfig): string[] {
  const ours = defaultChainNames(cfg.bridgePrefix);
  const named = [ours.rootChain, ours.forwardChain, ours.inputChain, ours.postroutingChain];
  const pool = parseIpv4Cidr(cfg.subnetPool);
  const inPool = (cidr: string): boolean => {
    const inner = parseIpv4Cidr(cidr.includes('/') ? cidr : `${cidr}/32`);
    return pool !== undefined && inner !== undefined && cidrContains(pool, inner);
  };
  const text = sh('iptables-save', []);
  const chains = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) {
      const c = line.split(' ')[0].slice(1);
      if (c.startsWith(ours.chainPrefix) || c.startsWith(ours.hostChainPrefix) || named.includes(c))
        chains.add(c);
    } else if (line.startsWith('-A CNI-')) {
      // Masquerade chains name our subnet as -d; portmap's DNAT chains as -s (hairpin) and as
      // the DNAT target.
      const dest = / -d (\S+)/.exec(line)?.[1];
      const src = line.startsWith('-A CNI-DN-') ? / -s (\S+)/.exec(line)?.[1] : undefined;
      const dnat = / --to-destination ([\d.]+)/.exec(line)?.[1];
      if ([dest, src, dnat].some((a) => a && inPool(a))) chains.add(line.split(' ')[1]);
    }
  }
  return [...chains].sort();
}

function liveDaemons(cfg: HostConfig): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmdline.some((a) => a.endsWith('kukeond.js') || a.endsWith('kukeond'))) continue;
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) continue; // a zombie serves nothing
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (cmdline.includes(cfg.runPath) || environ.includes(`KUKEON_RUN_PATH=${cfg.runPath}`))
        out.push(`kukeond pid ${pid}`);
    } catch {
      // exited while we looked
    }
  }
  return out.sort();
}

export function snapshotHost(cfg: HostConfig): HostSnapshot {
  const suffix = `.${cfg.namespaceSuffix}`;
  return {
    namespaces: sh('ctr', ['--address', cfg.containerdSocket, 'namespaces', 'ls', '-q'])
      .split('\n')
      .filter((n) => n.endsWith(suffix))
      .sort(),
    cgroups: cgroupDirs(cfg),
    links: ourLinks(cfg.bridgePrefix),
    ipam: walk(cfg.cniIpamDir),
    chains: ourChains(cfg),
    metadata: walk(join(cfg.runPath, 'data')),
    journal: walk(join(cfg.runPath, 'journal')).filter((p) => !p.startsWith('.journal.lock')),
    secrets: [
      ...walk(cfg.secretStagingDir).map((p) => `staged/${p}`),
      ...walk(cfg.secretStoreDir).map((p) => `store/${p}`),
    ],
    // Named netns: kukeon makes none (cells use their root's /proc/<pid>/ns/net); the tests that
    // make some name them with their pid. Others' (podman's `netns-*`) are not ours to judge.
    netns: sh('ip', ['netns', 'list'])
      .split('\n')
      .map((l) => l.split(' ')[0])
      .filter((n) => n.includes(String(process.pid)))
      .sort(),
    daemons: liveDaemons(cfg),
  };
}

/** What a test that runs kukeond as the CLI does compares: its own host state and daemons. */
export const DAEMON_TEST_STATE: readonly (keyof HostSnapshot)[] = [
  'namespaces',
  'cgroups',
  'links',
  'ipam',
  'chains',
  'metadata',
  'daemons',
];

/**
 * The parts of the host snapshot a CLI test compares before and after, links cut down to the
 * configuration's bridge prefix (other test processes' bridges come and go meanwhile).
 */
export function ownHostState(cfg: HostConfig, keys: readonly (keyof HostSnapshot)[]): Partial<HostSnapshot> {
  const s = snapshotHost(cfg);
  const out: Partial<HostSnapshot> = {};
  for (const k of keys) out[k] = k === 'links' ? s.links.filter((l) => l.startsWith(cfg.bridgePrefix)) : s[k];
  return out;
}

/**
 * Removes the configuration's cgroup root in every hierarchy: the first realm creates it and
 * realm deletion leaves it (it is shared by all realms), so tests remove it to end clean.
 */
export function removeCgroupRoot(cfg: HostConfig): void {
  removeTopCgroup(cfg.cgroupMount, cfg.cgroupRoot);
}

/**
 * Removes an empty top-level cgroup `name` in every hierarchy under `mount`. A container run by
 * `ctr run` (tests and the benches' raw scripts) gets runc's default cgroups path
 * `/<namespace>/<id>`: runc removes `<id>` with the container and leaves `<namespace>` behind.
 */
export function removeTopCgroup(mount: string, name: string): void {
  const dirs = readdirSync(mount).includes('cgroup.controllers')
    ? [mount]
    : readdirSync(mount).map((h) => join(mount, h));
  for (const d of dirs) {
    try {
      rmdirSync(join(d, name));
    } catch {
      // absent in this hierarchy
    }
  }
}
