/**
 * End to end: specs from buildOciSpec run by the real runc (1.1.5) through a private containerd
 * (`ctr run --config`, which takes the spec verbatim). What each container prints proves the
 * spec did what the builder says: env precedence, user and groups, capabilities, read-only
 * rootfs, tmpfs, etc files, rlimits, cgroup limits at the absolute cgroupsPath, and a second
 * container joining the first's net/ipc/uts namespaces without renaming it.
 *
 * `ctr run --config` prepares no snapshot, so `root.path` points at a busybox rootfs directory
 * this file builds from the host's static busybox (the same binary the test images use).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  copyFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  buildOciSpec,
  capabilityMask,
  readHostFacts,
  renderEtcHostname,
  renderEtcHosts,
  renderResolvConf,
  writeEtcFileInPlace,
  type ContainerSpecInput,
  type HostFacts,
  type OciSpec,
} from '../../src/runner/oci/index.js';
import { clampRlimits } from '../../src/runner/oci/rlimits.js';
import { ctr, privateContainerd, testNamespace, type PrivateContainerd } from '../helpers/containerd.js';

const BUSYBOX = '/usr/bin/busybox';
const CGROUP_MOUNT = '/sys/fs/cgroup';
const cgroupTop = `kukeon-oci-e2e-${process.pid}`;
const cellCgroupPath = `/${cgroupTop}/cell`;

let containerd: PrivateContainerd;
let ns: string;
let dir: string;
let rootfs: string;
let facts: HostFacts;
const cellDir = () => join(dir, 'cell');

function makeRootfs(path: string): void {
  mkdirSync(join(path, 'bin'), { recursive: true });
  mkdirSync(join(path, 'etc'));
  mkdirSync(join(path, 'tmp'));
  copyFileSync(BUSYBOX, join(path, 'bin', 'busybox'));
  chmodSync(join(path, 'bin', 'busybox'), 0o755);
  for (const applet of execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    if (applet !== 'busybox') symlinkSync('busybox', join(path, 'bin', applet));
  }
  writeFileSync(
    join(path, 'etc', 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/tmp:/bin/sh\n',
  );
  writeFileSync(join(path, 'etc', 'group'), 'root:x:0:\napp:x:1000:\nstaff:x:50:app\n');
  // Bind targets for the etc files; the image's own content must be replaced by ours.
  writeFileSync(join(path, 'etc', 'hosts'), '# image hosts\n');
  writeFileSync(join(path, 'etc', 'hostname'), 'image\n');
  writeFileSync(join(path, 'etc', 'resolv.conf'), '# image resolv.conf\n');
}

const imageConfig = { Env: ['PATH=/bin', 'LEVEL=image', 'IMG_ONLY=1'], Cmd: ['/bin/sh'] };

function input(over: Partial<ContainerSpecInput> & { containerdId: string }): ContainerSpecInput {
  return {
    role: 'workload',
    namespace: ns,
    imageConfig,
    cellCgroupPath,
    etcHostsPath: join(cellDir(), 'etc-hosts'),
    etcHostnamePath: join(cellDir(), 'etc-hostname'),
    etcResolvConfPath: join(cellDir(), 'etc-resolv.conf'),
    ...over,
  };
}

/** root.path → our rootfs directory (containerd would mount a snapshot at bundle/rootfs). */
function withRootfs(spec: OciSpec): OciSpec {
  return { ...spec, root: { ...spec.root, path: rootfs } };
}

function run(
  id: string,
  spec: OciSpec,
  opts: { detach?: boolean } = {},
): { status: number | null; out: string; err: string } {
  const file = join(dir, `${id}.json`);
  writeFileSync(file, JSON.stringify(withRootfs(spec)));
  const mode = opts.detach ? ['-d'] : ['--rm'];
  const r = spawnSync(
    'ctr',
    ['--address', containerd.socket, '-n', ns, 'run', ...mode, '--config', file, id],
    {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return { status: r.status, out: r.stdout, err: r.stderr };
}

function sh(id: string, script: string, over: Partial<ContainerSpecInput> = {}): string {
  const spec = buildOciSpec(
    input({ containerdId: id, command: '/bin/sh', args: ['-c', script], ...over }),
    facts,
  );
  const r = run(id, spec);
  assert.equal(r.status, 0, `container ${id} failed: ${r.err}${r.out}`);
  return r.out;
}

function taskPid(id: string): number {
  const line = ctr(containerd.socket, ['tasks', 'ls'], ns)
    .split('\n')
    .find((l) => l.split(/\s+/)[0] === id);
  assert.ok(line, `task ${id} not listed`);
  return Number(line.split(/\s+/)[1]);
}

function removeContainer(id: string): void {
  spawnSync('ctr', ['--address', containerd.socket, '-n', ns, 'tasks', 'kill', '-s', 'SIGKILL', id]);
  for (let i = 0; i < 50; i++) {
    const r = spawnSync('ctr', ['--address', containerd.socket, '-n', ns, 'tasks', 'rm', id], {
      encoding: 'utf8',
    });
    if (r.status === 0 || /not found/.test(r.stderr)) break;
    execFileSync('sleep', ['0.1']);
  }
  spawnSync('ctr', ['--address', containerd.socket, '-n', ns, 'containers', 'rm', id]);
}

/**
 * containerd.stop(), tolerating scripts/containerd-private.sh's `stop` exiting 1 when nothing is
 * left mounted (its final grep finds no match under `set -o pipefail`): then the daemon is
 * already gone and only its directory remains, which we remove ourselves.
 */
function stopContainerd(): void {
  try {
    containerd.stop();
  } catch (err) {
    if (existsSync(join(containerd.dir, 'containerd.pid'))) throw err;
    rmSync(containerd.dir, { recursive: true, force: true });
  }
  if (!process.env.KUKEON_TEST_CONTAINERD_DIR)
    assert.ok(!existsSync(containerd.dir), 'containerd dir left behind');
}

/** Every cgroup hierarchy root on this host (v1 controllers, named, unified, or v2 alone). */
function hierarchies(): string[] {
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n');
  return mounts
    .map((l) => l.split(' '))
    .filter((f) => (f[2] === 'cgroup' || f[2] === 'cgroup2') && f[1].startsWith(CGROUP_MOUNT))
    .map((f) => f[1]);
}

function leftoverCgroups(): string[] {
  return hierarchies().filter((h) => existsSync(join(h, cgroupTop)));
}

describe('OCI specs from buildOciSpec run by runc', { timeout: 180_000 }, () => {
  before(() => {
    containerd = privateContainerd();
    ns = testNamespace('oci');
    dir = mkdtempSync(join(tmpdir(), `kukeon-oci-e2e-${process.pid}-`));
    rootfs = join(dir, 'rootfs');
    makeRootfs(rootfs);
    facts = readHostFacts({ rootfsDir: rootfs });
    writeEtcFileInPlace(join(cellDir(), 'etc-hosts'), renderEtcHosts());
    writeEtcFileInPlace(join(cellDir(), 'etc-hostname'), renderEtcHostname('cellhost'));
    writeEtcFileInPlace(
      join(cellDir(), 'etc-resolv.conf'),
      renderResolvConf('nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch example.test\n'),
    );
  });

  after(() => {
    try {
      for (const line of ctr(containerd.socket, ['containers', 'ls', '-q'], ns).split('\n').filter(Boolean)) {
        removeContainer(line);
      }
      spawnSync('ctr', ['--address', containerd.socket, 'namespaces', 'rm', ns]);
    } finally {
      // runc removes only the leaf cgroup; the parents are ours to remove, in every hierarchy.
      for (const h of hierarchies()) {
        for (const p of [join(h, cgroupTop, 'cell'), join(h, cgroupTop)]) {
          try {
            rmdirSync(p);
          } catch {
            /* absent */
          }
        }
      }
      rmSync(dir, { recursive: true, force: true });
      const namespaces = ctr(containerd.socket, ['namespaces', 'ls', '-q']);
      stopContainerd();
      assert.deepEqual(leftoverCgroups(), [], 'cgroups left behind');
      assert.ok(!existsSync(dir), 'temp dir left behind');
      assert.ok(!namespaces.split('\n').includes(ns), 'containerd namespace left behind');
    }
  });

  it('env precedence: image < defaults < container env < runtime env', () => {
    const out = sh('env', 'env | sort', {
      defaultEnv: ['LEVEL=default', 'KUKEON_CELL_NAME=cell', 'DEF_ONLY=1'],
      env: ['LEVEL=container', 'CTR_ONLY=1', 'IMG_ONLY'],
      runtimeEnv: ['CTR_ONLY=runtime'],
    });
    const env = new Map(
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.equal(env.get('LEVEL'), 'container');
    assert.equal(env.get('KUKEON_CELL_NAME'), 'cell');
    assert.equal(env.get('DEF_ONLY'), '1');
    assert.equal(env.get('CTR_ONLY'), 'runtime');
    assert.equal(env.get('PATH'), '/bin');
    assert.equal(env.has('IMG_ONLY'), false);
  });

  it('user resolved from the rootfs /etc/passwd and /etc/group, plus the kukeon group', () => {
    assert.equal(
      sh('user', 'id', { user: 'app', kukeonGroupGid: 990 }).trim(),
      'uid=1000(app) gid=1000(app) groups=50(staff),990',
    );
    assert.equal(sh('user2', 'id -u; id -g', { user: '1000:staff' }).trim(), '1000\n50');
  });

  it('capabilities: the default set, then drop/add, as CapEff', () => {
    const capEff = (out: string) => /CapEff:\s*([0-9a-f]+)/.exec(out)?.[1];
    const def = sh('capdef', 'cat /proc/self/status');
    assert.equal(capEff(def), '00000000a80425fb');
    const dropped = sh('capdrop', 'cat /proc/self/status', {
      capabilities: { drop: ['ALL'], add: ['net_bind_service', 'kill'] },
    });
    const want = capabilityMask(['CAP_NET_BIND_SERVICE', 'CAP_KILL']).toString(16).padStart(16, '0');
    assert.equal(capEff(dropped), want);
    assert.match(dropped, /NoNewPrivs:\s*1/);
  });

  it('security opts: a seccomp profile from the daemon filesystem, no-new-privileges=false', () => {
    const profile = join(dir, 'deny-mkdir.json');
    writeFileSync(
      profile,
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
      }),
    );
    const denied = sh(
      'seccomp',
      'mkdir /dev/shm/d 2>&1 && echo made || echo denied; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status',
      {
        securityOpts: [`seccomp=${profile}`, 'no-new-privileges=false'],
      },
    );
    assert.match(denied, /denied/);
    assert.match(denied, /Seccomp:\s*2/);
    assert.match(denied, /NoNewPrivs:\s*0/);
    assert.match(sh('noseccomp', 'mkdir /dev/shm/d && echo made'), /made/);
  });

  it("privileged: the daemon's capabilities, writable sysfs, host devices", () => {
    const out = sh(
      'priv',
      'grep CapEff /proc/self/status; grep " /sys " /proc/mounts; ls /dev | wc -l; test -c /dev/null && echo null-ok',
      {
        privileged: true,
      },
    );
    const want = capabilityMask(facts.currentCapabilities ?? [])
      .toString(16)
      .padStart(16, '0');
    assert.match(out, new RegExp(`CapEff:\\s*${want}`));
    assert.match(out, /sysfs \/sys sysfs rw,/);
    assert.match(out, /null-ok/);
  });

  it('nested cgroup runtime: its own cgroup subtree at /sys/fs/cgroup (cgroup namespace), limits visible', () => {
    const v1 = existsSync(join(CGROUP_MOUNT, 'memory'));
    const limitFile = v1 ? '/sys/fs/cgroup/memory/memory.limit_in_bytes' : '/sys/fs/cgroup/memory.max';
    const out = sh(
      'nested',
      `cat ${limitFile}; grep -c . /proc/self/cgroup; grep -vc ':/$' /proc/self/cgroup || true`,
      {
        nestedCgroupRuntime: true,
        resources: { memoryLimitBytes: 48 << 20 },
      },
    );
    const [limit, lines, notRoot] = out.trim().split('\n');
    assert.equal(limit, String(48 << 20));
    assert.ok(Number(lines) >= 1);
    assert.equal(notRoot, '0', 'inside its cgroup namespace every hierarchy shows /');
    assert.doesNotMatch(sh('flat', 'ls /sys/fs/cgroup 2>&1 | head -1'), /memory/);
  });

  it('read-only rootfs refuses writes; tmpfs and tmpfs volumes are writable with their options', () => {
    const out = sh(
      'ro',
      'touch /probe 2>/dev/null && echo rootfs-writable || echo rootfs-readonly; ' +
        'touch /scratch/x && echo scratch-ok; touch /vol/x && echo vol-ok; grep -E " /(scratch|vol) " /proc/mounts',
      {
        readOnlyRootFilesystem: true,
        tmpfs: [{ path: '/scratch', sizeBytes: 1 << 20, options: ['noexec'] }],
        volumes: [{ kind: 'tmpfs', target: '/vol', sizeBytes: 2 << 20, mode: 0o750 }],
      },
    );
    assert.match(out, /rootfs-readonly/);
    assert.match(out, /scratch-ok/);
    assert.match(out, /vol-ok/);
    assert.match(out, /tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,[^\n]*size=1024k/);
    assert.match(out, /tmpfs \/vol tmpfs rw,[^\n]*size=2048k,mode=750/);
    assert.ok(!existsSync(join(rootfs, 'probe')));
  });

  it('bind volumes: read-only and read-write', () => {
    const host = join(dir, 'vol');
    mkdirSync(host);
    writeFileSync(join(host, 'in'), 'from host');
    const out = sh('bind', 'cat /ro/in; touch /ro/x 2>/dev/null || echo ro-refused; echo hi > /rw/out', {
      volumes: [
        { source: host, target: '/ro', readOnly: true },
        { source: host, target: '/rw' },
      ],
    });
    assert.match(out, /from host/);
    assert.match(out, /ro-refused/);
    assert.equal(readFileSync(join(host, 'out'), 'utf8'), 'hi\n');
  });

  it('/etc/hosts, /etc/hostname and /etc/resolv.conf come from the cell dir; rewrites in place are seen', () => {
    writeEtcFileInPlace(
      join(cellDir(), 'etc-hosts'),
      renderEtcHosts({ ip: '10.88.7.2', hostname: 'cellhost' }),
    );
    const out = sh('etc', 'cat /etc/hosts; echo ---; cat /etc/hostname; echo ---; cat /etc/resolv.conf');
    const [hosts, hostname, resolv] = out.split('---\n');
    assert.equal(hosts, renderEtcHosts({ ip: '10.88.7.2', hostname: 'cellhost' }));
    assert.equal(hostname, 'cellhost\n');
    assert.match(resolv, /^nameserver 192\.0\.2\.53$/m);
    assert.doesNotMatch(resolv, /127\.0\.0\.53/);
    assert.match(resolv, /^search example\.test$/m);
  });

  it('rlimits: the default nofile, and a too-high limit only runs once clamped to the host', () => {
    assert.equal(sh('nofile', 'ulimit -Sn; ulimit -Hn').trim(), '1024\n1024');
    const hostHard = facts.hardRlimits?.RLIMIT_NOFILE ?? Infinity;
    const high = 1 << 20;
    const spec = buildOciSpec(
      input({ containerdId: 'nofile-hi', command: '/bin/sh', args: ['-c', 'ulimit -Hn'] }),
      facts,
    );
    const canRaise = (facts.currentCapabilities ?? []).includes('CAP_SYS_RESOURCE');
    if (hostHard < high && !canRaise) {
      spec.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: high, hard: high }];
      const refused = run('nofile-raw', spec);
      assert.notEqual(refused.status, 0, 'runc accepted an rlimit above the host hard limit');
      removeContainer('nofile-raw');
    }
    spec.process.rlimits = clampRlimits(
      [{ type: 'RLIMIT_NOFILE', soft: high, hard: high }],
      facts.hardRlimits,
    );
    const r = run('nofile-hi', spec);
    assert.equal(r.status, 0, r.err);
    assert.equal(r.out.trim(), String(Math.min(high, hostHard)));
  });

  describe('a cell: root with limits at the absolute cgroupsPath, a workload joining its namespaces', () => {
    const rootId = 'cell_root';
    const wlId = 'cell_wl';
    let rootPid = 0;

    before(() => {
      const spec = buildOciSpec(
        input({
          containerdId: rootId,
          role: 'root',
          hostname: 'cellhost',
          command: '/bin/sleep',
          args: ['300'],
          resources: { memoryLimitBytes: 64 << 20, pidsLimit: 32, cpuShares: 512 },
        }),
        facts,
      );
      assert.equal(spec.linux.cgroupsPath, `${cellCgroupPath}/${rootId}`);
      const r = run(rootId, spec, { detach: true });
      assert.equal(r.status, 0, r.err);
      rootPid = taskPid(rootId);
    });

    after(() => removeContainer(rootId));

    it('memory, pids and cpu limits are written at the absolute cgroupsPath', () => {
      const rel = join(cellCgroupPath, rootId);
      const v1 = join(CGROUP_MOUNT, 'memory', rel, 'memory.limit_in_bytes');
      if (existsSync(v1)) {
        assert.equal(readFileSync(v1, 'utf8').trim(), String(64 << 20));
        assert.equal(readFileSync(join(CGROUP_MOUNT, 'pids', rel, 'pids.max'), 'utf8').trim(), '32');
        assert.equal(readFileSync(join(CGROUP_MOUNT, 'cpu', rel, 'cpu.shares'), 'utf8').trim(), '512');
        const procs = readFileSync(join(CGROUP_MOUNT, 'memory', rel, 'cgroup.procs'), 'utf8');
        assert.ok(procs.split('\n').includes(String(rootPid)));
      } else {
        assert.equal(readFileSync(join(CGROUP_MOUNT, rel, 'memory.max'), 'utf8').trim(), String(64 << 20));
        assert.equal(readFileSync(join(CGROUP_MOUNT, rel, 'pids.max'), 'utf8').trim(), '32');
      }
      // Absolute: the placement does not depend on containerd's own cgroup.
      assert.match(readFileSync(`/proc/${rootPid}/cgroup`, 'utf8'), new RegExp(`:${rel}$`, 'm'));
    });

    it('the pids limit holds inside the container', () => {
      // A child shell forks up to 20 sleeps, recording each success with builtins only; busybox
      // sh exits on the first failed fork. The parent reads the count without forking.
      const script =
        "sh -c 'n=0; for i in $(seq 1 20); do sleep 3 & n=$((n+1)); echo $n > /dev/shm/n; done' 2>/dev/null; " +
        'echo rc=$?; read n < /dev/shm/n; echo forks=$n';
      const limited = sh('pids', script, { resources: { pidsLimit: 8 } });
      const forks = Number(/forks=(\d+)/.exec(limited)?.[1]);
      assert.ok(forks > 0 && forks < 8, `forks under pids.max=8: ${limited}`);
      assert.doesNotMatch(limited, /rc=0/);
      assert.match(sh('nopids', script), /rc=0\nforks=20/);
    });

    it('the root has the cell hostname and its own namespaces', () => {
      assert.equal(
        execFileSync('nsenter', ['--uts=/proc/' + rootPid + '/ns/uts', 'hostname'], {
          encoding: 'utf8',
        }).trim(),
        'cellhost',
      );
      assert.notEqual(readlinkSync(`/proc/${rootPid}/ns/net`), readlinkSync('/proc/self/ns/net'));
    });

    it("a workload joins net/ipc/uts (same inodes), keeps its own pid ns, and leaves the root's hostname alone", () => {
      const spec = buildOciSpec(
        input({
          containerdId: wlId,
          hostname: 'wl', // ignored: workloads never name the namespace
          command: '/bin/sh',
          args: ['-c', 'for n in net ipc uts pid; do readlink /proc/self/ns/$n; done; hostname'],
          joinNamespaces: {
            network: `/proc/${rootPid}/ns/net`,
            ipc: `/proc/${rootPid}/ns/ipc`,
            uts: `/proc/${rootPid}/ns/uts`,
          },
        }),
        facts,
      );
      assert.equal(spec.hostname, undefined);
      const r = run(wlId, spec);
      assert.equal(r.status, 0, r.err);
      const [net, ipc, uts, pid, hostname] = r.out.trim().split('\n');
      assert.equal(net, readlinkSync(`/proc/${rootPid}/ns/net`));
      assert.equal(ipc, readlinkSync(`/proc/${rootPid}/ns/ipc`));
      assert.equal(uts, readlinkSync(`/proc/${rootPid}/ns/uts`));
      assert.notEqual(pid, readlinkSync(`/proc/${rootPid}/ns/pid`));
      assert.equal(hostname, 'cellhost');
      assert.equal(
        execFileSync('nsenter', ['--uts=/proc/' + rootPid + '/ns/uts', 'hostname'], {
          encoding: 'utf8',
        }).trim(),
        'cellhost',
      );
    });
  });

  it('leaves no stray containers before cleanup (each --rm run removed itself)', () => {
    const left = ctr(containerd.socket, ['containers', 'ls', '-q'], ns).split('\n').filter(Boolean);
    assert.deepEqual(left, []);
  });
});
