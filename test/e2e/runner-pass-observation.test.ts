import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runner } from '../../src/runner/runner.js';
import { PassObservations } from '../../src/runner/cell/pass-observation.js';
import { reconcileCell, RestartBook } from '../../src/runner/cell/reconcile-cell.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { cellModel, containerModel, provisionStack } from '../helpers/cell-docs.js';
import { testImages } from '../../scripts/make-test-images.js';

const at = { realm: 'po', space: 's', stack: 't' };
const SCRIPT = 'trap "exit 0" TERM; sleep 3600 & wait';

describe('runner: a reconcile pass reuses its listing until containerd reports a change', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let baseline: HostSnapshot;
  let image: string;
  let ns: string;
  let passes: PassObservations;

  const ctr = (...args: string[]): string =>
    execFileSync('ctr', ['--address', env.config.containerdSocket, '--namespace', ns, ...args], {
      encoding: 'utf8',
    });
  /** Events arrive asynchronously: wait (bounded) until the kept listing was dropped. */
  const untilDropped = async (): Promise<void> => {
    for (let i = 0; i < 100 && passes.holds(ns); i++) await sleep(20);
    assert.equal(passes.holds(ns), false, 'the event dropped the kept listing');
  };

  before(async () => {
    env = runnerEnv('runner-pass-obs');
    runner = await Runner.open(env.config);
    const img = testImages().images.busybox;
    await provisionStack(runner, at, [img.file]);
    image = img.name;
    ns = `${at.realm}.${env.config.namespaceSuffix}`;
    baseline = snapshotHost(env.config);
    passes = new PassObservations(runner.ctx);
  });

  after(async () => {
    try {
      passes.close();
      assert.equal(passes.holds(ns), false);
      for (const r of await runner.listRealms()) await runner.purgeRealm(r.metadata.name, { cascade: true });
      await runner.ctx.cgroups.remove(`/${env.config.cgroupRoot}`, { force: true });
      const now = snapshotHost(env.config);
      for (const k of ['namespaces', 'cgroups', 'links', 'ipam', 'chains', 'metadata', 'journal'] as const) {
        assert.deepEqual(
          now[k].filter((x) => !baseline[k].includes(x)),
          [],
          `no ${k} left behind`,
        );
      }
      assert.ok(!now.namespaces.includes(ns), 'the realm namespace is gone');
    } finally {
      runner.close();
      env.cleanup();
    }
  });

  test('kept while nothing changes; an outside kill drops it and the next pass sees the kill', async () => {
    const cell = cellModel(at, 'a', [containerModel('w', image, { command: 'sh', args: ['-c', SCRIPT] })]);
    await runner.createCell(cell);
    assert.equal((await runner.startCell(cell)).status.state, 'Ready');
    const ref = runner.cellRef({ ...at, name: 'a' });
    const book = new RestartBook();

    const first = await passes.observe(ns);
    // The start's own task events may still be arriving: list until one listing is kept.
    let kept = first;
    for (let i = 0; i < 50 && !passes.holds(ns); i++) {
      await sleep(20);
      kept = await passes.observe(ns);
    }
    assert.equal(passes.holds(ns), true, 'a listing is kept once the events settled');
    assert.equal(await passes.observe(ns), kept, 'the next pass reuses it');
    // A caller that learned of a change elsewhere drops it: the next pass lists again.
    passes.invalidate(ns);
    assert.equal(passes.holds(ns), false);
    const relisted = await passes.observe(ns);
    assert.notEqual(relisted, kept);
    kept = relisted;
    assert.equal((await reconcileCell(runner.ctx, ref, book, kept)).cell?.status.state, 'Ready');

    ctr('tasks', 'kill', '--signal', 'SIGKILL', 's_t_a_w');
    await untilDropped();
    const fresh = await passes.observe(ns);
    assert.notEqual(fresh, kept);
    assert.equal(fresh.tasks.get('s_t_a_w')?.status, 'STOPPED');
    const r = await reconcileCell(runner.ctx, ref, book, fresh);
    assert.equal(r.cell?.status.containers.find((c) => c.id === 'w')?.state, 'Stopped');
    await runner.deleteCell(cell);
  });

  test('a kept listing older than a cell write is not trusted for that cell (a stop of ours)', async () => {
    const cell = cellModel(at, 'b', [containerModel('w', image, { command: 'sh', args: ['-c', SCRIPT] })]);
    await runner.createCell(cell);
    await runner.startCell(cell);
    const ref = runner.cellRef({ ...at, name: 'b' });
    let kept = await passes.observe(ns);
    for (let i = 0; i < 50 && !passes.holds(ns); i++) {
      await sleep(20);
      kept = await passes.observe(ns);
    }
    assert.equal(kept.tasks.get('s_t_b_w')?.status, 'RUNNING');
    await runner.stopCell(cell);
    // The kept listing still shows the workload running; the cell was written after it.
    const r = await reconcileCell(runner.ctx, ref, new RestartBook(), kept);
    assert.equal(r.cell?.status.state, 'Stopped');
    await untilDropped();
    await runner.deleteCell(cell);
  });
});
