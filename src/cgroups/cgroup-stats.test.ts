import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeCgroupFs } from './cgroup-fs.js';
import { readV1Stats, readV2Stats } from './cgroup-stats.js';

async function files(dir: string, content: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [k, v] of Object.entries(content)) await writeFile(join(dir, k), v);
}

test('v2: cpu.stat, memory.current minus inactive_file, memory.max, oom_kill, pids', async () => {
  const root = await mkdtemp(join(tmpdir(), 'kukeon-stats-'));
  try {
    await files(root, {
      'cpu.stat': 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n',
      'memory.current': '10485760\n',
      'memory.stat': 'anon 8388608\nfile 2097152\ninactive_file 1048576\n',
      'memory.max': '33554432\n',
      'memory.events': 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n',
      'pids.current': '4\n',
    });
    assert.deepEqual(await readV2Stats(nodeCgroupFs, root), {
      cpuUsageNs: 1_500_000,
      memoryBytes: 9_437_184,
      memoryLimitBytes: 33_554_432,
      oomKills: 1,
      pids: 4,
    });
    await writeFile(join(root, 'memory.max'), 'max\n');
    assert.equal((await readV2Stats(nodeCgroupFs, root))?.memoryLimitBytes, undefined, 'unlimited');
    assert.equal(await readV2Stats(nodeCgroupFs, join(root, 'gone')), undefined);
  } finally {
    await rm(root, { recursive: true });
  }
});

test('v1: cpuacct.usage, memory usage minus total_inactive_file, limit, oom_control, pids', async () => {
  const root = await mkdtemp(join(tmpdir(), 'kukeon-stats-'));
  try {
    await files(join(root, 'cpuacct/g'), { 'cpuacct.usage': '2000000\n' });
    await files(join(root, 'memory/g'), {
      'memory.usage_in_bytes': '4194304\n',
      'memory.stat': 'cache 0\ntotal_inactive_file 194304\n',
      'memory.limit_in_bytes': '9223372036854771712\n',
      'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
    });
    await files(join(root, 'pids/g'), { 'pids.current': '1\n' });
    const dirs = { cpu: join(root, 'cpuacct/g'), memory: join(root, 'memory/g'), pids: join(root, 'pids/g') };
    assert.deepEqual(await readV1Stats(nodeCgroupFs, dirs), {
      cpuUsageNs: 2_000_000,
      memoryBytes: 4_000_000,
      oomKills: 2,
      pids: 1,
    });
    assert.equal(await readV1Stats(nodeCgroupFs, { memory: join(root, 'memory/none') }), undefined);
  } finally {
    await rm(root, { recursive: true });
  }
});
