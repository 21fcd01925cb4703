import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runner } from '../../src/runner/runner.js';
import { listOurShims } from '../../src/runner/orphan-shims.js';
import { SHIM_GROUP_ANNOTATION } from '../../src/runner/oci/index.js';
import { realmNamespace } from '../../src/model/naming/index.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';

/**
 * The shim sweep on a real containerd. A real orphaned shim needs containerd to lose a task
 * create half-way (a crash inside containerd's own window), so the shims here are stand-ins: a
 * process whose name and command line are those of containerd-shim-runc-v2 serving our socket
 * (node under a symlink of that name, which is what /proc reports as its name).
 */
describe('ownership sweep: containerd shims serving nothing', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let shimBinary: string;
  const started: ChildProcess[] = [];

  const fakeShim = (namespace: string, id: string, withChild = false): ChildProcess => {
    const code = withChild
      ? "require('child_process').spawn('sleep',['600'],{stdio:'ignore'}); setInterval(()=>{},1e6)"
      : 'setInterval(()=>{},1e6)';
    const p = spawn(
      shimBinary,
      ['-e', code, '--', '-namespace', namespace, '-id', id, '-address', env.config.containerdSocket],
      // Its own process group, so the stand-in's child goes with it.
      { stdio: 'ignore', detached: true },
    );
    started.push(p);
    return p;
  };
  const alive = (p: ChildProcess): boolean => p.exitCode === null && p.signalCode === null;
  const waitListed = async (pid: number, children: number): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      const s = listOurShims(env.config.containerdSocket, env.config.namespaceSuffix).find(
        (x) => x.pid === pid,
      );
      if (s && s.liveChildren === children) return;
      await sleep(50);
    }
    assert.fail(`stand-in shim ${pid} never listed with ${children} children`);
  };

  before(async () => {
    env = runnerEnv('orphan-shims');
    runner = await Runner.open(env.config);
    shimBinary = join(env.dir, 'containerd-shim-runc-v2');
    symlinkSync(process.execPath, shimBinary);
  });

  after(async () => {
    for (const p of started) {
      try {
        process.kill(-p.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      for (const r of await runner.listRealms()) await runner.purgeRealm(r.metadata.name, { cascade: true });
      await runner.ctx.cgroups.remove(`/${env.config.cgroupRoot}`, { force: true });
    } finally {
      runner.close();
      env.cleanup();
    }
  });

  test('a shim of a namespace containerd no longer has is killed; one that still has a process is kept', async () => {
    const ns = `gone.${env.config.namespaceSuffix}`;
    const orphan = fakeShim(ns, 's_t_c1_root');
    const busy = fakeShim(ns, 's_t_c2_root', true);
    await waitListed(orphan.pid!, 0);
    await waitListed(busy.pid!, 1);
    const report = await runner.sweepOrphans();
    assert.deepEqual(report.shims, [`${ns}/s_t_c1_root (pid ${orphan.pid})`], JSON.stringify(report));
    await sleep(100);
    assert.equal(alive(orphan), false, 'the orphaned shim is gone');
    assert.equal(alive(busy), true, 'a shim whose containers still run is left alone');
  });

  test('a shim whose group a container record still names is kept; after that record goes, it is killed', async () => {
    // A realm whose namespace the sweep keeps, with a container record grouped into the shim.
    await runner.createRealm({
      metadata: { name: 'shims', labels: {} },
      spec: { namespace: '' },
      status: { state: 'Pending', cgroupPath: '' },
    });
    const ns = realmNamespace('shims', env.config.namespaceSuffix);
    await runner.ctx.containerd.containers.create(ns, {
      id: 's_t_c3_web',
      spec: { annotations: { [SHIM_GROUP_ANNOTATION]: 's_t_c3_root' } },
      snapshot_key: '',
    });
    const shim = fakeShim(ns, 's_t_c3_root');
    await waitListed(shim.pid!, 0);
    assert.deepEqual((await runner.sweepOrphans()).shims, []);
    assert.equal(alive(shim), true, 'kept while a container of its group is recorded');
    await runner.ctx.containerd.containers.delete(ns, 's_t_c3_web');
    assert.deepEqual((await runner.sweepOrphans()).shims, [`${ns}/s_t_c3_root (pid ${shim.pid})`]);
  });
});
