import { ErrorCode } from '../../src/error-codes.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Runner } from '../../src/runner/runner.js';
import type { EgressPolicy, Realm, Space } from '../../src/model/resources.js';
import { attachNetwork, detachNetwork } from '../../src/cni/index.js';
import {
  applyEgress,
  egressContext,
  ensureForwardAdmission,
  spaceEgressChain,
  spaceHostChain,
  type EgressContext,
} from '../../src/cni/egress/index.js';
import { hasCode } from '../../src/errors.js';
import type { HostConfig } from '../../src/config.js';
import { makeOutsideNetns } from '../helpers/outside-netns.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';

const pid = process.pid;
const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });
const trySh = (cmd: string, args: string[]): void => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
  } catch {
    /* cleanup of something already gone */
  }
};

const realmDoc = (name: string): Realm => ({
  metadata: { name, labels: {} },
  spec: { namespace: '' },
  status: { state: 'Pending', cgroupPath: '' },
});
const spaceDoc = (realm: string, name: string, egress?: EgressPolicy): Space => ({
  metadata: { name, labels: {} },
  spec: { realmId: realm, ...(egress ? { network: { egress } } : {}) },
  status: { state: 'Pending', cgroupPath: '' },
});

/** Filter-table lines that mention any of our names: what "leaves nothing behind" compares. */
function ourFilterLines(names: string[]): string[] {
  return sh('iptables-save', ['-t', 'filter'])
    .split('\n')
    .filter((l) => names.some((n) => l.includes(n)))
    .map((l) => l.replace(/\[\d+:\d+\]/g, ''))
    .sort();
}

// The "outside" host: a netns of ours reached through the host's routing, serving TCP on 8080
// and 8081 and counting UDP datagrams on 9999.
const serverScript = `
const net = require('node:net'), dgram = require('node:dgram');
for (const p of [8080, 8081]) net.createServer((s) => s.end('ok' + p + '\\n')).listen(p, '0.0.0.0');
const u = dgram.createSocket('udp4');
u.on('message', () => process.stdout.write('u'));
u.bind(9999, '0.0.0.0', () => process.stdout.write('ready\\n'));
`;

describe('space egress policy on the host firewall (real iptables, real netns)', { timeout: 240_000 }, () => {
  let env: RunnerEnv;
  let config: HostConfig;
  let runner: Runner;
  let ectx: EgressContext;
  let names: string[];
  let baseline: string[];
  const inNs = `egin-${pid}`;
  const outNs = `egout-${pid}`;
  const vethHost = `eo${pid}h`.slice(0, 15);
  const vethOut = `eo${pid}n`.slice(0, 15);
  const n = 100 + (pid % 100);
  const outsideIp = `10.${n}.250.2`;
  const hostIp = `10.${n}.250.1`;
  let server: ChildProcess | undefined;
  let udpSeen = 0;
  let conflist = '';

  const tcp = (port: number): boolean => {
    try {
      const out = sh('ip', [
        'netns',
        'exec',
        inNs,
        'timeout',
        '2',
        'bash',
        '-c',
        `exec 3<>/dev/tcp/${outsideIp}/${port}; head -c 8 <&3`,
      ]);
      return out.startsWith(`ok${port}`);
    } catch {
      return false;
    }
  };
  const ping = (): boolean => {
    try {
      sh('ip', ['netns', 'exec', inNs, 'busybox', 'ping', '-c', '1', '-W', '2', outsideIp]);
      return true;
    } catch {
      return false;
    }
  };
  const reach = () => ({ tcp8080: tcp(8080), tcp8081: tcp(8081), icmp: ping() });
  /** Packet/byte counters of a chain's rules, in order (iptables-save -c). */
  const counters = (chain: string): string[] =>
    sh('iptables-save', ['-c', '-t', 'filter'])
      .split('\n')
      .filter((l) => l.includes(` -A ${chain} `))
      .map((l) => l.split(' ')[0]);
  const chainRules = (chain: string): string[] =>
    sh('iptables', ['-w', '-S', chain]).trim().split('\n').slice(1);

  before(async () => {
    env = runnerEnv('egress');
    // Names unique to this test process (the bridge-prefix-derived default could collide on pid % 100).
    config = {
      ...env.config,
      egressChain: `KE${pid}-EGRESS`,
      egressChainPrefix: `KE${pid}-EGR-`,
      forwardChain: `KE${pid}-FORWARD`,
      inputChain: `KE${pid}-INPUT`,
      hostChainPrefix: `KE${pid}-HST-`,
    };
    ectx = egressContext(config);
    names = [
      config.egressChain!,
      config.egressChainPrefix!,
      config.forwardChain!,
      config.inputChain!,
      config.hostChainPrefix!,
    ];
    baseline = ourFilterLines(names);
    runner = await Runner.open(config);

    sh('ip', ['netns', 'add', inNs]);
    makeOutsideNetns({ ns: outNs, vethHost, vethOut, hostIp, outsideIp }, true);
    server = spawn('ip', ['netns', 'exec', outNs, process.execPath, '-e', serverScript], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('exit', (c) => reject(new Error(`outside server exited ${c}`)));
      server!.stdout!.on('data', (b: Buffer) => {
        const s = b.toString();
        udpSeen += [...s].filter((c) => c === 'u').length;
        if (s.includes('ready')) resolve();
      });
    });
  });

  after(async () => {
    try {
      if (conflist) {
        await detachNetwork(runner.ctx.cni, {
          networkName: `eg-s${pid}`,
          conflist,
          containerId: `egp${pid}`,
          netns: `/run/netns/${inNs}`,
        }).catch(() => undefined);
      }
      for (const r of await runner.listRealms()) await runner.purgeRealm(r.metadata.name, { cascade: true });
      await runner.ctx.cgroups.remove(`/${config.cgroupRoot}`, { force: true });
    } finally {
      server?.kill('SIGKILL');
      trySh('ip', ['link', 'del', vethHost]);
      trySh('ip', ['netns', 'del', inNs]);
      trySh('ip', ['netns', 'del', outNs]);
      runner.close();
      env.cleanup();
    }
    // Nothing of ours is left in the filter table, and the test's links and netns are gone.
    assert.deepEqual(ourFilterLines(names), baseline);
    assert.doesNotMatch(sh('ip', ['netns', 'list']), new RegExp(`eg(in|out)-${pid}\\b`));
    assert.doesNotMatch(sh('ip', ['-br', 'link']), new RegExp(`^${vethHost}`, 'm'));
  });

  const space = `s${pid}`;
  let chain = '';

  test('no policy installs admit-all, and traffic from the bridge reaches the outside netns', async () => {
    await runner.createRealm(realmDoc('eg'));
    const created = await runner.createSpace(spaceDoc('eg', space));
    conflist =
      created.space.spec.cniConfigPath ?? join(config.runPath, 'data', 'eg', space, 'network.conflist');
    chain = spaceEgressChain(ectx, 'eg', space);
    assert.deepEqual(chainRules(chain), [
      `-A ${chain} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "kukeon:eg:${space}:established" -j ACCEPT`,
      `-A ${chain} -m comment --comment "kukeon:eg:${space}:default" -j ACCEPT`,
    ]);
    const bridge = runner.ctx.cni.bridgePrefix;
    const dispatch = sh('iptables', ['-w', '-S', ectx.rootChain]);
    assert.match(
      dispatch,
      new RegExp(
        `-A ${ectx.rootChain} -i ${bridge}\\S+ -m comment --comment "kukeon:eg:${space}:dispatch" -j ${chain}`,
      ),
    );
    const forward = sh('iptables', ['-w', '-S', 'FORWARD']);
    assert.match(forward, new RegExp(`-A FORWARD -j ${ectx.rootChain}\\n`));
    assert.match(forward, new RegExp(`-A FORWARD -j ${ectx.forwardChain}\\n`));

    await attachNetwork(runner.ctx.cni, { conflist, containerId: `egp${pid}`, netns: `/run/netns/${inNs}` });
    assert.deepEqual(reach(), { tcp8080: true, tcp8081: true, icmp: true }, 'the path works with admit-all');
  });

  test('default deny (updateSpace + ensureSpace) blocks TCP and ICMP to the outside', async () => {
    const { resource } = await runner.updateSpace(spaceDoc('eg', space, { default: 'deny' }));
    assert.deepEqual(resource.spec.network?.egress, { default: 'deny' }, 'update persisted the policy');
    await runner.ensureSpace(resource);
    assert.equal(
      chainRules(chain).at(-1),
      `-A ${chain} -m comment --comment "kukeon:eg:${space}:default" -j DROP`,
    );
    // A reconcile that finds the space as it should be does not rewrite its document.
    const stored = (await runner.ctx.store.tryRead(['eg', space]))?.bytes;
    await runner.ensureSpace(resource);
    assert.deepEqual(
      (await runner.ctx.store.tryRead(['eg', space]))?.bytes,
      stored,
      'document not rewritten',
    );
    assert.deepEqual(reach(), { tcp8080: false, tcp8081: false, icmp: false });
  });

  test('an allow CIDR with a port lets exactly that through', async () => {
    const policy = { default: 'deny', allow: [{ cidr: `${outsideIp}/32`, ports: [8080] }] };
    const { resource } = await runner.updateSpace(spaceDoc('eg', space, policy));
    await runner.ensureSpace(resource);
    assert.deepEqual(reach(), { tcp8080: true, tcp8081: false, icmp: false });

    // Host bits set on purpose: stored canonically, so the next ensure finds nothing to change.
    const all = { default: 'deny', allow: [{ cidr: `10.${n}.250.1/30` }] };
    await runner.ensureSpace((await runner.updateSpace(spaceDoc('eg', space, all))).resource);
    assert.deepEqual(
      reach(),
      { tcp8080: true, tcp8081: true, icmp: true },
      'a CIDR without ports admits everything to it',
    );
    const counted = counters(chain);
    assert.ok(
      counted.some((c) => c !== '[0:0]'),
      `rules counted traffic: ${counted.join(' ')}`,
    );
    await runner.ensureSpace((await runner.getSpace('eg', space))!);
    assert.deepEqual(
      counters(chain),
      counted,
      'an ensure with an unchanged policy keeps the chain (and its counters)',
    );

    const other = { default: 'deny', allow: [{ cidr: `10.${n}.251.0/30` }] };
    await runner.ensureSpace((await runner.updateSpace(spaceDoc('eg', space, other))).resource);
    assert.deepEqual(
      reach(),
      { tcp8080: false, tcp8081: false, icmp: false },
      'a CIDR elsewhere admits nothing here',
    );
  });

  test('host rules are resolved first; a failed lookup leaves the rules in force untouched', async () => {
    const bridge = runner.ctx.cni.bridgePrefix;
    const bridgeName = sh('iptables', ['-w', '-S', ectx.rootChain]).match(
      new RegExp(`-i (${bridge}\\S+)`),
    )?.[1];
    assert.ok(bridgeName);
    const resolving = egressContext(config, {
      resolve: async (h) => (h === 'outside.test' ? [outsideIp, '2001:db8::1'] : []),
    });
    const out = await applyEgress(resolving, {
      realm: 'eg',
      space,
      bridge: bridgeName,
      policy: { default: 'deny', allow: [{ host: 'outside.test', ports: [8081] }] },
    });
    assert.equal(out.changed, true);
    assert.deepEqual(out.policy.rules[0].destinations, [`${outsideIp}/32`]);
    assert.deepEqual(reach(), { tcp8080: false, tcp8081: true, icmp: false });

    const before = chainRules(chain);
    await assert.rejects(
      applyEgress(resolving, {
        realm: 'eg',
        space,
        bridge: bridgeName,
        policy: { default: 'allow', allow: [{ host: 'nowhere.test' }] },
      }),
      (e) => hasCode(e, ErrorCode.EGRESS_RESOLVE_FAILED),
    );
    assert.deepEqual(chainRules(chain), before, 'chain untouched');
    assert.deepEqual(reach(), { tcp8080: false, tcp8081: true, icmp: false });

    const again = await applyEgress(resolving, {
      realm: 'eg',
      space,
      bridge: bridgeName,
      policy: { default: 'deny', allow: [{ host: 'outside.test', ports: [8081] }] },
    });
    assert.equal(again.changed, false, 'an unchanged policy rewrites nothing');

    // The next ensure puts the stored policy back.
    await runner.ensureSpace((await runner.getSpace('eg', space))!);
    assert.deepEqual(reach(), { tcp8080: false, tcp8081: false, icmp: false });

    // A dispatch rule naming another bridge (a changed bridge prefix) is replaced, not kept beside.
    await applyEgress(ectx, { realm: 'eg', space, bridge: 'zz-stale', policy: { default: 'deny' } });
    await runner.ensureSpace((await runner.getSpace('eg', space))!);
    const dispatches = sh('iptables', ['-w', '-S', ectx.rootChain])
      .split('\n')
      .filter((l) => l.endsWith(`-j ${chain}`));
    assert.deepEqual(dispatches, [
      `-A ${ectx.rootChain} -i ${bridgeName} -m comment --comment "kukeon:eg:${space}:dispatch" -j ${chain}`,
    ]);
  });

  test('re-applying is atomic: no datagram leaks while the chain is replaced (a flush-and-refill does leak)', async () => {
    const bridgeName = sh('iptables', ['-w', '-S', ectx.rootChain]).match(/-i (\S+)/)?.[1] as string;
    const policies: EgressPolicy[] = [
      { default: 'deny', allow: [{ cidr: `10.${n}.251.0/30`, ports: [1, 2, 3, 4, 5, 6, 7, 8] }] },
      { default: 'deny', allow: [{ cidr: `10.${n}.252.0/30`, ports: [1, 2, 3, 4, 5, 6, 7, 8] }] },
    ];
    const sender = spawn(
      'ip',
      [
        'netns',
        'exec',
        inNs,
        process.execPath,
        '-e',
        `const s=require('node:dgram').createSocket('udp4');let n=0;` +
          `setInterval(()=>{s.send('x',9999,'${outsideIp}');n++},1);` +
          `process.on('SIGTERM',()=>{process.stdout.write(String(n));process.exit(0)})`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let sentText = '';
    sender.stdout!.on('data', (b: Buffer) => (sentText += b.toString()));
    const stopSender = async (): Promise<number> => {
      const done = new Promise((r) => sender.once('exit', r));
      sender.kill('SIGTERM');
      await done;
      return Number(sentText);
    };
    try {
      await new Promise((r) => setTimeout(r, 300));
      const seen0 = udpSeen;
      const rounds = 20;
      const t0 = performance.now();
      for (let i = 0; i < rounds; i++) {
        const r = await applyEgress(ectx, {
          realm: 'eg',
          space,
          bridge: bridgeName,
          policy: policies[i % 2],
        });
        assert.equal(r.changed, true);
      }
      const atomicMs = (performance.now() - t0) / rounds;
      await new Promise((r) => setTimeout(r, 200));
      const leakedAtomic = udpSeen - seen0;

      // Control: the original's way (flush, then one iptables call per rule) on the same chain.
      const rules = chainRules(chain).map((l) => l.split(' ').slice(2));
      const seen1 = udpSeen;
      for (let i = 0; i < 5; i++) {
        sh('iptables', ['-w', '-F', chain]);
        for (const r of rules) {
          const args = r.map((t) => t.replace(/^"|"$/g, ''));
          sh('iptables', ['-w', '-A', chain, ...args]);
        }
      }
      await new Promise((r) => setTimeout(r, 200));
      const leakedNaive = udpSeen - seen1;
      const sent = await stopSender();
      console.log(
        `# egress re-apply: ${rounds} atomic replacements, ${atomicMs.toFixed(1)} ms each, ` +
          `${leakedAtomic} datagrams leaked; 5 flush-and-refill rounds leaked ${leakedNaive}; ${sent} sent in total`,
      );
      assert.ok(sent > 100, `the sender ran (${sent})`);
      assert.equal(leakedAtomic, 0, 'no datagram passes a deny policy while it is being replaced');
      assert.ok(leakedNaive > 0, 'the control shows the probe can see a window');
    } finally {
      if (sender.exitCode === null) sender.kill('SIGKILL');
      await runner.ensureSpace((await runner.getSpace('eg', space))!);
    }
  });

  test('forward admission is ensured once, migrated when it holds foreign rules', async () => {
    const fwd = ectx.forwardChain;
    const expected = [
      `-A ${fwd} -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "kukeon-forward:established" -j ACCEPT`,
      `-A ${fwd} ! -i ${ectx.bridgeWildcard} -o ${ectx.bridgeWildcard} -m comment --comment "kukeon-forward:ingress" -j ACCEPT`,
    ];
    assert.deepEqual(chainRules(fwd), expected);
    assert.deepEqual(await ensureForwardAdmission(ectx), {
      skipped: false,
      rewritten: false,
      jumpInserted: false,
    });
    sh('iptables', ['-w', '-A', fwd, '-i', ectx.bridgeWildcard, '-j', 'ACCEPT']); // untagged leftover
    sh('iptables', [
      '-w',
      '-A',
      fwd,
      '-i',
      ectx.bridgeWildcard,
      '-m',
      'comment',
      '--comment',
      'kukeon-forward:egress',
      '-j',
      'ACCEPT',
    ]);
    assert.equal((await ensureForwardAdmission(ectx)).rewritten, true);
    assert.deepEqual(chainRules(fwd), expected);
    const jumps = sh('iptables', ['-w', '-S', 'FORWARD'])
      .split('\n')
      .filter((l) => l === `-A FORWARD -j ${fwd}`);
    assert.equal(jumps.length, 1, 'one FORWARD jump');
  });

  test('the orphan sweep removes the chain of a space whose metadata is gone, and only that', async () => {
    await runner.createSpace(spaceDoc('eg', 'ghost', { default: 'deny' }));
    const ghost = spaceEgressChain(ectx, 'eg', 'ghost');
    const ghostHost = spaceHostChain(ectx, 'eg', 'ghost');
    assert.ok(sh('iptables-save', ['-t', 'filter']).includes(`:${ghost} `));
    assert.ok(sh('iptables-save', ['-t', 'filter']).includes(`:${ghostHost} `), 'deny: a host chain too');
    // Another instance's chain of the same space under the default prefix must survive.
    const foreign = spaceEgressChain(
      egressContext({ ...config, egressChainPrefix: `KF${pid}-` }),
      'eg',
      'ghost',
    );
    sh('iptables', ['-w', '-N', foreign]);
    try {
      await runner.ctx.store.removeScope(['eg', 'ghost']);
      const report = await runner.sweepOrphans();
      assert.deepEqual(report.egressChains, [
        ...[ghost, ghostHost].sort(),
        `${ectx.postroutingChain} kukeon:eg:ghost:masquerade`,
      ]);
      assert.doesNotMatch(sh('iptables-save', ['-t', 'nat']), /kukeon:eg:ghost:masquerade/);
      const save = sh('iptables-save', ['-t', 'filter']);
      assert.ok(!save.includes(ghost), 'orphan chain and its dispatch rule gone');
      assert.ok(!save.includes(ghostHost), 'orphan host chain and its dispatch rule gone');
      assert.ok(save.includes(`:${chain} `), 'the live space keeps its chain');
      assert.ok(save.includes(`:${foreign} `), 'a chain under another prefix is untouched');
    } finally {
      trySh('iptables', ['-w', '-X', foreign]);
    }
  });

  test('spaces of two realms ensured concurrently: one chain each, one FORWARD jump per top-level chain', async () => {
    await Promise.all([runner.createRealm(realmDoc('eg2')), runner.createRealm(realmDoc('eg3'))]);
    await Promise.all([
      runner.createSpace(spaceDoc('eg2', 'a', { default: 'deny' })),
      runner.createSpace(spaceDoc('eg3', 'a', { default: 'deny' })),
      runner.ensureSpace((await runner.getSpace('eg', space))!),
    ]);
    const root = sh('iptables', ['-w', '-S', ectx.rootChain]).trim().split('\n').slice(1);
    assert.equal(root.length, 3, root.join('\n'));
    for (const [r, s] of [
      ['eg2', 'a'],
      ['eg3', 'a'],
      ['eg', space],
    ]) {
      assert.equal(root.filter((l) => l.endsWith(`-j ${spaceEgressChain(ectx, r, s)}`)).length, 1);
    }
    const forward = sh('iptables', ['-w', '-S', 'FORWARD']).split('\n');
    assert.equal(forward.filter((l) => l === `-A FORWARD -j ${ectx.rootChain}`).length, 1);
    assert.equal(forward.filter((l) => l === `-A FORWARD -j ${ectx.forwardChain}`).length, 1);
    const input = sh('iptables', ['-w', '-S', 'INPUT']).split('\n');
    assert.equal(input.filter((l) => l === `-A INPUT -j ${ectx.inputChain}`).length, 1);
    const inputRules = sh('iptables', ['-w', '-S', ectx.inputChain]).trim().split('\n').slice(1);
    assert.match(inputRules[0], /kukeon-input:localnet"? -j DROP$/, 'the loopback guard comes first');
    for (const r of ['eg2', 'eg3'])
      assert.equal(inputRules.filter((l) => l.endsWith(`-j ${spaceHostChain(ectx, r, 'a')}`)).length, 1);
    await Promise.all([
      runner.purgeRealm('eg2', { cascade: true }),
      runner.purgeRealm('eg3', { cascade: true }),
    ]);
    const after = sh('iptables-save', ['-t', 'filter']);
    assert.ok(
      !after.includes(spaceEgressChain(ectx, 'eg2', 'a')) &&
        !after.includes(spaceEgressChain(ectx, 'eg3', 'a')),
    );
    assert.ok(
      after.includes(`:${chain} `),
      'the remaining space keeps its chain and the top-level chains stay',
    );
  });

  test('deleting the space removes its chain and dispatch rule; the last one takes the top-level chains along', async () => {
    await detachNetwork(runner.ctx.cni, {
      networkName: `eg-${space}`,
      conflist,
      containerId: `egp${pid}`,
      netns: `/run/netns/${inNs}`,
    });
    conflist = '';
    const del = await runner.deleteSpace('eg', space);
    assert.equal(del.metadataDeleted, true);
    assert.deepEqual(ourFilterLines(names), baseline, 'iptables-save (our names) equal before and after');
    assert.doesNotMatch(sh('iptables', ['-w', '-S', 'FORWARD']), new RegExp(`KE${pid}-`));
    assert.doesNotMatch(sh('iptables', ['-w', '-S', 'INPUT']), new RegExp(`KE${pid}-`));
  });
});
