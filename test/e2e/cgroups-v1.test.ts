// End to end: the v1/hybrid cgroup manager on this host's real hierarchies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import {
  CgroupBusyError,
  createCgroupManager,
  detectCgroupLayout,
  type CgroupManager,
} from '../../src/cgroups/index.js';
import { defaultHostConfig } from '../../src/config.js';

const rootName = `kukeon-test-${process.pid}-v1`;
const mount = defaultHostConfig.cgroupMount;
const layout = await detectCgroupLayout({ cgroupMount: mount }).catch(() => undefined);
const skip =
  process.getuid?.() !== 0
    ? 'needs root to create cgroups'
    : layout?.version !== 'v1'
      ? `host cgroup layout is not v1/hybrid (${layout?.version ?? 'none'})`
      : false;

let m: CgroupManager;
const children: ChildProcess[] = [];

/** Every entry of every hierarchy root, as `ls` sees it. */
const lsAll = () => execFileSync('sh', ['-c', `ls ${mount}/*/`], { encoding: 'utf8' });
const read = (path: string) => readFileSync(path, 'utf8').trim();

function sleeper(): ChildProcess {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

before(async () => {
  if (skip) return;
  m = await createCgroupManager({ cgroupRoot: rootName, cgroupMount: mount });
});

after(async () => {
  if (skip) return;
  for (const c of children) await stop(c);
  await m.remove(`/${rootName}`, { force: true });
  assert.doesNotMatch(lsAll(), new RegExp(rootName), 'no trace left in any hierarchy');
});

test('detects the hybrid layout: every v1 hierarchy, name=systemd and unified', { skip }, () => {
  const names = m.hierarchies().map((h) => h.name);
  for (const n of ['cpu', 'cpuset', 'memory', 'pids', 'name=systemd', 'unified'])
    assert.ok(names.includes(n), n);
  assert.equal(m.version, 'v1');
});

test('ensureKukeonRoot creates the root in every hierarchy, once', { skip }, async () => {
  assert.deepEqual(await m.ensureKukeonRoot(), {
    groupPath: `/${rootName}`,
    existedBefore: false,
    created: true,
  });
  assert.deepEqual(await m.ensureKukeonRoot(), {
    groupPath: `/${rootName}`,
    existedBefore: true,
    created: false,
  });
  for (const h of m.hierarchies()) {
    assert.equal(
      execFileSync('ls', ['-d', `${h.mountPath}/${rootName}`], { encoding: 'utf8' }).trim(),
      `${h.mountPath}/${rootName}`,
    );
  }
});

test('ensure creates a deep group in every hierarchy; cpuset inherits cpus/mems', { skip }, async () => {
  const path = `/${rootName}/default/default/default/hello-world`;
  const r = await m.ensure(path, { subtreeControllers: 'resource' });
  assert.equal(r.created, true);
  assert.deepEqual(r.subtreeControllers, ['cpu', 'io', 'memory', 'pids']);
  for (const h of m.hierarchies()) {
    execFileSync('ls', ['-d', h.mountPath + path]); // throws when missing
  }
  assert.deepEqual(await m.exists(path), {
    groupPath: path,
    exists: true,
    partial: false,
    present: m.hierarchies().map((h) => h.name),
    missing: [],
  });
  const cpus = read(`${mount}/cpuset/cpuset.cpus`);
  assert.notEqual(cpus, '');
  assert.equal(read(`${mount}/cpuset${path}/cpuset.cpus`), cpus);
  assert.equal(read(`${mount}/cpuset${path}/cpuset.mems`), read(`${mount}/cpuset/cpuset.mems`));
  assert.deepEqual(await m.listChildren(`/${rootName}/default/default`), ['default']);
});

test('resource settings land in the v1 files', { skip }, async () => {
  const path = `/${rootName}/res/c`;
  const r = await m.ensure(path, {
    resources: { memoryLimitBytes: 64 * 1024 * 1024, cpuShares: 512, cpuQuotaUs: 50000, pidsLimit: 32 },
  });
  assert.deepEqual(r.resources.skipped, []);
  assert.equal(read(`${mount}/memory${path}/memory.limit_in_bytes`), String(64 * 1024 * 1024));
  assert.equal(read(`${mount}/cpu${path}/cpu.shares`), '512');
  assert.equal(read(`${mount}/cpu${path}/cpu.cfs_quota_us`), '50000');
  assert.equal(read(`${mount}/cpu${path}/cpu.cfs_period_us`), '100000');
  assert.equal(read(`${mount}/pids${path}/pids.max`), '32');
  // changing a setting later
  await m.setResources(path, { pidsLimit: 64 });
  assert.equal(read(`${mount}/pids${path}/pids.max`), '64');
});

test('partial presence is reported and repaired by ensure', { skip }, async () => {
  const path = `/${rootName}/partial`;
  await m.ensure(path);
  rmdirSync(`${mount}/freezer${path}`);
  const p = await m.exists(path);
  assert.equal(p.exists, false);
  assert.equal(p.partial, true);
  assert.deepEqual(p.missing, ['freezer']);
  await m.ensure(path);
  assert.equal((await m.exists(path)).exists, true);
});

test(
  'remove refuses while a process is inside and names it, then succeeds after it exits',
  { skip },
  async () => {
    const path = `/${rootName}/busy/cell`;
    await m.ensure(path);
    const child = sleeper();
    const pid = child.pid as number;
    // moved by hand, as a container runtime would, into two of the hierarchies
    writeFileSync(`${mount}/pids${path}/cgroup.procs`, String(pid));
    writeFileSync(`${mount}/cpuset${path}/cgroup.procs`, String(pid));
    assert.match(read(`/proc/${pid}/cgroup`), new RegExp(`pids:${path}$`, 'm'));
    assert.deepEqual(await m.procs(path), [pid]);
    assert.deepEqual(await m.procs(`/${rootName}/busy`, { recursive: true }), [pid]);
    await assert.rejects(
      m.remove(`/${rootName}/busy`),
      (e: unknown) =>
        e instanceof CgroupBusyError &&
        e.code === 'CGROUP_BUSY' &&
        e.pids.includes(pid) &&
        e.message.includes(String(pid)),
    );
    assert.equal((await m.exists(path)).exists, true, 'refusal removed nothing');
    await stop(child);
    const res = await m.remove(`/${rootName}/busy`);
    assert.equal(res.existed, true);
    assert.deepEqual(res.killed, []);
    assert.equal((await m.exists(`/${rootName}/busy`)).present.length, 0);
    assert.doesNotMatch(
      execFileSync('sh', ['-c', `ls ${mount}/*/${rootName}/`], { encoding: 'utf8' }),
      /busy/,
    );
    assert.deepEqual(await m.remove(`/${rootName}/busy`), {
      groupPath: `/${rootName}/busy`,
      existed: false,
      killed: [],
    });
  },
);

test('forced remove kills the processes inside', { skip }, async () => {
  const path = `/${rootName}/forced`;
  await m.ensure(path);
  const child = sleeper();
  const exited = once(child, 'exit');
  await m.addProcs(path, [child.pid as number]);
  const res = await m.remove(path, { force: true });
  assert.deepEqual(res.killed, [child.pid]);
  const [, signal] = await exited;
  assert.equal(signal, 'SIGKILL');
  assert.equal((await m.exists(path)).present.length, 0);
});

test('mutations outside the kukeon root are refused', { skip }, async () => {
  await assert.rejects(
    m.remove('/system.slice'),
    (e: Error & { code?: string }) => e.code === 'CGROUP_OUTSIDE_ROOT',
  );
});
