// Every update class of the container diff (src/model/diff/container-diff.ts), applied to a
// running cell with `runner.updateCell`, proven from inside the running container (or from its
// /proc and cgroup files on the host) afterwards, with the cell observed Ready.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runner } from '../../src/runner/runner.js';
import type { ContainerSpec } from '../../src/model/container.js';
import type { Cell } from '../../src/model/resources.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { cellModel, containerModel, provisionStack } from '../helpers/cell-docs.js';
import { cgroupFile } from '../helpers/cgroup-file.js';
import { testImages } from '../../scripts/make-test-images.js';

const at = { realm: 'r', space: 's', stack: 't' };
// PID 1 of a pid namespace ignores signals it has no handler for: TERM makes a stop quick, USR1
// is how a test makes the workload fail on purpose (exit 7) with `ctr tasks kill -s SIGUSR1`.
const SCRIPT = 'trap "exit 0" TERM; trap "exit 7" USR1; sleep 3600 & wait';

/** One row of the table: a change to the workload and how to see it inside the container. */
interface UpdateCase {
  field: string;
  change: (img: Images, hostDir: string) => Partial<ContainerSpec>;
  /** What the running container shows for this setting (read inside it or from its /proc). */
  observe: (probe: Probe) => string;
  /** True when the observed value is the new setting. */
  applied: (seen: string) => boolean;
  /** The change needs a new container (spec-hash domain); `false`: persisted, task kept. */
  recreates: boolean;
}

interface Images {
  busybox: string;
  layered: string;
  sleep: string;
}

interface Probe {
  /** `sh -c cmd` inside the workload via `ctr tasks exec`. */
  exec(cmd: string): string;
  /** Host pid of the workload's init process. */
  pid: number;
}

const statusField = (probe: Probe, name: string): string =>
  readFileSync(`/proc/${probe.pid}/status`, 'utf8').match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1] ?? '';
const hostStatusField = (name: string): string =>
  readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${name}:\\s*(.*)$`, 'm'))?.[1] ?? '';
const capBit = (hex: string, bit: number): boolean => ((BigInt('0x' + hex) >> BigInt(bit)) & 1n) === 1n;
/** `host` when the task shares this (host-namespaced) test process's namespace of that type. */
const sameNs = (pid: number, type: string): string =>
  readlinkSync(`/proc/${pid}/ns/${type}`) === readlinkSync(`/proc/self/ns/${type}`) ? 'host' : 'own';

const cases: UpdateCase[] = [
  {
    field: 'image',
    change: (img) => ({ image: img.layered }),
    observe: (p) => p.exec('cat /etc/layer2 2>/dev/null || echo none'),
    applied: (s) => s === 'from layer 2',
    recreates: true,
  },
  {
    field: 'command',
    change: () => ({ command: 'busybox', args: ['sh', '-c', SCRIPT] }),
    observe: (p) => p.exec("tr '\\0' ' ' < /proc/1/cmdline"),
    applied: (s) => s.startsWith('busybox sh -c'),
    recreates: true,
  },
  {
    field: 'args',
    change: () => ({ args: ['-c', SCRIPT + ' # marker-args'] }),
    observe: (p) => p.exec("tr '\\0' ' ' < /proc/1/cmdline"),
    applied: (s) => s.includes('marker-args'),
    recreates: true,
  },
  {
    field: 'workingDir',
    change: () => ({ workingDir: '/tmp' }),
    observe: (p) => p.exec('readlink /proc/1/cwd'),
    applied: (s) => s === '/tmp',
    recreates: true,
  },
  {
    field: 'env',
    change: () => ({ env: ['MARK=env-2'] }),
    observe: (p) => p.exec("tr '\\0' '\\n' < /proc/1/environ | grep '^MARK=' || true"),
    applied: (s) => s === 'MARK=env-2',
    recreates: true,
  },
  {
    field: 'user',
    change: () => ({ user: '1000:1000' }),
    observe: (p) => `${statusField(p, 'Uid')} / ${p.exec('id -u')}`,
    applied: (s) => /^1000\s+1000\s+1000\s+1000 \/ 1000$/.test(s),
    recreates: true,
  },
  {
    field: 'privileged',
    change: () => ({ privileged: true }),
    // Privileged: every capability the (root) host process has, and the host's device nodes.
    observe: (p) => `${statusField(p, 'CapEff')} ${p.exec('test -e /dev/loop0 && echo devs || echo nodevs')}`,
    applied: (s) => s === `${hostStatusField('CapEff')} devs`,
    recreates: true,
  },
  {
    field: 'readOnlyRootFilesystem',
    change: () => ({ readOnlyRootFilesystem: true }),
    observe: (p) => p.exec('touch /probe-rw 2>/dev/null && echo writable || echo read-only'),
    applied: (s) => s === 'read-only',
    recreates: true,
  },
  {
    field: 'capabilities',
    change: () => ({ capabilities: { add: ['NET_ADMIN'], drop: ['CHOWN'] } }),
    // CAP_CHOWN is bit 0, CAP_NET_ADMIN bit 12.
    observe: (p) => statusField(p, 'CapEff'),
    applied: (s) => capBit(s, 12) && !capBit(s, 0),
    recreates: true,
  },
  {
    // no-new-privileges is on by default: the opt-out is the change that shows.
    field: 'securityOpts (no-new-privileges=false)',
    change: () => ({ securityOpts: ['no-new-privileges=false'] }),
    observe: (p) => statusField(p, 'NoNewPrivs'),
    applied: (s) => s === '0',
    recreates: true,
  },
  {
    // No seccomp filter by default: a profile file (denying mkdir with EPERM) shows as mode 2.
    field: 'securityOpts (seccomp profile)',
    change: (_img, dir) => ({ securityOpts: [`seccomp=${join(dir, 'seccomp.json')}`] }),
    observe: (p) =>
      `${statusField(p, 'Seccomp')} ${p.exec('mkdir /tmp/sc 2>/dev/null && echo made || echo denied')}`,
    applied: (s) => s === '2 denied',
    recreates: true,
  },
  {
    field: 'tmpfs',
    change: () => ({ tmpfs: [{ path: '/scratch', sizeBytes: 8 * 1024 * 1024 }] }),
    observe: (p) => p.exec("grep ' /scratch ' /proc/mounts || echo none"),
    applied: (s) => /^tmpfs \/scratch tmpfs .*size=8192k/.test(s),
    recreates: true,
  },
  {
    field: 'volumes',
    change: (_img, dir) => ({ volumes: [{ kind: 'bind', source: dir, target: '/data', readOnly: true }] }),
    observe: (p) => p.exec('cat /data/marker 2>/dev/null; touch /data/x 2>/dev/null && echo rw || echo ro'),
    applied: (s) => s === 'volume-marker\nro',
    recreates: true,
  },
  {
    field: 'devices',
    change: () => ({ devices: ['/dev/net/tun'] }),
    // Present as a node, and allowed by the device cgroup (a denied open says "not permitted").
    observe: (p) =>
      p.exec('test -c /dev/net/tun && echo node; cat /dev/net/tun 2>&1 | grep -c "not permitted" || true'),
    applied: (s) => s === 'node\n0',
    recreates: true,
  },
  {
    field: 'resources',
    change: () => ({ resources: { memoryLimitBytes: 48 * 1024 * 1024, cpuShares: 512, pidsLimit: 64 } }),
    observe: (p) =>
      [
        cgroupFile(p.pid, 'memory', 'memory.limit_in_bytes'),
        cgroupFile(p.pid, 'cpu', 'cpu.shares'),
        cgroupFile(p.pid, 'pids', 'pids.max'),
      ].join(' '),
    applied: (s) => s === `${48 * 1024 * 1024} 512 64`,
    recreates: true,
  },
  {
    field: 'hostNetwork',
    change: () => ({ hostNetwork: true }),
    observe: (p) => sameNs(p.pid, 'net'),
    applied: (s) => s === 'host',
    recreates: true,
  },
  {
    field: 'hostPID',
    change: () => ({ hostPID: true }),
    observe: (p) => sameNs(p.pid, 'pid'),
    applied: (s) => s === 'host',
    recreates: true,
  },
  {
    field: 'hostCgroup',
    change: () => ({ hostCgroup: true }),
    observe: (p) => sameNs(p.pid, 'cgroup'),
    applied: (s) => s === 'host',
    recreates: true,
  },
];

describe('runner: every container update class reaches the running cell', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let pristine: HostSnapshot;
  let img: Images;
  let ns: string;
  let hostDir: string;
  let base: ContainerSpec;

  const ctr = (...args: string[]): string =>
    execFileSync('ctr', ['--address', env.config.containerdSocket, '--namespace', ns, ...args], {
      encoding: 'utf8',
    });
  const pidOf = (containerdId: string): number => {
    const line = ctr('tasks', 'ls')
      .split('\n')
      .find((l) => l.startsWith(containerdId + ' ') && / RUNNING\s*$/.test(l));
    return Number(line?.trim().split(/\s+/)[1] ?? 0);
  };
  const probe = (containerdId: string): Probe => ({
    pid: pidOf(containerdId),
    exec: (cmd) =>
      ctr(
        'tasks',
        'exec',
        '--exec-id',
        `x${process.pid}${Math.random().toString(36).slice(2, 8)}`,
        containerdId,
        'sh',
        '-c',
        cmd,
      ).trim(),
  });
  const ref = (name: string) => runner.cellRef({ ...at, name });
  const current = async (name: string): Promise<Cell> => structuredClone((await runner.getCell(ref(name)))!);
  /** The cell as observed on the host right now (reconcile persists what it sees). */
  async function assertReady(name: string): Promise<Cell> {
    const r = await runner.reconcileCell(ref(name));
    assert.equal(r.cell?.status.state, 'Ready', `cell ${name} is Ready`);
    for (const s of r.cell!.status.containers) assert.equal(s.state, 'Ready', `container ${s.id} is Ready`);
    return r.cell!;
  }
  async function setWorkload(name: string, w: ContainerSpec) {
    const desired = await current(name);
    desired.spec.containers = desired.spec.containers.map((c) => (c.id === w.id ? structuredClone(w) : c));
    return runner.updateCell(desired);
  }

  before(async () => {
    env = runnerEnv('runner-cell-updates');
    runner = await Runner.open(env.config);
    pristine = snapshotHost(env.config);
    const images = testImages().images;
    await provisionStack(runner, at, [images.busybox.file, images.layered.file, images.busyboxSleep.file]);
    img = { busybox: images.busybox.name, layered: images.layered.name, sleep: images.busyboxSleep.name };
    ns = `${at.realm}.${env.config.namespaceSuffix}`;
    hostDir = mkdtempSync(join(tmpdir(), `kukeon-upd-vol-${process.pid}-`));
    writeFileSync(join(hostDir, 'marker'), 'volume-marker\n');
    writeFileSync(
      join(hostDir, 'seccomp.json'),
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
      }),
    );
    base = containerModel('w', img.busybox, { command: 'sh', args: ['-c', SCRIPT] });
    const cell = cellModel(at, 'upd', [base]);
    await runner.createCell(cell);
    assert.equal((await runner.startCell(cell)).status.state, 'Ready');
  });

  after(async () => {
    try {
      for (const r of await runner.listRealms()) await runner.purgeRealm(r.metadata.name, { cascade: true });
      await runner.ctx.cgroups.remove(`/${env.config.cgroupRoot}`, { force: true });
      const now = snapshotHost(env.config);
      // Purging the realm removes the space's bridge, leases and cgroups too: nothing may be left.
      // veths and iptables chains are host-global (other test processes add and remove theirs at
      // the same time), so only our bridge prefix is compared for links.
      const ours = (h: HostSnapshot) => ({
        ...h,
        links: h.links.filter((l) => l.startsWith(env.config.bridgePrefix)),
        chains: [],
      });
      assert.deepEqual(ours(now), ours(pristine), 'nothing left on the host after the realm purge');
    } finally {
      runner.close();
      env.cleanup();
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  for (const c of cases) {
    test(`workload ${c.field}: the running container has the new setting, the cell is Ready`, async () => {
      // Start every row from the base workload, so each row changes exactly one class.
      await setWorkload('upd', base);
      const before = probe('s_t_upd_w');
      assert.ok(before.pid > 0, 'the workload runs before the update');
      const seenBefore = c.observe(before);
      assert.equal(c.applied(seenBefore), false, `not yet applied before the update (saw ${seenBefore})`);

      const r = await setWorkload('upd', { ...base, ...c.change(img, hostDir) });
      assert.equal(r.recreatedCell, false, 'a workload change never recreates the cell');
      assert.deepEqual(r.recreatedContainers, c.recreates ? ['w'] : []);
      await assertReady('upd');
      const afterProbe = probe('s_t_upd_w');
      assert.ok(afterProbe.pid > 0, 'the workload runs after the update');
      if (c.recreates) assert.notEqual(afterProbe.pid, before.pid, 'a new task');
      const seen = c.observe(afterProbe);
      assert.ok(c.applied(seen), `${c.field} applied (saw ${JSON.stringify(seen)})`);
      // The new spec is what the runner recorded.
      const stored = (await runner.getCell(ref('upd')))!.spec.containers.find((x) => x.id === 'w')!;
      for (const [k, v] of Object.entries(c.change(img, hostDir))) {
        assert.deepEqual(stored[k as keyof ContainerSpec], v, `stored ${k}`);
      }
    });
  }

  test('workload restartPolicy: persisted without a new task, and the next reconcile honours it', async () => {
    await setWorkload('upd', { ...base, restartPolicy: 'never' });
    const before = probe('s_t_upd_w');
    const r = await setWorkload('upd', { ...base, restartPolicy: 'on-failure', restartBackoffSeconds: 0 });
    assert.deepEqual(r.recreatedContainers, [], 'a policy change keeps the running task');
    assert.equal(probe('s_t_upd_w').pid, before.pid);
    await assertReady('upd');
    // Make the workload fail (its USR1 trap exits 7): the new policy restarts it on the next pass.
    ctr('tasks', 'kill', '-s', 'SIGUSR1', 's_t_upd_w');
    for (let i = 0; i < 40 && pidOf('s_t_upd_w') === before.pid; i++) await sleep(50);
    assert.notEqual(pidOf('s_t_upd_w'), before.pid, 'the workload exited');
    const rec = await runner.reconcileCell(ref('upd'));
    assert.deepEqual(rec.restarted, ['w'], 'on-failure restarted the workload');
    assert.equal(rec.cell?.status.containers.find((s) => s.id === 'w')?.restartCount, 1);
    assert.ok(pidOf('s_t_upd_w') > 0);
    await assertReady('upd');
  });

  test('workload secrets (fromEnv): the secret reaches the container env', async () => {
    await setWorkload('upd', base);
    const key = `KUKEON_TEST_SECRET_${process.pid}`;
    process.env[key] = 'sekrit';
    try {
      const r = await setWorkload('upd', { ...base, secrets: [{ name: 'TOKEN', fromEnv: key }] });
      assert.deepEqual(r.recreatedContainers, ['w'], 'secrets are in the spec-hash domain (root-breaking)');
      await assertReady('upd');
      const seen = probe('s_t_upd_w').exec("tr '\\0' '\\n' < /proc/1/environ | grep '^TOKEN=' || true");
      assert.equal(seen, 'TOKEN=sekrit');
    } finally {
      delete process.env[key];
    }
  });

  test('a stopped cell updated and then started runs the new setting (no spec-hash drift failure)', async () => {
    await setWorkload('upd', base);
    const stopped = await runner.stopCell(await current('upd'));
    assert.equal(stopped.status.state, 'Stopped');
    const change = { env: ['MARK=while-stopped'], resources: { memoryLimitBytes: 40 * 1024 * 1024 } };
    const r = await setWorkload('upd', { ...base, ...change });
    assert.deepEqual(r.recreatedContainers, ['w'], 'the record is replaced while no task runs');
    assert.equal(ctr('tasks', 'ls', '-q').trim(), '', 'an update does not start a stopped cell');
    const started = await runner.startCell(await current('upd'));
    assert.equal(started.status.state, 'Ready');
    await assertReady('upd');
    const p = probe('s_t_upd_w');
    assert.equal(p.exec("tr '\\0' '\\n' < /proc/1/environ | grep '^MARK='"), 'MARK=while-stopped');
    assert.equal(cgroupFile(p.pid, 'memory', 'memory.limit_in_bytes'), String(40 * 1024 * 1024));
    // The network came back with the restart of the (unchanged) root.
    assert.match(p.exec('ip -4 addr show eth0'), /inet /);
  });

  describe('root-container changes recreate the whole cell', () => {
    let root: ContainerSpec;
    let work: ContainerSpec;
    before(async () => {
      root = containerModel('root', img.sleep, { root: true });
      work = containerModel('w', img.busybox, { command: 'sh', args: ['-c', SCRIPT] });
      const cell = cellModel(at, 'rc', [root, work], { rootContainerId: 'root' });
      await runner.createCell(cell);
      assert.equal((await runner.startCell(cell)).status.state, 'Ready');
    });

    const rootCases: { field: string; change: () => Partial<ContainerSpec>; check: (p: Probe) => void }[] = [
      {
        field: 'env',
        change: () => ({ env: ['ROOTMARK=2'] }),
        check: (p) => assert.match(p.exec("tr '\\0' '\\n' < /proc/1/environ"), /^ROOTMARK=2$/m),
      },
      {
        field: 'image + command',
        change: () => ({ image: img.layered, command: 'sh', args: ['-c', SCRIPT] }),
        check: (p) => assert.equal(p.exec('cat /etc/layer2'), 'from layer 2'),
      },
      {
        field: 'resources',
        change: () => ({ resources: { pidsLimit: 50 } }),
        check: (p) => assert.equal(cgroupFile(p.pid, 'pids', 'pids.max'), '50'),
      },
    ];
    for (const c of rootCases) {
      test(`root ${c.field}: new root task with the setting, workload rejoined its network, cell Ready`, async () => {
        const oldRootPid = pidOf('s_t_rc_root');
        const oldWorkPid = pidOf('s_t_rc_w');
        const desired = await current('rc');
        const r0 = desired.spec.containers.find((x) => x.root)!;
        Object.assign(r0, c.change());
        const r = await runner.updateCell(desired);
        assert.equal(r.recreatedCell, true);
        assert.equal(r.cell.status.state, 'Ready');
        await assertReady('rc');
        const rp = probe('s_t_rc_root');
        const wp = probe('s_t_rc_w');
        assert.ok(rp.pid > 0 && rp.pid !== oldRootPid, 'a new root task');
        assert.ok(wp.pid > 0 && wp.pid !== oldWorkPid, 'a new workload task');
        c.check(rp);
        for (const t of ['net', 'ipc', 'uts']) {
          assert.equal(readlinkSync(`/proc/${wp.pid}/ns/${t}`), readlinkSync(`/proc/${rp.pid}/ns/${t}`), t);
        }
        assert.match(wp.exec('ip -4 addr show eth0'), /inet /, 'the new root has a CNI address');
        assert.equal(wp.exec('hostname'), 'rc');
      });
    }

    test('nestedCgroupRuntime toggled: the cell is recreated and Ready', async () => {
      const oldRootPid = pidOf('s_t_rc_root');
      const desired = await current('rc');
      desired.spec.nestedCgroupRuntime = true;
      const r = await runner.updateCell(desired);
      assert.equal(r.recreatedCell, true);
      await assertReady('rc');
      const wp = probe('s_t_rc_w');
      assert.notEqual(pidOf('s_t_rc_root'), oldRootPid);
      // The inner runtime gets a cgroup filesystem of its own at /sys/fs/cgroup.
      assert.match(wp.exec('grep " /sys/fs/cgroup" /proc/mounts || echo none'), /cgroup/);
    });
  });
});
