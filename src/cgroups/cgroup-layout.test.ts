import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../errors.js';
import { layoutFromMountinfo } from './cgroup-layout.js';
import { createCgroupManager } from './create-cgroup-manager.js';

// This machine's layout (hybrid: v1 controllers, name=systemd, controller-less unified).
const HYBRID = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/x,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
50 31 0:39 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
51 23 0:40 / /mnt/other rw,relatime - cgroup cgroup rw,devices
52 31 0:41 /sub /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
`;

const UNIFIED = `25 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

test('hybrid host: every v1 hierarchy, name=systemd and unified, under the configured mount only', () => {
  const layout = layoutFromMountinfo(HYBRID, '/sys/fs/cgroup/');
  assert.equal(layout.version, 'v1');
  assert.ok(layout.version === 'v1');
  assert.deepEqual(
    layout.hierarchies.map((h) => [h.name, h.mountPath, h.controllers.join(',')]),
    [
      ['cpu', '/sys/fs/cgroup/cpu', 'cpu'],
      ['cpuacct', '/sys/fs/cgroup/cpuacct', 'cpuacct'],
      ['cpuset', '/sys/fs/cgroup/cpuset', 'cpuset'],
      ['memory', '/sys/fs/cgroup/memory', 'memory'],
      ['pids', '/sys/fs/cgroup/pids', 'pids'],
      ['name=systemd', '/sys/fs/cgroup/systemd', ''],
      ['unified', '/sys/fs/cgroup/unified', ''],
      ['cpu,cpuacct', '/sys/fs/cgroup/cpu,cpuacct', 'cpu,cpuacct'],
    ],
  );
});

test('unified host: v2 at the mount', () => {
  assert.deepEqual(layoutFromMountinfo(UNIFIED, '/sys/fs/cgroup'), {
    version: 'v2',
    mountPath: '/sys/fs/cgroup',
  });
});

test('no cgroup filesystem: typed error', () => {
  assert.throws(
    () => layoutFromMountinfo('31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n', '/sys/fs/cgroup'),
    (e) => hasCode(e, 'CGROUP_UNAVAILABLE'),
  );
  // a unified mount alone below the base is not enough to call it v1
  assert.throws(
    () =>
      layoutFromMountinfo('41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n', '/sys/fs/cgroup'),
    (e) => hasCode(e, 'CGROUP_UNAVAILABLE'),
  );
});

test('the factory picks the implementation from the (injected) mountinfo', async () => {
  const v2 = await createCgroupManager({
    cgroupRoot: 'kukeon',
    cgroupMount: '/sys/fs/cgroup',
    mountinfo: UNIFIED,
  });
  assert.equal(v2.version, 'v2');
  const v1 = await createCgroupManager({
    cgroupRoot: '/kukeon/',
    cgroupMount: '/sys/fs/cgroup',
    mountinfo: HYBRID,
  });
  assert.equal(v1.version, 'v1');
  assert.equal(v1.rootGroup, '/kukeon');
  assert.equal(v1.hierarchies().length, 8);
});
