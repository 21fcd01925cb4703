/**
 * End to end with a real image: the busybox OCI test images (scripts/make-test-images.ts) are
 * imported into a private containerd, their config is read back from the content store, a
 * snapshot is prepared from the top chain ID and mounted, and buildOciSpec resolves USER against
 * that mounted rootfs. The spec then runs under runc with `root.path` = the mounted snapshot,
 * which is what containerd's shim does with `rootfs` in a bundle.
 */
import { ErrorCode } from '../../src/error-codes.js';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hasCode } from '../../src/errors.js';
import {
  buildOciSpec,
  readHostFacts,
  type ContainerSpecInput,
  type HostFacts,
  type ImageConfig,
  type OciSpec,
} from '../../src/runner/oci/index.js';
import { testImages, type TestImage } from '../../scripts/make-test-images.js';
import { ctr, privateContainerd, testNamespace, type PrivateContainerd } from '../helpers/containerd.js';

const cgroupTop = `kukeon-oci-img-${process.pid}`;
let containerd: PrivateContainerd;
let ns: string;
let dir: string;
const mounted: string[] = [];

interface Rootfs {
  dir: string;
  config: ImageConfig;
  facts: HostFacts;
}

function c(args: string[]): string {
  return ctr(containerd.socket, args, ns);
}

/** Imports an image, reads its config, and mounts a fresh snapshot of it at a directory. */
function prepareRootfs(image: TestImage, key: string): Rootfs {
  c(['images', 'import', image.file]);
  const config = JSON.parse(c(['content', 'get', image.configDigest])).config as ImageConfig;
  c(['snapshots', 'prepare', key, image.chainId]);
  const target = join(dir, key);
  mkdirSync(target);
  const cmd = c(['snapshots', 'mounts', target, key]).trim().split(/\s+/);
  assert.equal(cmd[0], 'mount');
  execFileSync('mount', cmd.slice(1));
  mounted.push(target);
  return { dir: target, config, facts: readHostFacts({ rootfsDir: target }) };
}

function spec(rootfs: Rootfs, over: Partial<ContainerSpecInput> & { containerdId: string }): OciSpec {
  const s = buildOciSpec(
    { role: 'workload', namespace: ns, imageConfig: rootfs.config, cellCgroupPath: `/${cgroupTop}`, ...over },
    rootfs.facts,
  );
  return { ...s, root: { ...s.root, path: rootfs.dir } };
}

function run(id: string, s: OciSpec, detach = false): { status: number | null; out: string; err: string } {
  const file = join(dir, `${id}.json`);
  writeFileSync(file, JSON.stringify(s));
  const r = spawnSync(
    'ctr',
    ['--address', containerd.socket, '-n', ns, 'run', detach ? '-d' : '--rm', '--config', file, id],
    { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe('OCI specs over a real image snapshot', { timeout: 120_000 }, () => {
  let busybox: Rootfs;
  let sleeper: Rootfs;

  before(() => {
    containerd = privateContainerd();
    ns = testNamespace('ocimg');
    dir = mkdtempSync(join(tmpdir(), `kukeon-oci-img-${process.pid}-`));
    const images = testImages().images;
    busybox = prepareRootfs(images.busybox, 'bb');
    sleeper = prepareRootfs(images.busyboxSleep, 'sleeper');
  });

  after(() => {
    const errors: unknown[] = [];
    const attempt = (f: () => void) => {
      try {
        f();
      } catch (e) {
        errors.push(e);
      }
    };
    attempt(() => {
      for (const id of c(['containers', 'ls', '-q']).split('\n').filter(Boolean)) {
        spawnSync('ctr', ['--address', containerd.socket, '-n', ns, 'tasks', 'kill', '-s', 'SIGKILL', id]);
        spawnSync('ctr', ['--address', containerd.socket, '-n', ns, 'tasks', 'rm', '-f', id]);
        c(['containers', 'rm', id]);
      }
    });
    for (const m of mounted) attempt(() => execFileSync('umount', [m]));
    attempt(() => {
      for (const key of ['bb', 'sleeper']) c(['snapshots', 'rm', key]);
      for (const name of c(['images', 'ls', '-q']).split('\n').filter(Boolean))
        c(['images', 'rm', '--sync', name]);
      c(['namespaces', 'rm', ns]);
    });
    for (const h of [
      'memory',
      'pids',
      'cpu',
      'cpuacct',
      'cpuset',
      'devices',
      'freezer',
      'blkio',
      'systemd',
      'unified',
      '',
    ]) {
      const p = join('/sys/fs/cgroup', h, cgroupTop);
      if (existsSync(p)) attempt(() => rmdirSync(p));
    }
    const namespaces = ctr(containerd.socket, ['namespaces', 'ls', '-q']);
    attempt(() => rmSync(dir, { recursive: true, force: true }));
    attempt(() => {
      try {
        containerd.stop();
      } catch (err) {
        // containerd-private.sh stop exits 1 when nothing is left mounted (grep under pipefail).
        if (existsSync(join(containerd.dir, 'containerd.pid'))) throw err;
        rmSync(containerd.dir, { recursive: true, force: true });
      }
    });
    assert.deepEqual(errors, []);
    assert.ok(!namespaces.split('\n').includes(ns), 'namespace left behind');
    assert.ok(!existsSync(dir), 'temp dir left behind');
    assert.ok(!readFileSync('/proc/self/mounts', 'utf8').includes(dir), 'mount left behind');
    assert.ok(!existsSync(join('/sys/fs/cgroup/memory', cgroupTop)), 'cgroup left behind');
  });

  it('the image config reaches the spec: CMD, PATH, WORKDIR', () => {
    const s = spec(busybox, { containerdId: 'cfg' });
    assert.deepEqual(s.process.args, busybox.config.Cmd);
    assert.deepEqual(s.process.env, busybox.config.Env);
    assert.equal(s.process.cwd, busybox.config.WorkingDir || '/');
  });

  it("USER is resolved against the image's own /etc/passwd and /etc/group", () => {
    const r = run(
      'user',
      spec(busybox, {
        containerdId: 'user',
        user: 'nobody',
        args: ['sh', '-c', 'id; echo $PATH; cat /etc/motd'],
      }),
    );
    assert.equal(r.status, 0, r.err);
    const [id, path, motd] = r.out.trim().split('\n');
    assert.equal(id, 'uid=65534(nobody) gid=65534(nogroup)');
    assert.equal(`PATH=${path}`, busybox.config.Env?.[0]);
    assert.equal(motd, 'kukeon test image');
  });

  it('an unknown user fails before anything runs, with a typed error', () => {
    assert.throws(
      () => spec(busybox, { containerdId: 'ghost', user: 'ghost' }),
      (e) => hasCode(e, ErrorCode.OCI_USER_NOT_FOUND),
    );
    assert.throws(
      () => spec(busybox, { containerdId: 'ghost', user: 'nobody:wheel' }),
      (e) => hasCode(e, ErrorCode.OCI_GROUP_NOT_FOUND),
    );
  });

  it("the image's default CMD runs when the container gives none (the sleeper's TERM trap)", () => {
    const s = spec(sleeper, { containerdId: 'sleeper' });
    assert.deepEqual(s.process.args, sleeper.config.Cmd);
    const r = run('sleeper', s, true);
    assert.equal(r.status, 0, r.err);
    assert.match(c(['tasks', 'ls']), /sleeper\s+\d+\s+RUNNING/);
    c(['tasks', 'kill', '-s', 'SIGTERM', 'sleeper']);
    let status = '';
    for (let i = 0; i < 50 && !/STOPPED/.test(status); i++) {
      execFileSync('sleep', ['0.1']);
      status = c(['tasks', 'ls']);
    }
    assert.match(status, /sleeper\s+\d+\s+STOPPED/);
    c(['tasks', 'rm', 'sleeper']);
    c(['containers', 'rm', 'sleeper']);
  });
});
