/**
 * Stop and delete grace periods end to end (issue 14 item 7): `kuke stop|restart --timeout`,
 * `kuke delete cell --force|--timeout`, `kuke delete stack --cascade --timeout`, and a container's
 * own `stopSignal` / `stopGracePeriodSeconds`, through the bundled `kuke` and a real kukeond.
 *
 * No clock is read: each workload writes the signals it receives into a host directory bind-mounted
 * at /shared and then never exits by itself, so a stop that returns was ended by SIGKILL after the
 * grace period, and the file tells which signal (if any) came first.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DaemonClient } from '../../src/client/daemon-client.js';
import type { AnyMethodName, MethodArgs, MethodReply } from '../../src/protocol/method-types.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { bundleSkip, kukeBundle, runKuke } from '../helpers/kuke-bundle.js';
import { startKukeond, waitFor, type KukeondChild } from '../helpers/kukeond-child.js';
import { b64, cellDoc, scopeYaml } from '../helpers/fault-docs.js';
import { testImages } from '../../scripts/make-test-images.js';

const bundle = kukeBundle;
const skip = bundleSkip;

/**
 * Records each of `signals` in /shared/<cell>.sig and keeps running (a handled signal interrupts
 * `wait`, the loop waits again) until /shared/<cell>.release exists.
 */
function recorder(cell: string, signals: string[]): string {
  const traps = signals.map((s) => `trap 'echo ${s} >> /shared/${cell}.sig' ${s}`).join('; ');
  return (
    `${traps}; touch /shared/${cell}.up; ` +
    `while [ ! -e /shared/${cell}.release ]; do sleep 0.2 & wait; done`
  );
}

describe('stop and delete grace periods', { skip }, () => {
  let env: RunnerEnv;
  let baseline: HostSnapshot;
  let daemon: KukeondChild;
  let client: DaemonClient;
  let kukeEnv: NodeJS.ProcessEnv;
  let shared = '';
  const R = `sg${process.pid}`;
  const at = { realm: R };
  const scope = ['--realm', R, '--space', 'web', '--stack', 'api'];
  const call = <M extends AnyMethodName>(m: M, a: MethodArgs<M>) =>
    client.call<MethodReply<M> & { Err: null }>(m, a);
  const kuke = (args: string[]) => runKuke(kukeEnv, args);
  const signalsOf = (cell: string): string => {
    const f = join(shared, `${cell}.sig`);
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  };
  const cellYaml = (
    name: string,
    signals: string[],
    own: { stopSignal?: string; stopGracePeriodSeconds?: number } = {},
    stack = 'api',
  ) =>
    `apiVersion: v1beta1\nkind: Cell\nmetadata:\n  name: ${name}\nspec:\n  realmId: ${R}\n` +
    `  spaceId: web\n  stackId: ${stack}\n  containers:\n` +
    `    - id: main\n      image: ${testImages().images.busybox.name}\n      command: sh\n` +
    `      args: ${JSON.stringify(['-c', recorder(name, signals)])}\n` +
    `      volumes:\n        - source: ${shared}\n          target: /shared\n` +
    (own.stopSignal ? `      stopSignal: ${own.stopSignal}\n` : '') +
    (own.stopGracePeriodSeconds !== undefined
      ? `      stopGracePeriodSeconds: ${own.stopGracePeriodSeconds}\n`
      : '');
  /** Applies a cell and waits until its workload has set its traps. */
  const startCell = async (yaml: string, name: string): Promise<void> => {
    const [r] = (await call('ApplyDocuments', { RawYAML: b64(yaml), Team: '' })).Result.Resources;
    assert.equal(r.action, 'created', JSON.stringify(r));
    await waitFor(`${name} up`, () => (existsSync(join(shared, `${name}.up`)) ? true : undefined), 60_000);
  };
  const state = async (name: string, stack = 'api') =>
    (await call('GetCell', cellDoc({ ...at, stack }, name))).Result;

  before(async () => {
    env = runnerEnv('stopgrace');
    baseline = snapshotHost(env.config);
    shared = join(env.dir, 'shared');
    mkdirSync(shared);
    daemon = await startKukeond(env.config, env.dir, '0');
    client = new DaemonClient({ socketPath: env.config.daemonSocket });
    kukeEnv = kukeClientEnv(env, { KUKEON_HOST: `unix://${env.config.daemonSocket}` });
    await call('ApplyDocuments', { RawYAML: b64(scopeYaml(R)), Team: '' });
    await call('LoadImage', { RealmName: R, Path: testImages().images.busybox.file });
  });

  after(async () => {
    client?.close();
    if (daemon?.alive()) await daemon.stop();
    await purgeAndCheckHost(env, baseline, [R]);
  });

  test('stop --timeout: SIGTERM, then SIGKILL once the given grace has passed', async () => {
    await startCell(cellYaml('st', ['TERM']), 'st');
    assert.deepEqual(kuke(['stop', 'st', ...scope, '--timeout', '500ms']), {
      code: 0,
      stdout: 'Stopped cell "st" from stack "api"\n',
      stderr: '',
    });
    assert.equal(signalsOf('st'), 'TERM\n');
    assert.equal((await state('st')).Cell.status?.state, 'Stopped');
    // restart takes it too: Started (from Stopped), then Restarted (stop with the grace, start).
    rmSync(join(shared, 'st.up'));
    assert.equal(
      kuke(['restart', 'st', ...scope, '--timeout', '1']).stdout,
      'Started cell "st" from stack "api"\n',
    );
    await waitFor('st up again', () => (existsSync(join(shared, 'st.up')) ? true : undefined), 60_000);
    assert.deepEqual(kuke(['restart', 'st', ...scope, '--timeout', '0.5']), {
      code: 0,
      stdout: 'Restarted cell "st" from stack "api"\n',
      stderr: '',
    });
    assert.equal(signalsOf('st'), 'TERM\nTERM\n');
    assert.equal(kuke(['delete', 'cell', 'st', ...scope, '--force']).code, 0);
  });

  test('a long --timeout waits for the workload: it exits by itself, not by SIGKILL', async () => {
    await startCell(cellYaml('long', ['TERM']), 'long');
    const stopping = new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [bundle, 'stop', 'long', ...scope, '--timeout', '1h'], {
        env: kukeEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.once('exit', (code: number | null) => resolve({ code, stdout }));
    });
    await waitFor('TERM received', () => (signalsOf('long') === 'TERM\n' ? true : undefined), 60_000);
    writeFileSync(join(shared, 'long.release'), '');
    assert.deepEqual(await stopping, { code: 0, stdout: 'Stopped cell "long" from stack "api"\n' });
    const main = (await state('long')).Cell.status?.containers?.find((c) => c.id === 'main');
    assert.notEqual(main?.exitSignal, 'SIGKILL', JSON.stringify(main));
    assert.equal(kuke(['delete', 'cell', 'long', ...scope]).code, 0);
  });

  test('delete cell --force: SIGKILL at once, the stop signal is never sent', async () => {
    await startCell(cellYaml('forced', ['TERM']), 'forced');
    assert.deepEqual(kuke(['delete', 'cell', 'forced', ...scope, '--force']), {
      code: 0,
      stdout: 'Deleted cell "forced" from stack "api"\n',
      stderr: '',
    });
    assert.equal(signalsOf('forced'), '');
    assert.equal((await state('forced')).MetadataExists, false);
  });

  test("a container's stopSignal and stopGracePeriodSeconds: delete sends that signal and waits that long", async () => {
    await startCell(
      cellYaml('own', ['TERM', 'USR1'], { stopSignal: 'SIGUSR1', stopGracePeriodSeconds: 1 }),
      'own',
    );
    assert.deepEqual(kuke(['delete', 'cell', 'own', ...scope]), {
      code: 0,
      stdout: 'Deleted cell "own" from stack "api"\n',
      stderr: '',
    });
    assert.equal(signalsOf('own'), 'USR1\n');
    // --timeout overrides the container's grace period, not its signal.
    await startCell(
      cellYaml('own2', ['TERM', 'QUIT'], { stopSignal: 'quit', stopGracePeriodSeconds: 3600 }),
      'own2',
    );
    assert.equal(kuke(['stop', 'own2', ...scope, '--timeout', '200ms']).code, 0);
    assert.equal(signalsOf('own2'), 'QUIT\n');
    assert.equal(kuke(['delete', 'cell', 'own2', ...scope, '--force']).code, 0);
  });

  test('delete stack --cascade --timeout: every cell gets its stop signal, then SIGKILL', async () => {
    await call('ApplyDocuments', {
      RawYAML: b64(
        `apiVersion: v1beta1\nkind: Stack\nmetadata:\n  name: casc\nspec:\n  realmId: ${R}\n  spaceId: web\n`,
      ),
      Team: '',
    });
    await startCell(cellYaml('c1', ['TERM'], {}, 'casc'), 'c1');
    await startCell(cellYaml('c2', ['TERM'], {}, 'casc'), 'c2');
    assert.deepEqual(
      kuke(['delete', 'stack', 'casc', '--realm', R, '--space', 'web', '--cascade', '--timeout', '1s']),
      {
        code: 0,
        stdout: 'Deleted stack "casc" from space "web"\n',
        stderr: '',
      },
    );
    assert.deepEqual([signalsOf('c1'), signalsOf('c2')], ['TERM\n', 'TERM\n']);
    assert.equal((await state('c1', 'casc')).MetadataExists, false);
  });

  test('bad values are refused before anything happens', async () => {
    const file = join(env.dir, 'bad.yaml');
    writeFileSync(file, cellYaml('bad', ['TERM'], { stopSignal: 'SIGNOPE' }));
    const applied = kuke(['apply', '-f', file]);
    assert.notEqual(applied.code, 0);
    assert.match(
      applied.stderr,
      /document 0 \(Cell "bad"\): container "main": stopSignal "SIGNOPE": not a signal; use a name such as SIGTERM, SIGINT or SIGQUIT, or a number from 1 to 64/,
    );
    writeFileSync(file, cellYaml('bad', ['TERM'], { stopGracePeriodSeconds: -2 }));
    assert.match(kuke(['apply', '-f', file]).stderr, /container "main": stopGracePeriodSeconds must be >= 0/);
    assert.equal((await state('bad')).MetadataExists, false);
    assert.deepEqual(kuke(['stop', 'bad', ...scope, '--timeout', 'soon']), {
      code: 1,
      stdout: '',
      stderr:
        'Error: --timeout: invalid duration "soon": use a duration such as 10s, 500ms or 1m30s, or a number of seconds\n',
    });
    assert.deepEqual(kuke(['delete', 'cell', 'bad', ...scope, '--force', '--timeout', '1s']), {
      code: 1,
      stdout: '',
      stderr: 'Error: --force kills at once and --timeout sets a grace period: give one of them\n',
    });
  });
});
