/**
 * Fault tolerance (issue 8, item 3): containerd restarts while cells run. A real kukeond child
 * process (reconcile interval 1 s) on a containerd this file owns alone; containerd is stopped
 * with SIGTERM (shims, hence tasks, survive, as on a real host), a workload exits while it is
 * down, containerd comes back. The daemon must keep serving throughout, must not crash, and must
 * report every cell's true state again within about two reconcile intervals.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonClient } from '../../src/client/daemon-client.js';
import type { AnyMethodName, MethodArgs, MethodReply } from '../../src/protocol/method-types.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { ctr } from '../helpers/containerd.js';
import { ownContainerdEnv } from '../helpers/fault-env.js';
import { startKukeond, waitFor, type KukeondChild } from '../helpers/kukeond-child.js';
import { b64, cellDoc, cellYaml, FOREVER, scopeYaml } from '../helpers/fault-docs.js';
import { testImages } from '../../scripts/make-test-images.js';

const INTERVAL_MS = 1000;

describe('fault: containerd restart while cells run', () => {
  const env = ownContainerdEnv('fault-ctd');
  const R = `fc${process.pid}`;
  const at = { realm: R };
  const ns = `${R}.${env.config.namespaceSuffix}`;
  let baseline: HostSnapshot;
  let daemon: KukeondChild;
  let client: DaemonClient;
  const call = <M extends AnyMethodName>(m: M, a: MethodArgs<M>) =>
    client.call<MethodReply<M> & { Err: null }>(m, a);
  const tasks = (): Map<string, { pid: number; status: string }> => {
    const out = new Map<string, { pid: number; status: string }>();
    for (const line of ctr(env.config.containerdSocket, ['tasks', 'ls'], ns).split('\n').slice(1)) {
      const [id, pid, status] = line.trim().split(/\s+/);
      if (id) out.set(id, { pid: Number(pid), status });
    }
    return out;
  };

  before(async () => {
    baseline = snapshotHost(env.config);
    daemon = await startKukeond(env.config, env.dir, `${INTERVAL_MS}ms`, ['--sweep-every', '3']);
    client = new DaemonClient({ socketPath: env.config.daemonSocket });
  });

  after(async () => {
    client?.close();
    if (daemon?.alive()) await daemon.stop();
    await purgeAndCheckHost(env, baseline);
  });

  test('the daemon keeps serving while containerd is down and reports true states after it returns', async () => {
    const img = testImages().images.busybox;
    await call('ApplyDocuments', { RawYAML: b64(scopeYaml(R)), Team: '' });
    await call('LoadImage', { RealmName: R, Path: img.file });
    // `brief` exits 3 when the host drops /tmp/go into its root filesystem: deterministic timing.
    const brief = 'while [ ! -e /tmp/go ]; do sleep 0.1; done; exit 3';
    const applied = await call('ApplyDocuments', {
      RawYAML: b64(
        [cellYaml(at, 'steady', img.name, FOREVER), cellYaml(at, 'brief', img.name, brief)].join('---\n'),
      ),
      Team: '',
    });
    assert.deepEqual(
      applied.Result.Resources.map((r) => `${r.name} ${r.action}`),
      ['steady created', 'brief created'],
    );
    for (const c of ['steady', 'brief']) {
      assert.equal((await call('GetCell', cellDoc(at, c))).Result.Cell.status?.state, 'Ready');
    }
    const before = tasks();
    const briefTask = before.get(`web_api_brief_main`);
    assert.ok(briefTask && briefTask.status === 'RUNNING', JSON.stringify([...before]));
    assert.equal([...before.values()].filter((t) => t.status === 'RUNNING').length, 4);

    // containerd down (shims survive); the brief workload ends while nobody is watching.
    await env.containerd.kill();
    writeFileSync(join(`/proc/${briefTask.pid}/root`, 'tmp', 'go'), '');
    const downFor = 3 * INTERVAL_MS;
    const t0 = Date.now();
    const pings: boolean[] = [];
    const getErrors: string[] = [];
    while (Date.now() - t0 < downFor) {
      pings.push((await call('Ping', {})).OK);
      try {
        await call('GetCell', cellDoc(at, 'steady'));
      } catch (err) {
        getErrors.push(String(err));
      }
      await sleep(300);
    }
    assert.ok(daemon.alive(), `the daemon survived containerd's absence: ${daemon.output().slice(-2000)}`);
    assert.ok(pings.length > 0 && pings.every(Boolean), 'Ping answered throughout the outage');
    // While containerd is gone a GetCell either answers from metadata or fails with a clean error.
    for (const e of getErrors) assert.doesNotMatch(e, /ECONNRESET|socket hang up|EPIPE/);
    process.stderr.write(
      `# containerd down: ${pings.length} pings ok, GetCell failed ${getErrors.length}x` +
        `${getErrors[0] ? ` (${getErrors[0].slice(0, 200)})` : ''}\n`,
    );

    env.containerd.start();
    const back = Date.now();
    const { ms } = await waitFor(
      'true cell states after the restart',
      async () => {
        const steady = (await call('GetCell', cellDoc(at, 'steady'))).Result;
        const briefCell = (await call('GetCell', cellDoc(at, 'brief'))).Result;
        return steady.Cell.status?.state === 'Ready' &&
          steady.RootContainerTaskRunning &&
          briefCell.Cell.status?.state === 'Error'
          ? { steady, brief: briefCell }
          : undefined;
      },
      10 * INTERVAL_MS,
    );
    const recoveredMs = Date.now() - back;
    const briefCell = (await call('GetCell', cellDoc(at, 'brief'))).Result.Cell;
    assert.equal(briefCell.status?.reason, 'WorkloadFailed');
    assert.equal(briefCell.status?.message, 'container "main" exited with code 3');
    const main = briefCell.status?.containers?.find((c) => c.id === 'main');
    assert.equal(main?.exitCode, 3);
    // "Within about two reconcile intervals" (a tick plus the one in flight), with slack for a
    // loaded 2-core machine.
    assert.ok(recoveredMs <= 2 * INTERVAL_MS + 2000, `true states after ${recoveredMs} ms (probe ${ms} ms)`);
    process.stderr.write(`# containerd restart: true states ${recoveredMs} ms after containerd was back\n`);

    // The host agrees: steady's two tasks run; brief's workload stopped with 3, its root still runs.
    const after = tasks();
    assert.equal(after.get('web_api_steady_root')?.status, 'RUNNING');
    assert.equal(after.get('web_api_steady_main')?.status, 'RUNNING');
    assert.equal(after.get('web_api_brief_main')?.status, 'STOPPED');
    assert.ok(daemon.alive());
    assert.match(daemon.output(), /reconcile ok/);
    assert.equal((await call('Ping', {})).OK, true);

    // The daemon still drives containerd: stop and delete work after the restart.
    const stopped = await call('StopCell', cellDoc(at, 'steady'));
    assert.equal(stopped.Result.Cell.status?.state, 'Stopped');
    const dd = await call('DeleteDocuments', {
      RawYAML: b64(
        [cellYaml(at, 'steady', img.name, FOREVER), cellYaml(at, 'brief', img.name, brief)].join('---\n'),
      ),
      Cascade: false,
      Force: false,
    });
    assert.deepEqual(dd.Result.Resources.map((r) => `${r.name} ${r.action}`).sort(), [
      'brief deleted',
      'steady deleted',
    ]);
    assert.equal(tasks().size, 0);
    await call('DeleteRealm', {
      Doc: { apiVersion: 'v1beta1', kind: 'Realm', metadata: { name: R }, spec: {} },
      Force: false,
      Cascade: true,
    });
    client.close();
    assert.equal((await daemon.stop()).code, 0, daemon.output().slice(-2000));
  });

  test('containerd restarted with its shims killed (all tasks gone): cells reported down, StartCell recovers', async () => {
    daemon = await startKukeond(env.config, env.dir, `${INTERVAL_MS}ms`, ['--sweep-every', '3']);
    client = new DaemonClient({ socketPath: env.config.daemonSocket });
    const img = testImages().images.busybox;
    await call('ApplyDocuments', { RawYAML: b64(scopeYaml(R)), Team: '' });
    await call('LoadImage', { RealmName: R, Path: img.file });
    const cells = ['s1', 's2'];
    await call('ApplyDocuments', {
      RawYAML: b64(cells.map((c) => cellYaml(at, c, img.name, FOREVER)).join('---\n')),
      Team: '',
    });
    assert.equal([...tasks().values()].filter((t) => t.status === 'RUNNING').length, 4);
    // The harness stop kills containerd and every shim: like a crash of the whole runtime.
    env.containerd.restart();
    const back = Date.now();
    const { value } = await waitFor(
      'cells reported down',
      async () => {
        const got = await Promise.all(cells.map(async (c) => (await call('GetCell', cellDoc(at, c))).Result));
        return got.every((g) => g.Cell.status?.state !== 'Ready' && !g.RootContainerTaskRunning)
          ? got
          : undefined;
      },
      10 * INTERVAL_MS,
    );
    const downMs = Date.now() - back;
    process.stderr.write(
      `# containerd + shims killed: cells reported ${value.map((g) => g.Cell.status?.state).join('/')} ` +
        `${downMs} ms after containerd was back\n`,
    );
    assert.ok(downMs <= 2 * INTERVAL_MS + 2000, `reported down after ${downMs} ms`);
    assert.ok(daemon.alive(), daemon.output().slice(-2000));
    for (const c of cells) {
      const st = await call('StartCell', cellDoc(at, c));
      assert.equal(st.Result.Cell.status?.state, 'Ready', `StartCell ${c}`);
    }
    assert.equal([...tasks().values()].filter((t) => t.status === 'RUNNING').length, 4);
    await call('DeleteRealm', {
      Doc: { apiVersion: 'v1beta1', kind: 'Realm', metadata: { name: R }, spec: {} },
      Force: false,
      Cascade: true,
    });
    client.close();
    assert.equal((await daemon.stop()).code, 0, daemon.output().slice(-2000));
  });

  test('tasks that vanished with their shims are not reported as a clean exit', async () => {
    daemon = await startKukeond(env.config, env.dir, `${INTERVAL_MS}ms`, ['--sweep-every', '3']);
    client = new DaemonClient({ socketPath: env.config.daemonSocket });
    const img = testImages().images.busybox;
    try {
      await call('ApplyDocuments', { RawYAML: b64(scopeYaml(R)), Team: '' });
      await call('LoadImage', { RealmName: R, Path: img.file });
      await call('ApplyDocuments', { RawYAML: b64(cellYaml(at, 'v1', img.name, FOREVER)), Team: '' });
      env.containerd.restart();
      const { value } = await waitFor(
        'v1 reported down',
        async () => {
          const g = (await call('GetCell', cellDoc(at, 'v1'))).Result;
          return g.Cell.status?.state !== 'Ready' ? g.Cell.status?.state : undefined;
        },
        10 * INTERVAL_MS,
      );
      assert.notEqual(value, 'Exited', 'a vanished task is not a clean exit');
    } finally {
      await call('DeleteRealm', {
        Doc: { apiVersion: 'v1beta1', kind: 'Realm', metadata: { name: R }, spec: {} },
        Force: false,
        Cascade: true,
      }).catch(() => undefined);
      client.close();
      await daemon.stop();
    }
  });
});
