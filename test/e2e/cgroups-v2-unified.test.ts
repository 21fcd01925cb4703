// End to end: the cgroup v2 implementation, run on this hybrid host's real cgroup2 mount
// (/sys/fs/cgroup/unified, which offers no resource controllers).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import {
  CgroupBusyError,
  createCgroupManager,
  parseCgroupMounts,
  type CgroupManager,
} from '../../src/cgroups/index.js';

const rootName = `kukeon-test-${process.pid}-v2`;
const unified = '/sys/fs/cgroup/unified';
const isCgroup2 = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8')).some(
  (mnt) => mnt.version === 'v2' && mnt.mountPoint === unified,
);
const skip =
  process.getuid?.() !== 0
    ? 'needs root to create cgroups'
    : !isCgroup2
      ? `${unified} is not a cgroup2 mount here`
      : false;

let m: CgroupManager;
const children: ChildProcess[] = [];
const read = (path: string) => readFileSync(path, 'utf8').trim();
let rootSubtreeBefore = '';

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
  rootSubtreeBefore = read(`${unified}/cgroup.subtree_control`);
  m = await createCgroupManager({
    cgroupRoot: rootName,
    cgroupMount: '/sys/fs/cgroup',
    layout: { version: 'v2', mountPath: unified },
  });
});

after(async () => {
  if (skip) return;
  for (const c of children) await stop(c);
  await m.remove(`/${rootName}`, { force: true });
  assert.doesNotMatch(
    execFileSync('sh', ['-c', 'ls /sys/fs/cgroup/*/'], { encoding: 'utf8' }),
    new RegExp(rootName),
  );
  assert.equal(
    read(`${unified}/cgroup.subtree_control`),
    rootSubtreeBefore,
    'host root subtree_control untouched',
  );
});

test('ensure creates real cgroup2 directories (kernel files inside)', { skip }, async () => {
  assert.equal(m.version, 'v2');
  const path = `/${rootName}/r/s/t/c`;
  const r = await m.ensure(path);
  assert.equal(r.created, true);
  execFileSync('ls', ['-d', unified + path]);
  assert.ok(existsSync(`${unified}${path}/cgroup.controllers`), 'made by the kernel');
  assert.deepEqual(await m.exists(path), {
    groupPath: path,
    exists: true,
    partial: false,
    present: ['unified'],
    missing: [],
  });
  assert.deepEqual(await m.listChildren(`/${rootName}/r/s`), ['t']);
});

test(
  'subtree_control when nothing is offered: no controller, no error, nothing written',
  { skip },
  async () => {
    const offered = read(`${unified}/cgroup.controllers`).split(/\s+/);
    assert.ok(
      !offered.some((c) => ['cpu', 'memory', 'io', 'pids'].includes(c)),
      `unexpected: ${offered.join(' ')}`,
    );
    const path = `/${rootName}/delegating`;
    const r = await m.ensure(path, {
      subtreeControllers: 'resource',
      resources: { memoryLimitBytes: 1 << 26, pidsLimit: 8 },
    });
    assert.deepEqual(r.subtreeControllers, []);
    assert.deepEqual(r.failedControllers, []);
    assert.deepEqual(
      r.resources.skipped.map((s) => s.setting),
      ['memoryLimitBytes', 'pidsLimit'],
    );
    assert.equal(read(`${unified}${path}/cgroup.subtree_control`), '');
    assert.equal(read(`${unified}/cgroup.subtree_control`), rootSubtreeBefore);
  },
);

test('procs, and remove refusing while a process is inside, then succeeding', { skip }, async () => {
  const path = `/${rootName}/busy/cell`;
  await m.ensure(path);
  const child = sleeper();
  const pid = child.pid as number;
  writeFileSync(`${unified}${path}/cgroup.procs`, String(pid));
  assert.match(read(`/proc/${pid}/cgroup`), new RegExp(`^0::${path}$`, 'm'));
  assert.deepEqual(await m.procs(path), [pid]);
  assert.deepEqual(await m.procs(`/${rootName}/busy`), []);
  assert.deepEqual(await m.procs(`/${rootName}/busy`, { recursive: true }), [pid]);
  await assert.rejects(
    m.remove(`/${rootName}/busy`),
    (e: unknown) =>
      e instanceof CgroupBusyError &&
      e.pids.length === 1 &&
      e.pids[0] === pid &&
      e.message.includes(String(pid)),
  );
  execFileSync('ls', ['-d', unified + path]);
  await stop(child);
  assert.deepEqual(await m.remove(`/${rootName}/busy`), {
    groupPath: `/${rootName}/busy`,
    existed: true,
    killed: [],
  });
  assert.equal(existsSync(`${unified}/${rootName}/busy`), false);
});

test('forced remove (cgroup.kill where the kernel has it)', { skip }, async () => {
  const path = `/${rootName}/forced`;
  await m.ensure(path);
  const child = sleeper();
  const exited = once(child, 'exit');
  await m.addProcs(path, [child.pid as number]);
  const res = await m.remove(path, { force: true });
  assert.deepEqual(res.killed, [child.pid]);
  assert.equal((await exited)[1], 'SIGKILL');
  assert.equal(existsSync(unified + path), false);
});
