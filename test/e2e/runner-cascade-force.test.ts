// A space deleted with its cells, `--force`: what each cell's delete does on the host before the
// space's own teardown (docs/cni.md "Detaching", docs/runner-design.md "Ending tasks at once").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runner } from '../../src/runner/runner.js';
import { deleteStackLocked } from '../../src/runner/stack/delete-stack.js';
import { spaceNetworkRef } from '../../src/cni/index.js';
import { networkIpamDir } from '../../src/cni/ipam-leases.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { realmCtr } from '../helpers/realm-ctr.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { cellModel, containerModel, provisionStack } from '../helpers/cell-docs.js';
import { testImages } from '../../scripts/make-test-images.js';

const at = { realm: 'r', space: 's', stack: 't' };
const SLEEP = ['-c', 'sleep 3600 & sleep 3600; wait'];

describe('runner: a space cascade with --force', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let image: string;
  let ns: string;
  let baseline: HostSnapshot;

  const { ctr, pidOf } = realmCtr(
    () => env,
    () => ns,
  );
  /** The pids of a task's cgroup (every process of the container, not only its init). */
  const processesOf = (containerdId: string): number[] => {
    const pid = pidOf(containerdId);
    const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .find((l) => l.includes(':pids:') || l.startsWith('0::'));
    const path = cgroup!.split(':')[2];
    const base = cgroup!.startsWith('0::') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/pids';
    return readFileSync(join(base, path, 'cgroup.procs'), 'utf8')
      .trim()
      .split('\n')
      .map(Number);
  };
  const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);

  before(async () => {
    env = runnerEnv('runner-cascade');
    baseline = snapshotHost(env.config);
    runner = await Runner.open(env.config);
    const img = testImages().images.busybox;
    await provisionStack(runner, at, [img.file]);
    image = img.name;
    ns = `${at.realm}.${env.config.namespaceSuffix}`;
  });

  after(async () => {
    runner.close();
    await purgeAndCheckHost(env, baseline);
  });

  test('each cell ends every process, frees its address and cache entry before the network goes; a hostPID workload too', async () => {
    const names = ['a', 'b', 'c'];
    for (const name of names) {
      const workloads = [containerModel('w', image, { command: 'sh', args: SLEEP })];
      // One cell's workload shares the host's PID namespace: its SIGKILL must go through containerd.
      if (name === 'c')
        workloads.push(containerModel('h', image, { command: 'sh', args: SLEEP, hostPID: true }));
      const created = await runner.createCell(cellModel(at, name, workloads));
      await runner.startCell(created.cell);
    }
    const net = spaceNetworkRef(runner.ctx.cni, at.realm, at.space);
    const leaseDir = networkIpamDir(runner.ctx.cni.ipamDir, net.networkName);
    const leases = (): string[] => readdirSync(leaseDir).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
    assert.equal(leases().length, 3, 'one address per cell');
    const procs = ['s_t_a_w', 's_t_b_root', 's_t_c_w', 's_t_c_h'].flatMap(processesOf);
    assert.ok(procs.length >= 8, `each workload runs two processes (${procs.length})`);

    // The cells of the stack, as a space's cascade deletes them (the network goes next).
    await deleteStackLocked(runner.ctx, at.realm, at.space, at.stack, {
      cascade: true,
      graceMs: 0,
      networkGoing: true,
      tolerateMissing: false,
    });
    assert.deepEqual(
      procs.filter(alive),
      [],
      'no process of any container is left (a namespace ends with its init; hostPID through runc)',
    );
    assert.deepEqual(leases(), [], 'every address was released by hand, before the space teardown');
    const cache = join(runner.ctx.cni.cacheDir, 'results');
    assert.deepEqual(
      existsSync(cache) ? readdirSync(cache).filter((f) => f.startsWith(net.networkName)) : [],
      [],
      'no cache entry is left',
    );
    assert.equal(ctr('containers', 'ls', '-q').trim(), '', 'no container record is left');
    const veths = execFileSync('ip', ['-br', 'link', 'show', 'master', net.bridgeName], { encoding: 'utf8' });
    assert.equal(veths.trim(), '', 'the veths went with the network namespaces');

    // The space's own delete then tears the network down and leaves nothing.
    await runner.deleteRealm(at.realm, { cascade: true });
    assert.equal(existsSync(leaseDir), false, 'the IPAM directory went with the space');
  });
});
