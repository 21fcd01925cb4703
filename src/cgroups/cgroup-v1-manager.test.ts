import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { hasCode } from '../errors.js';
import { CgroupBusyError } from './cgroup-error.js';
import { nodeCgroupFs, type CgroupFs } from './cgroup-fs.js';
import type { Hierarchy } from './cgroup-layout.js';
import { CgroupV1Manager } from './cgroup-v1-manager.js';

// Files the kernel creates in a new v1 group, per hierarchy (by mount directory name).
const FILES: Record<string, Record<string, string>> = {
  cpuset: { 'cpuset.cpus': '', 'cpuset.mems': '' },
  memory: { 'memory.limit_in_bytes': '9223372036854771712' },
  cpu: { 'cpu.shares': '1024', 'cpu.cfs_quota_us': '-1', 'cpu.cfs_period_us': '100000' },
  pids: { 'pids.max': 'max' },
  blkio: { 'blkio.bfq.weight': '100' },
  systemd: {},
};

/** Temp dirs laid out like v1 hierarchies; mkdir creates what the kernel would. */
async function fakeV1(): Promise<{ root: string; hierarchies: Hierarchy[]; fs: CgroupFs }> {
  const root = await mkdtemp(join(tmpdir(), `kukeon-fake-cgroup1-${process.pid}-`));
  const hierarchies: Hierarchy[] = [];
  for (const [name, files] of Object.entries(FILES)) {
    const mountPath = join(root, name);
    await mkdir(mountPath);
    await writeFile(join(mountPath, 'cgroup.procs'), '1\n');
    for (const file of Object.keys(files))
      await writeFile(join(mountPath, file), name === 'cpuset' ? '0-1\n' : '0\n');
    const isNamed = name === 'systemd';
    hierarchies.push({
      name: isNamed ? 'name=systemd' : name,
      mountPath,
      version: 'v1',
      controllers: isNamed ? [] : [name],
    });
  }
  const fs: CgroupFs = {
    ...nodeCgroupFs,
    writeFile: async (path, data) => {
      if (!(await nodeCgroupFs.exists(path))) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      if (path.endsWith('/cgroup.procs') && basename(dirname(dirname(path))) === 'cpuset') {
        const cpus = (await readFile(join(dirname(path), 'cpuset.cpus'), 'utf8')).trim();
        if (cpus === '') throw Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }); // as the kernel does
      }
      await writeFile(path, data);
    },
    async mkdir(path) {
      if (!(await nodeCgroupFs.mkdir(path))) return false;
      const h = hierarchies.find((x) => path.startsWith(x.mountPath + '/')) as Hierarchy;
      await writeFile(join(path, 'cgroup.procs'), '');
      for (const [file, initial] of Object.entries(FILES[basename(h.mountPath)]))
        await writeFile(join(path, file), initial);
      return true;
    },
    rmdir: (path) => rm(path, { recursive: true }),
  };
  return { root, hierarchies, fs };
}

test('ensure creates the group in every hierarchy; each new cpuset level inherits cpus and mems', async () => {
  const { root, hierarchies, fs } = await fakeV1();
  try {
    const m = new CgroupV1Manager({ cgroupRoot: 'kukeon', hierarchies, fs });
    const r = await m.ensure('/kukeon/r/s', { subtreeControllers: 'resource' });
    assert.equal(r.created, true);
    assert.deepEqual(r.subtreeControllers, ['cpu', 'io', 'memory', 'pids']);
    assert.equal((await m.exists('/kukeon/r/s')).exists, true);
    for (const level of ['kukeon', 'kukeon/r', 'kukeon/r/s']) {
      assert.equal((await readFile(join(root, 'cpuset', level, 'cpuset.cpus'), 'utf8')).trim(), '0-1');
      assert.equal((await readFile(join(root, 'cpuset', level, 'cpuset.mems'), 'utf8')).trim(), '0-1');
    }
    await m.addProcs('/kukeon/r/s', [4242]); // would be ENOSPC without the copied cpuset
    assert.deepEqual(await m.procs('/kukeon/r/s'), [4242]);
    await assert.rejects(
      m.remove('/kukeon'),
      (e) => e instanceof CgroupBusyError && e.pids.join() === '4242',
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('ensure of an existing group heals empty cpuset levels above it; a second ensure creates nothing', async () => {
  const { root, hierarchies, fs } = await fakeV1();
  try {
    const m = new CgroupV1Manager({ cgroupRoot: 'kukeon', hierarchies, fs });
    await m.ensure('/kukeon/r/s');
    // Someone emptied the middle level and the group (as a crash between mkdir and the copy would).
    for (const level of ['kukeon/r', 'kukeon/r/s'])
      for (const f of ['cpuset.cpus', 'cpuset.mems']) await writeFile(join(root, 'cpuset', level, f), '');
    const again = await m.ensure('/kukeon/r/s');
    assert.equal(again.created, false);
    for (const level of ['kukeon/r', 'kukeon/r/s'])
      assert.equal((await readFile(join(root, 'cpuset', level, 'cpuset.cpus'), 'utf8')).trim(), '0-1');
    await m.addProcs('/kukeon/r/s', [4243]);
    // A group whose parents exist is one mkdir per hierarchy (and the cpuset copy).
    const made: string[] = [];
    const counting = new CgroupV1Manager({
      cgroupRoot: 'kukeon',
      hierarchies,
      fs: { ...fs, mkdir: (p) => (made.push(p), fs.mkdir(p)) },
    });
    assert.equal((await counting.ensure('/kukeon/r/s/c')).created, true);
    assert.equal(made.length, hierarchies.length);
    assert.equal((await readFile(join(root, 'cpuset', 'kukeon/r/s/c', 'cpuset.mems'), 'utf8')).trim(), '0-1');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('resources map to the v1 files; missing hierarchies or files are skipped, not fatal', async () => {
  const { root, hierarchies, fs } = await fakeV1();
  try {
    const m = new CgroupV1Manager({
      cgroupRoot: 'kukeon',
      hierarchies: hierarchies.filter((h) => h.name !== 'pids'),
      fs,
    });
    const r = await m.ensure('/kukeon/c', {
      resources: {
        memoryLimitBytes: 1 << 26,
        cpuShares: 256,
        cpuQuotaUs: 25000,
        pidsLimit: 10,
        blkioWeight: 200,
      },
    });
    const read = (h: string, f: string) => readFile(join(root, h, 'kukeon/c', f), 'utf8');
    assert.equal(await read('memory', 'memory.limit_in_bytes'), String(1 << 26));
    assert.equal(await read('cpu', 'cpu.shares'), '256');
    assert.equal(await read('cpu', 'cpu.cfs_quota_us'), '25000');
    assert.equal(await read('blkio', 'blkio.bfq.weight'), '200');
    assert.deepEqual(
      r.resources.skipped.map((s) => s.setting),
      ['pidsLimit'],
    );
    assert.equal(r.resources.applied.length, 5);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('partial presence, refusal outside the root', async () => {
  const { root, hierarchies, fs } = await fakeV1();
  try {
    const m = new CgroupV1Manager({ cgroupRoot: '/kukeon', hierarchies, fs });
    await m.ensure('/kukeon/p');
    await rm(join(root, 'memory', 'kukeon', 'p'), { recursive: true });
    const p = await m.exists('/kukeon/p');
    assert.deepEqual([p.exists, p.partial, p.missing], [false, true, ['memory']]);
    await m.remove('/kukeon/p');
    assert.deepEqual((await m.exists('/kukeon/p')).present, []);
    await assert.rejects(m.ensure('/other'), (e) => hasCode(e, 'CGROUP_OUTSIDE_ROOT'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
