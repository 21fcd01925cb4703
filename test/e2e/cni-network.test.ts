/**
 * End-to-end: real CNI plugins (bridge, host-local, loopback), real network namespaces, real
 * iptables. Names are unique to this process (bridge prefix kt<pid%1000>-, realm kt<pid>, subnet
 * pool 10.<200+pid%50>.0.0/16) so parallel test files on the same host never meet.
 */
import { ErrorCode } from '../../src/error-codes.js';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hostConfig } from '../../src/config.js';
import {
  attachNetwork,
  bootstrapCni,
  CniPluginError,
  CniPluginNotFoundError,
  cniContext,
  detachNetwork,
  ensureSpaceNetwork,
  HostCniNetworks,
  IPAM_MARKER,
  listOrphans,
  masqChainName,
  purgeOrphans,
  readConflist,
  teardownNetwork,
  teardownRealmNetworks,
  writeConflistAtomic,
  type CniContext,
  type SpaceNetworkRef,
} from '../../src/cni/index.js';
import { SubnetAllocator } from '../../src/cni/index.js';
import { hasPerCellMasquerade } from '../../src/cni/conflist.js';

const pid = process.pid;
const prefix = `kt${pid % 1000}-`;
const decoyPrefix = `ky${pid % 1000}-`;
const realm = `kt${pid}`;
const pool = `10.${200 + (pid % 50)}.0.0/16`;
const poolPrefix = `10.${200 + (pid % 50)}.`;
const pluginDirs = ['/opt/cni/bin', '/usr/lib/cni'];
const havePlugins = ['bridge', 'host-local', 'loopback'].every((p) =>
  pluginDirs.some((d) => existsSync(join(d, p))),
);
const haveTools = ['ip', 'iptables', 'iptables-save', 'nsenter', 'busybox'].every(
  (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0,
);
const skip =
  process.getuid?.() !== 0
    ? 'needs root (netns, bridges, iptables)'
    : !havePlugins
      ? 'CNI plugins bridge/host-local/loopback not installed in /opt/cni/bin or /usr/lib/cni'
      : !haveTools
        ? 'needs ip, iptables, iptables-save, nsenter and busybox (ping) on PATH'
        : false;

const base = mkdtempSync(join(tmpdir(), `kukeon-cni-e2e-${pid}-`));
const cfg = hostConfig({
  cniConfDir: join(base, 'data'),
  cniCacheDir: join(base, 'cache'),
  cniIpamDir: join(base, 'ipam'),
  cniBinDirs: pluginDirs,
  bridgePrefix: prefix,
  subnetPool: pool,
});
const ctx: CniContext = cniContext(cfg);
const allocator = new SubnetAllocator({ dataDir: cfg.cniConfDir, pool });
const netnsNames = new Set<string>();
const decoyChain = masqChainName(`${realm}-s2x`, 'decoy');

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}
function addNetns(tag: string): string {
  const name = `kt${pid}-${tag}`;
  sh('ip', ['netns', 'add', name]);
  netnsNames.add(name);
  return name;
}
function delNetns(name: string): void {
  spawnSync('ip', ['netns', 'delete', name]);
  netnsNames.delete(name);
}
function netnsAddrs(name: string): string {
  return sh('ip', ['-n', name, '-br', 'addr']);
}
function links(): { name: string; kind: string; master?: string }[] {
  return (
    JSON.parse(sh('ip', ['-j', '-d', 'link', 'show'])) as {
      ifname: string;
      master?: string;
      linkinfo?: { info_kind?: string };
    }[]
  ).map((l) => ({ name: l.ifname, kind: l.linkinfo?.info_kind ?? '', master: l.master }));
}
function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(base, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

/** Everything this test could leave on the host, restricted to what is ours (others run in parallel). */
function snapshot(): {
  links: string[];
  iptables: string[];
  ipam: string[];
  cache: string[];
  conflists: string[];
} {
  const ours = (s: string): boolean => s.includes(realm) || s.includes(poolPrefix) || s.includes(prefix);
  const ourBridges = new Set(
    links()
      .filter((l) => l.name.startsWith(prefix))
      .map((l) => l.name),
  );
  return {
    links: links()
      .filter((l) => l.name.startsWith(prefix) || (l.master && ourBridges.has(l.master)))
      .map((l) => `${l.name} ${l.kind} ${l.master ?? ''}`)
      .sort(),
    iptables: sh('iptables-save', [])
      .split('\n')
      .filter((l) => !l.startsWith('#') && ours(l))
      .sort(),
    ipam: files(cfg.cniIpamDir),
    cache: files(cfg.cniCacheDir),
    conflists: files(cfg.cniConfDir).filter((f) => f.endsWith('.conflist')),
  };
}

function ping(ns: string, ip: string): boolean {
  return spawnSync('ip', ['netns', 'exec', ns, 'busybox', 'ping', '-c', '1', '-W', '2', ip]).status === 0;
}

describe('CNI space networks (real plugins, real netns)', { skip }, () => {
  let initial: ReturnType<typeof snapshot>;
  let net1: SpaceNetworkRef & { subnet: string };
  let net2: SpaceNetworkRef & { subnet: string };

  // The bridge plugin (isGateway) turns on IPv4 forwarding host-wide; put back what we found.
  let ipForward = '';

  before(async () => {
    ipForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    initial = snapshot();
    const boot = await bootstrapCni(cfg);
    assert.equal(boot.ok, true, JSON.stringify(boot));
  });

  after(async () => {
    for (const ns of [...netnsNames]) delNetns(ns);
    for (const n of [net1, net2]) {
      if (n)
        await teardownNetwork(ctx, {
          networkName: n.networkName,
          conflistPath: n.conflistPath,
          bridgeName: n.bridgeName,
        });
    }
    for (const l of links())
      if (l.name.startsWith(prefix) || l.name.startsWith(decoyPrefix))
        spawnSync('ip', ['link', 'delete', l.name]);
    spawnSync('iptables', ['-w', '-t', 'nat', '-F', decoyChain]);
    spawnSync('iptables', ['-w', '-t', 'nat', '-X', decoyChain]);
    rmSync(base, { recursive: true, force: true });
    if (ipForward) writeFileSync('/proc/sys/net/ipv4/ip_forward', ipForward);
    // Whatever happened above, nothing of this test may remain on the host.
    assert.deepEqual(
      links().filter((l) => l.name.startsWith(prefix) || l.name.startsWith(decoyPrefix)),
      [],
    );
    assert.deepEqual(
      sh('iptables-save', [])
        .split('\n')
        .filter((l) => l.includes(realm) || l.includes(poolPrefix)),
      [],
    );
    assert.deepEqual(
      sh('ip', ['netns', 'list'])
        .split('\n')
        .filter((l) => l.startsWith(`kt${pid}-`)),
      [],
    );
  });

  it('two spaces get different subnets from the pool and different bridges', async () => {
    net1 = await ensureSpaceNetwork(ctx, { realm, space: 's1', allocator });
    net2 = await ensureSpaceNetwork(ctx, { realm, space: 's2', allocator });
    assert.equal(net1.networkName, `${realm}-s1`);
    assert.equal(net1.subnet, `${poolPrefix}0.0/24`);
    assert.equal(net2.subnet, `${poolPrefix}1.0/24`);
    assert.notEqual(net1.bridgeName, net2.bridgeName);
    assert.ok(net1.bridgeName.startsWith(prefix) && net1.bridgeName.length <= 15);
    assert.equal(statSync(net1.conflistPath).mode & 0o777, 0o600);
    const again = await ensureSpaceNetwork(ctx, { realm, space: 's1', allocator });
    assert.equal(again.action, 'unchanged');
    // New conflists leave masquerade to the space's rule in kukeon's chain (docs/cni.md); the rest
    // of this file attaches the way spaces written before it did, with the bridge plugin's
    // per-cell ipMasq chain, whose cleanup paths upgraded hosts still need.
    for (const net of [net1, net2]) {
      const { list } = await readConflist(net.conflistPath);
      assert.equal(hasPerCellMasquerade(list), false);
      await writeConflistAtomic(net.conflistPath, {
        ...list,
        plugins: list.plugins.map((p) => (p.type === 'bridge' ? { ...p, ipMasq: true } : p)),
      });
    }
  });

  it('ADD gives a netns an address in the space subnet; the gateway answers ping', async () => {
    const ns = addNetns('a');
    const a = await attachNetwork(ctx, {
      conflist: net1.conflistPath,
      containerId: `${realm}_c1_root`,
      netns: `/run/netns/${ns}`,
    });
    assert.equal(a.reused, false);
    assert.ok(a.ip.startsWith(`${poolPrefix}0.`), a.ip);
    assert.equal(a.gateway, `${poolPrefix}0.1`);
    assert.equal(a.bridge, net1.bridgeName);
    assert.match(netnsAddrs(ns), new RegExp(`^eth0@\\S+\\s+UP\\s+${a.ip.replaceAll('.', '\\.')}/24`, 'm'));
    assert.ok(ping(ns, a.gateway!), 'gateway answers ping from inside the netns');
    const hostSide = links().find((l) => l.name === a.hostVeth);
    assert.equal(hostSide?.master, net1.bridgeName);
    assert.equal(
      readFileSync(join(cfg.cniIpamDir, net1.networkName, a.ip), 'utf8'),
      `${realm}_c1_root\r\neth0`,
    );
    assert.ok(
      sh('iptables-save', ['-t', 'nat']).includes(masqChainName(net1.networkName, `${realm}_c1_root`)),
    );

    // Attaching again is idempotent: CHECK passes and the cached result comes back.
    const again = await attachNetwork(ctx, {
      conflist: net1.conflistPath,
      containerId: `${realm}_c1_root`,
      netns: `/run/netns/${ns}`,
    });
    assert.equal(again.reused, true);
    assert.equal(again.ip, a.ip);

    // An attachment that no longer passes CHECK (its address was flushed) is redone, not failed.
    sh('ip', ['-n', ns, 'addr', 'flush', 'dev', 'eth0']);
    const repaired = await attachNetwork(ctx, {
      conflist: net1.conflistPath,
      containerId: `${realm}_c1_root`,
      netns: `/run/netns/${ns}`,
    });
    assert.equal(repaired.how, 'repaired');
    assert.match(
      netnsAddrs(ns),
      new RegExp(`^eth0@\\S+\\s+UP\\s+${repaired.ip.replaceAll('.', '\\.')}/24`, 'm'),
    );
    assert.deepEqual(
      readdirSync(join(cfg.cniIpamDir, net1.networkName)).filter(
        (f) =>
          f.startsWith(poolPrefix) &&
          readFileSync(join(cfg.cniIpamDir, net1.networkName, f), 'utf8').startsWith(`${realm}_c1_root`),
      ),
      [repaired.ip],
      'exactly one lease for the repaired attachment',
    );
    a.ip = repaired.ip;
    a.hostVeth = repaired.hostVeth;

    // A second container in a second netns gets the next address.
    const ns2 = addNetns('b');
    const b = await attachNetwork(ctx, {
      conflist: net1.conflistPath,
      containerId: `${realm}_c2_root`,
      netns: `/run/netns/${ns2}`,
    });
    assert.notEqual(b.ip, a.ip);
    assert.ok(ping(ns2, a.ip), 'two cells of a space reach each other over the bridge');

    // DEL removes the address, the veth, the lease, the chain and the cache entry.
    const d = await detachNetwork(ctx, {
      networkName: net1.networkName,
      conflist: net1.conflistPath,
      containerId: `${realm}_c1_root`,
      netns: `/run/netns/${ns}`,
    });
    assert.equal(d.del, 'ok');
    assert.equal(d.hadCachedResult, true);
    assert.deepEqual(d.leasesReleased, [], 'the plugin released the lease itself');
    assert.doesNotMatch(netnsAddrs(ns), /eth0/);
    assert.equal(
      links().some((l) => l.name === a.hostVeth),
      false,
    );
    assert.equal(existsSync(join(cfg.cniIpamDir, net1.networkName, a.ip)), false);
    assert.equal(
      sh('iptables-save', ['-t', 'nat']).includes(masqChainName(net1.networkName, `${realm}_c1_root`)),
      false,
    );
    assert.equal(
      existsSync(join(cfg.cniCacheDir, 'results', `${net1.networkName}-${realm}_c1_root-eth0`)),
      false,
    );

    // A DEL for another container ID sharing c2's netns (a workload of the cell) leaves it attached.
    const w = await detachNetwork(ctx, {
      networkName: net1.networkName,
      conflist: net1.conflistPath,
      containerId: `${realm}_c2_web`,
      netns: `/run/netns/${ns2}`,
    });
    assert.equal(w.del, 'skipped:not-attached');
    assert.match(netnsAddrs(ns2), /^eth0/m);
    assert.ok(ping(ns2, b.gateway!), 'the cell still reaches its gateway');

    // DEL twice is harmless.
    const d2 = await detachNetwork(ctx, {
      networkName: net1.networkName,
      conflist: net1.conflistPath,
      containerId: `${realm}_c1_root`,
      netns: `/run/netns/${ns}`,
    });
    assert.equal(d2.del, 'skipped:not-attached');
    assert.equal(d2.hadCachedResult, false);
    assert.deepEqual(d2.leasesReleased, []);
    assert.ok(ping(ns2, b.gateway!), 'the other cell is untouched');

    // The emptied netns can be attached again (host-local hands out addresses round-robin).
    const a3 = await attachNetwork(ctx, {
      conflist: net1.conflistPath,
      containerId: `${realm}_c3_root`,
      netns: `/run/netns/${ns}`,
    });
    assert.ok(a3.ip.startsWith(`${poolPrefix}0.`) && a3.ip !== b.ip, a3.ip);
  });

  it('concurrent ADDs on a network whose bridge does not exist yet all succeed with distinct IPs', async () => {
    const ref = await ensureSpaceNetwork(ctx, { realm, space: 's3', allocator });
    const spaces = ['p0', 'p1', 'p2', 'p3'].map(addNetns);
    const results = await Promise.all(
      spaces.map((ns, i) =>
        attachNetwork(ctx, {
          conflist: ref.conflistPath,
          containerId: `${realm}_p${i}`,
          netns: `/run/netns/${ns}`,
        }),
      ),
    );
    assert.equal(new Set(results.map((r) => r.ip)).size, 4);
    assert.ok(results.every((r) => r.ip.startsWith(`${poolPrefix}2.`)));
    const r = await teardownNetwork(ctx, { networkName: ref.networkName, conflistPath: ref.conflistPath });
    assert.deepEqual(r.errors, []);
    assert.equal(r.vethsRemoved.length, 4);
    assert.equal(r.chainsRemoved.length, 0, 'a new space has no per-cell masquerade chain');
    for (const ns of spaces) {
      assert.doesNotMatch(
        netnsAddrs(ns),
        /eth0/,
        'deleting the host end of a veth removes the netns end too',
      );
      delNetns(ns);
    }
    await allocator.release(realm, 's3');
  });

  it('attaches a process netns (/proc/<pid>/ns/net), and DEL after the process died frees everything', async () => {
    const child: ChildProcess = spawn('unshare', ['--net', 'sleep', '60'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100)); // let unshare exec sleep in the new netns
      const netns = `/proc/${child.pid}/ns/net`;
      const cid = `${realm}_proc_root`;
      const a = await attachNetwork(ctx, { conflist: net2.conflistPath, containerId: cid, netns });
      assert.ok(a.ip.startsWith(`${poolPrefix}1.`));
      assert.equal(
        spawnSync('nsenter', [`--net=${netns}`, 'busybox', 'ping', '-c', '1', '-W', '2', a.gateway!]).status,
        0,
        'gateway answers from the process netns',
      );
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const d = await detachNetwork(ctx, {
        networkName: net2.networkName,
        conflist: net2.conflistPath,
        containerId: cid,
        netns,
      });
      assert.equal(d.netnsBlanked, 'missing');
      assert.equal(d.del, 'ok');
      assert.equal(existsSync(join(cfg.cniIpamDir, net2.networkName, a.ip)), false);
      assert.equal(sh('iptables-save', ['-t', 'nat']).includes(masqChainName(net2.networkName, cid)), false);
      assert.equal(
        links().some((l) => l.name === a.hostVeth),
        false,
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("never runs ADD or DEL in the caller's own netns (that DEL would delete a host interface)", async () => {
    const victim = `${prefix}v0`;
    sh('ip', ['link', 'add', victim, 'type', 'veth', 'peer', 'name', `${prefix}v1`]);
    try {
      await assert.rejects(
        attachNetwork(ctx, {
          conflist: net1.conflistPath,
          containerId: `${realm}_own`,
          netns: '/proc/self/ns/net',
          ifName: victim,
        }),
        { code: ErrorCode.CNI_INVALID_ARGUMENT },
      );
      const d = await detachNetwork(ctx, {
        networkName: net1.networkName,
        conflist: net1.conflistPath,
        containerId: `${realm}_own`,
        netns: `/proc/${process.pid}/ns/net`,
        ifName: victim,
      });
      assert.equal(d.netnsBlanked, 'own-netns');
      assert.ok(
        links().some((l) => l.name === victim),
        'the host interface survived the DEL',
      );
    } finally {
      spawnSync('ip', ['link', 'delete', victim]);
    }
  });

  it('DEL after the netns is gone still frees the lease and the masquerade chain', async () => {
    const ns = addNetns('gone');
    const cid = `${realm}_c4_root`;
    const a = await attachNetwork(ctx, {
      conflist: net1.conflistPath,
      containerId: cid,
      netns: `/run/netns/${ns}`,
    });
    delNetns(ns);
    const d = await detachNetwork(ctx, {
      networkName: net1.networkName,
      conflist: net1.conflistPath,
      containerId: cid,
      netns: `/run/netns/${ns}`,
    });
    assert.equal(d.del, 'ok');
    assert.equal(d.netnsBlanked, 'missing');
    // The bridge plugin cannot see the addresses of a vanished netns, so it leaves the chain: the sweep takes it.
    assert.equal(d.chainRemoved, masqChainName(net1.networkName, cid));
    assert.equal(existsSync(join(cfg.cniIpamDir, net1.networkName, a.ip)), false);
    assert.equal(
      links().some((l) => l.name === a.hostVeth),
      false,
      'the kernel removed the veth with the netns',
    );
  });

  it('when no plugin DEL can run (conflist and cache gone), the lease is released by hand', async () => {
    const ns = addNetns('hand');
    const cid = `${realm}_c5_root`;
    const a = await attachNetwork(ctx, {
      conflist: net1.conflistPath,
      containerId: cid,
      netns: `/run/netns/${ns}`,
    });
    delNetns(ns);
    rmSync(join(cfg.cniCacheDir, 'results', `${net1.networkName}-${cid}-eth0`));
    const d = await detachNetwork(ctx, {
      networkName: net1.networkName,
      conflist: join(base, 'no.conflist'),
      containerId: cid,
      netns: '',
    });
    assert.equal(d.del, 'skipped:config-not-found');
    assert.deepEqual(d.leasesReleased, [a.ip]);
    assert.equal(d.chainRemoved, masqChainName(net1.networkName, cid));
    assert.equal(existsSync(join(cfg.cniIpamDir, net1.networkName, a.ip)), false);
  });

  it('a stale cache entry (cell restarted in a new netns) is cleaned before a fresh ADD', async () => {
    const cid = `${realm}_c6_root`;
    const ns = addNetns('old');
    const first = await attachNetwork(ctx, {
      conflist: net2.conflistPath,
      containerId: cid,
      netns: `/run/netns/${ns}`,
    });
    delNetns(ns);
    const ns2 = addNetns('new');
    const second = await attachNetwork(ctx, {
      conflist: net2.conflistPath,
      containerId: cid,
      netns: `/run/netns/${ns2}`,
    });
    assert.equal(second.reused, false);
    assert.ok(second.ip.startsWith(`${poolPrefix}1.`));
    const leases = readdirSync(join(cfg.cniIpamDir, net2.networkName)).filter((f) =>
      f.startsWith(poolPrefix),
    );
    assert.deepEqual(leases, [second.ip], `only the new lease is held (old was ${first.ip})`);
    const chains = sh('iptables-save', ['-t', 'nat'])
      .split('\n')
      .filter((l) => l.startsWith(`-A POSTROUTING`) && l.includes(cid));
    assert.equal(chains.length, 1, chains.join('\n'));
  });

  it('typed errors: a missing plugin, a plugin error JSON, an interface nobody recorded', async () => {
    const ns = addNetns('err');
    const { list } = await readConflist(net1.conflistPath);
    const missing = { ...list, plugins: [...list.plugins, { type: `no-such-plugin-${pid}` }] };
    await assert.rejects(
      attachNetwork(ctx, { conflist: missing, containerId: `${realm}_e1`, netns: `/run/netns/${ns}` }),
      (err: unknown) => {
        assert.ok(err instanceof CniPluginNotFoundError);
        assert.equal(err.code, ErrorCode.CNI_PLUGIN_NOT_FOUND);
        assert.equal(err.plugin, `no-such-plugin-${pid}`);
        return true;
      },
    );
    // The bridge ADD that ran before the missing plugin was rolled back.
    assert.doesNotMatch(netnsAddrs(ns), /eth0/);
    assert.equal(
      readdirSync(join(cfg.cniIpamDir, net1.networkName)).filter((f) => f.includes(`${realm}_e1`)).length,
      0,
    );
    assert.ok(
      !readdirSync(join(cfg.cniIpamDir, net1.networkName)).some(
        (f) =>
          f.startsWith(poolPrefix) &&
          readFileSync(join(cfg.cniIpamDir, net1.networkName, f), 'utf8').startsWith(`${realm}_e1`),
      ),
      'rolled-back ADD holds no lease',
    );

    // A subnet host-local rejects: the real plugin's error JSON becomes a CniPluginError.
    const bad = structuredClone(list);
    (bad.plugins[0].ipam as { ranges: { subnet: string }[][] }).ranges = [
      [{ subnet: `${poolPrefix}9.0/31` }],
    ];
    await assert.rejects(
      attachNetwork(ctx, { conflist: bad, containerId: `${realm}_e2`, netns: `/run/netns/${ns}` }),
      (err: unknown) => {
        assert.ok(err instanceof CniPluginError, String(err));
        assert.equal(err.code, ErrorCode.CNI_PLUGIN_ERROR);
        assert.equal(err.command, 'ADD');
        assert.ok(err.plugin === 'bridge' || err.plugin === 'host-local');
        assert.ok(err.msg.length > 0);
        return true;
      },
    );

    // An eth0 the cache knows nothing about is not ours to reuse or tear down.
    sh('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'foreign0']);
    await assert.rejects(
      attachNetwork(ctx, {
        conflist: net1.conflistPath,
        containerId: `${realm}_e3`,
        netns: `/run/netns/${ns}`,
      }),
      {
        code: ErrorCode.CNI_VETH_EXISTS,
      },
    );
    assert.match(netnsAddrs(ns), /^eth0/m, 'the foreign interface is left alone');
  });

  it('orphan listing finds exactly ours, and purge removes exactly that', async () => {
    // State: s1 is live with one attachment (c3) and a stale chain for a container without lease;
    // s2 is an orphan (its space is gone) with an attachment; decoys of other owners around.
    const stale = `${realm}_stale`;
    const staleChain = masqChainName(net1.networkName, stale);
    sh('iptables', ['-w', '-t', 'nat', '-N', staleChain]);
    sh('iptables', [
      '-w',
      '-t',
      'nat',
      '-A',
      staleChain,
      '-d',
      `${poolPrefix}0.0/24`,
      '-m',
      'comment',
      '--comment',
      `name: "${net1.networkName}" id: "${stale}"`,
      '-j',
      'ACCEPT',
    ]);
    sh('iptables', [
      '-w',
      '-t',
      'nat',
      '-A',
      'POSTROUTING',
      '-s',
      `${poolPrefix}0.99/32`,
      '-m',
      'comment',
      '--comment',
      `name: "${net1.networkName}" id: "${stale}"`,
      '-j',
      staleChain,
    ]);
    // Decoys: a bridge of another prefix, a network whose name extends s2's (no marker: not ours),
    // and its chain.
    sh('ip', ['link', 'add', `${decoyPrefix}br`, 'type', 'bridge']);
    mkdirSync(join(cfg.cniIpamDir, `${realm}-s2x`));
    writeFileSync(join(cfg.cniIpamDir, `${realm}-s2x`, `${poolPrefix}7.2`), 'decoy\r\neth0');
    sh('iptables', ['-w', '-t', 'nat', '-N', decoyChain]);
    sh('iptables', [
      '-w',
      '-t',
      'nat',
      '-A',
      decoyChain,
      '-m',
      'comment',
      '--comment',
      `name: "${realm}-s2x" id: "decoy"`,
      '-j',
      'ACCEPT',
    ]);

    const s2cid = `${realm}_c6_root`; // attached to s2 by the stale-cache test
    const report = await listOrphans(ctx, [{ name: net1.networkName, bridge: net1.bridgeName }]);
    assert.deepEqual(report.bridges, [net2.bridgeName]);
    assert.deepEqual(report.networks, [
      { name: net2.networkName, bridge: net2.bridgeName, conflistPath: net2.conflistPath },
    ]);
    assert.deepEqual(report.ipamDirs, [net2.networkName]);
    assert.deepEqual(report.conflists, [{ path: net2.conflistPath, network: net2.networkName }]);
    assert.deepEqual(
      report.chains.map((c) => c.chain).sort(),
      [masqChainName(net2.networkName, s2cid), staleChain].sort(),
    );
    assert.deepEqual(
      report.cacheFiles.map((c) => [c.network, c.containerId]),
      [[net2.networkName, s2cid]],
    );

    const purge = await purgeOrphans(ctx, report);
    assert.deepEqual(purge.errors, []);
    const afterPurge = await listOrphans(ctx, [{ name: net1.networkName, bridge: net1.bridgeName }]);
    assert.deepEqual(afterPurge, {
      bridges: [],
      networks: [],
      ipamDirs: [],
      conflists: [],
      chains: [],
      cacheFiles: [],
    });
    // Decoys untouched; s1 still works.
    assert.ok(links().some((l) => l.name === `${decoyPrefix}br`));
    assert.ok(existsSync(join(cfg.cniIpamDir, `${realm}-s2x`, `${poolPrefix}7.2`)));
    assert.ok(sh('iptables-save', ['-t', 'nat']).includes(`:${decoyChain}`));
    assert.ok(links().some((l) => l.name === net1.bridgeName));
    assert.ok(existsSync(join(cfg.cniIpamDir, net1.networkName, IPAM_MARKER)));
    // Clean the decoys now so the final comparison covers everything this test made.
    sh('ip', ['link', 'delete', `${decoyPrefix}br`]);
    rmSync(join(cfg.cniIpamDir, `${realm}-s2x`), { recursive: true });
    sh('iptables', ['-w', '-t', 'nat', '-F', decoyChain]);
    sh('iptables', ['-w', '-t', 'nat', '-X', decoyChain]);
  });

  it('the HostCniNetworks facade: ensure, attach, detach, teardown of a space by its names', async () => {
    const nets = new HostCniNetworks(cfg, allocator);
    const space = { realm, space: 's4' };
    const ref = await nets.ensureSpace(space);
    assert.equal(ref.action, 'created');
    const ns = addNetns('facade');
    const cell = { ...space, containerId: `s4_default_web_root`, netns: `/run/netns/${ns}` };
    const a = await nets.attach(cell);
    assert.ok(a.ip.startsWith(poolPrefix));
    assert.equal(a.bridge, ref.bridgeName);
    assert.equal((await nets.detach(cell)).del, 'ok');
    assert.doesNotMatch(netnsAddrs(ns), /eth0/);
    const t = await nets.teardownSpace(space);
    assert.deepEqual(t.errors, []);
    assert.equal(t.bridgeRemoved, true);
    assert.equal(t.conflistRemoved, true);
    delNetns(ns);
    await allocator.release(realm, 's4');
  });

  it('teardown of the networks leaves the host as it was', async () => {
    // s1 still has two attachments (c2 and c3): teardown must take their veths and chains too.
    const before = snapshot();
    assert.ok(before.links.length > 0 && before.iptables.length > 0 && before.ipam.length > 0);
    // The realm teardown finds s1 through its conflist (s2's was purged as an orphan above).
    const realmReports = await teardownRealmNetworks(ctx, realm);
    assert.deepEqual(
      realmReports.map((r) => r.network),
      [net1.networkName],
    );
    const r1 = realmReports[0];
    assert.deepEqual(r1.errors, []);
    assert.equal(r1.bridgeRemoved, true);
    assert.equal(r1.conflistRemoved, true);
    assert.equal(r1.ipamDirRemoved, true);
    assert.equal(r1.vethsRemoved.length, 2);
    assert.equal(r1.chainsRemoved.length, 2);
    const r2 = await teardownNetwork(ctx, {
      networkName: net2.networkName,
      conflistPath: net2.conflistPath,
      bridgeName: net2.bridgeName,
    });
    assert.deepEqual(r2.errors, []);
    assert.equal(r2.bridgeRemoved, false, 'already purged as an orphan');
    for (const ns of [...netnsNames]) delNetns(ns);
    await allocator.release(realm, 's1');
    await allocator.release(realm, 's2');
    assert.deepEqual(snapshot(), initial);
    const again = await teardownNetwork(ctx, {
      networkName: net1.networkName,
      conflistPath: net1.conflistPath,
      bridgeName: net1.bridgeName,
    });
    assert.deepEqual(again.errors, []);
    assert.equal(again.bridgeRemoved, false);
  });
});
