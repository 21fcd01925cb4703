import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasCode } from '../errors.js';
import { CgroupBusyError } from './cgroup-error.js';
import { CgroupV2Manager } from './cgroup-v2-manager.js';
import { FakeCgroupV2Fs } from './fake-cgroup-v2-fs.js';

async function withFake(
  rootControllers: readonly string[],
  fn: (m: CgroupV2Manager, fs: FakeCgroupV2Fs, killed: number[]) => Promise<void>,
): Promise<void> {
  const fs = await FakeCgroupV2Fs.create(rootControllers);
  const killed: number[] = [];
  try {
    const m = new CgroupV2Manager({
      cgroupRoot: 'kukeon',
      mountPath: fs.root,
      fs,
      killProcess: (pid) => {
        killed.push(pid);
      },
    });
    await fn(m, fs, killed);
  } finally {
    await fs.dispose();
  }
}

const read = (fs: FakeCgroupV2Fs, rel: string) => readFile(join(fs.root, rel), 'utf8').then((s) => s.trim());

test('resource subset is delegated from the mount root down to the group, filtered by what is offered', () =>
  withFake(['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma'], async (m, fs) => {
    const r = await m.ensure('/kukeon/default/default', { subtreeControllers: 'resource' });
    assert.equal(r.created, true);
    assert.deepEqual(r.subtreeControllers, ['cpu', 'io', 'memory', 'pids']);
    assert.deepEqual(r.failedControllers, []);
    for (const level of ['', 'kukeon', 'kukeon/default', 'kukeon/default/default']) {
      assert.deepEqual((await read(fs, join(level, 'cgroup.subtree_control'))).split(' ').sort(), [
        'cpu',
        'io',
        'memory',
        'pids',
      ]);
    }
    // the group's children would now get the interface files
    await m.ensure('/kukeon/default/default/c', { resources: { memoryLimitBytes: 1 << 20 } });
    assert.equal(await read(fs, 'kukeon/default/default/c/memory.max'), String(1 << 20));
  }));

test('only what the host offers: a root offering memory and pids', () =>
  withFake(['memory', 'pids'], async (m, fs) => {
    const r = await m.ensure('/kukeon/r', { subtreeControllers: 'resource' });
    assert.deepEqual(r.subtreeControllers, ['memory', 'pids']);
    assert.equal(await read(fs, 'cgroup.subtree_control'), 'memory pids');
  }));

test('"all" delegates every offered controller (nested runtimes)', () =>
  withFake(['cpu', 'memory', 'hugetlb'], async (m) => {
    const r = await m.ensure('/kukeon/r/s/t/cell', { subtreeControllers: 'all' });
    assert.deepEqual(r.subtreeControllers, ['cpu', 'hugetlb', 'memory']);
  }));

test('nothing offered: no subtree_control write at all, empty result', () =>
  withFake(['hugetlb'], async (m, fs) => {
    const r = await m.ensure('/kukeon/r/s', { subtreeControllers: 'resource', resources: { pidsLimit: 5 } });
    assert.deepEqual(r.subtreeControllers, []);
    assert.deepEqual(fs.writes, []);
    assert.deepEqual(r.resources.applied, []);
    assert.equal(r.resources.skipped[0].setting, 'pidsLimit');
  }));

test('a leaf with resources: ancestors delegate just what its files need; the leaf delegates nothing', () =>
  withFake(['cpu', 'io', 'memory', 'pids'], async (m, fs) => {
    const r = await m.ensure('/kukeon/r/c', {
      resources: {
        memoryLimitBytes: 64 << 20,
        cpuShares: 512,
        cpuQuotaUs: 50000,
        pidsLimit: 32,
        blkioWeight: 500,
      },
    });
    assert.deepEqual(r.subtreeControllers, []);
    assert.equal(await read(fs, 'kukeon/r/c/cgroup.subtree_control'), '');
    assert.equal(await read(fs, 'kukeon/r/cgroup.subtree_control'), 'cpu io memory pids');
    assert.equal(await read(fs, 'kukeon/r/c/memory.max'), String(64 << 20));
    assert.equal(await read(fs, 'kukeon/r/c/cpu.weight'), '20'); // runc: 1 + (510*9999)/262142
    assert.equal(await read(fs, 'kukeon/r/c/cpu.max'), '50000 100000');
    assert.equal(await read(fs, 'kukeon/r/c/pids.max'), '32');
    assert.equal(await read(fs, 'kukeon/r/c/io.weight'), 'default 4950'); // 1 + (490*9999)/990
    assert.equal(r.resources.applied.length, 5);
  }));

test('already-enabled controllers are not written again; existing groups are kept', () =>
  withFake(['cpu', 'memory'], async (m, fs) => {
    await m.ensure('/kukeon/r', { subtreeControllers: 'resource' });
    await fs.setProcs(join(fs.root, 'kukeon/r'), []);
    const before = fs.writes.length;
    const again = await m.ensure('/kukeon/r', { subtreeControllers: 'resource' });
    assert.equal(again.created, false);
    assert.equal(fs.writes.length, before);
    assert.deepEqual(again.subtreeControllers, ['cpu', 'memory']);
  }));

test('a controller the kernel refuses is reported, not thrown (group with processes)', () =>
  withFake(['cpu', 'memory'], async (m, fs) => {
    await m.ensure('/kukeon/busy');
    await fs.setProcs(join(fs.root, 'kukeon/busy'), [4242]);
    const r = await m.ensure('/kukeon/busy', { subtreeControllers: 'resource' });
    assert.deepEqual(r.subtreeControllers, []);
    assert.deepEqual(r.failedControllers, ['cpu', 'memory']);
  }));

test('remove refuses while a process is inside (naming it), then removes bottom-up', () =>
  withFake(['cpu'], async (m, fs) => {
    await m.ensure('/kukeon/r/s/t/c', { subtreeControllers: 'resource' });
    await m.ensure('/kukeon/r/s/t/c/leaf');
    await m.ensure('/kukeon/r/s/other');
    await fs.setProcs(join(fs.root, 'kukeon/r/s/t/c/leaf'), [777, 778]);
    await assert.rejects(
      m.remove('/kukeon/r/s'),
      (e: unknown) =>
        e instanceof CgroupBusyError && hasCode(e, 'CGROUP_BUSY') && e.pids.join() === '777,778',
    );
    assert.equal((await m.exists('/kukeon/r/s/t/c/leaf')).exists, true, 'nothing removed on refusal');
    assert.deepEqual(await m.procs('/kukeon/r', { recursive: true }), [777, 778]);
    assert.deepEqual(await m.procs('/kukeon/r'), []);
    await fs.setProcs(join(fs.root, 'kukeon/r/s/t/c/leaf'), []);
    const res = await m.remove('/kukeon/r/s');
    assert.deepEqual(res, { groupPath: '/kukeon/r/s', existed: true, killed: [] });
    assert.deepEqual(await m.listChildren('/kukeon/r'), []);
    assert.deepEqual(await m.remove('/kukeon/r/s'), { groupPath: '/kukeon/r/s', existed: false, killed: [] });
  }));

test('forced remove kills what is inside', () =>
  withFake([], async (m, fs, killed) => {
    await m.ensure('/kukeon/x/y');
    const dir = join(fs.root, 'kukeon/x/y');
    await fs.setProcs(dir, [31337]);
    // the fake "process" leaves when killed
    const m2 = new CgroupV2Manager({
      cgroupRoot: 'kukeon',
      mountPath: fs.root,
      fs,
      killProcess: (pid) => {
        killed.push(pid);
        void fs.setProcs(dir, []);
      },
    });
    const res = await m2.remove('/kukeon/x', { force: true });
    assert.deepEqual(res.killed, [31337]);
    assert.deepEqual(killed, [31337]);
    assert.equal((await m.exists('/kukeon/x')).exists, false);
  }));

test('mutating calls refuse paths outside the kukeon root and malformed paths', () =>
  withFake(['cpu'], async (m) => {
    await assert.rejects(m.ensure('/system.slice/x'), (e) => hasCode(e, 'CGROUP_OUTSIDE_ROOT'));
    await assert.rejects(m.remove('/kukeonx'), (e) => hasCode(e, 'CGROUP_OUTSIDE_ROOT'));
    await assert.rejects(m.remove('/'), (e) => hasCode(e, 'CGROUP_INVALID_PATH'));
    await assert.rejects(m.ensure('/kukeon/../etc'), (e) => hasCode(e, 'CGROUP_INVALID_PATH'));
    await assert.rejects(m.ensure('kukeon/r'), (e) => hasCode(e, 'CGROUP_INVALID_PATH'));
  }));

test('ensureKukeonRoot creates once, then reports existing; delegates nothing', () =>
  withFake(['cpu', 'memory'], async (m, fs) => {
    assert.deepEqual(await m.ensureKukeonRoot(), {
      groupPath: '/kukeon',
      existedBefore: false,
      created: true,
    });
    assert.deepEqual(await m.ensureKukeonRoot(), {
      groupPath: '/kukeon',
      existedBefore: true,
      created: false,
    });
    assert.deepEqual(fs.writes, []);
  }));
