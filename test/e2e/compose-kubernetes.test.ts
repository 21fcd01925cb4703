/**
 * `kuke import compose` and `kuke export --format kubernetes` on real engines (docs/convert.md):
 * the bundled kuke against a real kukeond on a private containerd.
 *
 * - Import: a Compose file whose translation applies on this build (env in both forms and from
 *   an env file, entrypoint + command, a bind-mounted file, tmpfs, memory and pids limits, user,
 *   working dir) is imported, applied, and the workloads print what the Compose file says.
 * - Export: a running two-container cell is exported, played with `podman kube play` in a
 *   private podman storage holding the test image (nothing from a registry), and its workloads
 *   print the same lines (env, files) as in the cell; then `podman kube down`, and nothing is left.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DaemonClient } from '../../src/client/daemon-client.js';
import type { AnyMethodName, MethodArgs, MethodReply } from '../../src/protocol/method-types.js';
import { appliesToday } from '../../src/convert/compose/testdata/compose-fixtures.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { startKukeond, waitFor, type KukeondChild } from '../helpers/kukeond-child.js';
import { b64, scopeYaml } from '../helpers/fault-docs.js';
import { hasPodman, PrivatePodman } from '../helpers/private-podman.js';
import { cgroupFile } from '../helpers/cgroup-file.js';
import { ctr } from '../helpers/containerd.js';
import { bundleSkip, runKuke } from '../helpers/kuke-bundle.js';
import { testImages } from '../../scripts/make-test-images.js';

/** The lines a workload printed before `done` (its answer), without the trailing marker. */
const answer = (text: string): string[] => {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const end = lines.indexOf('done');
  return end < 0 ? [] : lines.slice(0, end).filter(Boolean);
};

describe('compose import and kubernetes export on real engines', { skip: bundleSkip }, () => {
  let env: RunnerEnv;
  let baseline: HostSnapshot;
  let daemon: KukeondChild;
  let client: DaemonClient;
  let kukeEnv: NodeJS.ProcessEnv;
  const R = `cx${process.pid}`;
  const scope = ['--realm', R, '--space', 'web', '--stack', 'api'];
  const call = <M extends AnyMethodName>(m: M, a: MethodArgs<M>) =>
    client.call<MethodReply<M> & { Err: null }>(m, a);
  const ok = (args: string[]) => {
    const r = runKuke(kukeEnv, args);
    assert.equal(r.code, 0, `kuke ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r;
  };
  /** `kuke apply -f` of a manifest text (through a file: what a user would save and apply). */
  let applied = 0;
  const apply = (text: string) => {
    const file = join(env.dir, `apply-${applied++}.yaml`);
    writeFileSync(file, text);
    return ok(['apply', '-f', file]);
  };

  const logOf = async (cell: string, container: string): Promise<string> => {
    const where = await call('LogContainer', {
      Doc: {
        metadata: { name: container },
        spec: { id: container, realmId: R, spaceId: 'web', stackId: 'api', cellId: cell },
      },
    });
    const path = where.Result.HostCapturePath || where.Result.HostLogPath;
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  };
  const answerOf = async (cell: string, container: string): Promise<string[]> =>
    (
      await waitFor(
        `${cell}/${container} to print its answer`,
        async () => {
          const a = answer(await logOf(cell, container));
          return a.length ? a : undefined;
        },
        60_000,
      )
    ).value;
  const ready = (cell: string) =>
    waitFor(
      `${cell} Ready`,
      async () => {
        const c = await call('GetCell', {
          Doc: { metadata: { name: cell }, spec: { realmId: R, spaceId: 'web', stackId: 'api' } },
        });
        return c.Result.Cell.status?.state === 'Ready' ? true : undefined;
      },
      60_000,
    );

  before(async () => {
    env = runnerEnv('convert');
    baseline = snapshotHost(env.config);
    daemon = await startKukeond(env.config, env.dir, '0');
    client = new DaemonClient({ socketPath: env.config.daemonSocket });
    kukeEnv = kukeClientEnv(env, { KUKEON_HOST: `unix://${env.config.daemonSocket}` });
    await call('ApplyDocuments', { RawYAML: b64(scopeYaml(R)), Team: '' });
    for (const img of [testImages().images.busybox, testImages().images.dockerSave])
      await call('LoadImage', { RealmName: R, Path: img.file });
  });

  after(async () => {
    client?.close();
    if (daemon?.alive()) await daemon.stop();
    await purgeAndCheckHost(env, baseline, [R]);
  });

  test('an imported Compose file applies, its cell becomes Ready and its workloads do what the file says', async () => {
    const dir = join(env.dir, 'project');
    mkdirSync(join(dir, 'conf'), { recursive: true });
    writeFileSync(join(dir, 'conf', 'message'), 'from a bind-mounted file\n');
    writeFileSync(join(dir, 'app.env'), 'FROM_FILE=from the env file\n');
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, appliesToday.replace('{{dir}}', dir));
    const imported = ok(['import', 'compose', file, ...scope]);
    // Nothing was created by the import itself.
    assert.equal(
      (await call('ListCells', { RealmName: R, SpaceName: 'web', StackName: 'api' })).Cells?.length ?? 0,
      0,
    );
    assert.match(imported.stderr, /services.app.cap_drop|services.side.command/);
    assert.match(apply(imported.stdout).stdout, /created/);
    await ready('today');
    assert.deepEqual(await answerOf('today', 'app'), [
      'env=hello/from the env file/',
      'file=from a bind-mounted file',
      'cwd=/tmp',
      'id=1000:1000',
      'tmp=tmpfs',
    ]);
    // Limits, read from the host: the task's own cgroup.
    const pid = Number(
      ctr(env.config.containerdSocket, ['tasks', 'ls'], `${R}.${env.config.namespaceSuffix}`)
        .split('\n')
        .find((l) => l.startsWith('web_api_today_app '))
        ?.trim()
        .split(/\s+/)[1],
    );
    assert.ok(pid > 0);
    assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
    assert.equal(cgroupFile(pid, 'pids', 'pids.max'), '64');
    assert.deepEqual(await answerOf('today', 'side'), ['side=from-list']);
    ok(['delete', 'cell', 'today', ...scope]);
  });

  test(
    'an exported two-container cell runs under podman kube play and answers the same (env, files)',
    { skip: hasPodman() ? false : 'podman is not installed' },
    async () => {
      const files = join(env.dir, 'files');
      mkdirSync(files, { recursive: true });
      writeFileSync(join(files, 'message'), 'file content 42\n');
      const image = testImages().images.dockerSave.name;
      const script = (lines: string) => `${lines}; echo done; trap 'exit 0' TERM; sleep 3600 & wait`;
      const cell = {
        apiVersion: 'v1beta1',
        kind: 'Cell',
        metadata: { name: 'pair' },
        spec: {
          realmId: R,
          spaceId: 'web',
          stackId: 'api',
          containers: [
            {
              id: 'web',
              image,
              command: 'sh',
              args: [
                '-c',
                script('echo "greeting=$GREETING"; echo "message=$(cat /data/message)"; echo "cwd=$(pwd)"'),
              ],
              env: ['GREETING=hello from the cell', 'LITERAL=$(not expanded)'],
              workingDir: '/data',
              volumes: [{ source: files, target: '/data', readOnly: true }],
            },
            {
              id: 'side',
              image,
              command: 'sh',
              args: ['-c', script('echo "literal=$LITERAL"; echo "motd=$(cat /etc/motd)"; echo "args=$0"')],
              env: ['LITERAL=$(not expanded)'],
            },
          ],
        },
      };
      apply(JSON.stringify(cell));
      await ready('pair');
      const inCell = { web: await answerOf('pair', 'web'), side: await answerOf('pair', 'side') };
      assert.deepEqual(inCell.web, ['greeting=hello from the cell', 'message=file content 42', 'cwd=/data']);

      const exported = ok(['export', 'cell', 'pair', ...scope]);
      const docs = parseAllDocuments(exported.stdout).map((d) => d.toJS() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.deepEqual(
        docs.map((d) => d.kind),
        ['Pod'],
        'a cell without secrets or volumes is exactly one Pod',
      );
      assert.equal(exported.stderr, '', 'nothing of this cell lacks a Kubernetes equivalent');
      const yamlFile = join(env.dir, 'pair.yaml');
      writeFileSync(yamlFile, exported.stdout);

      const podman = new PrivatePodman(
        'kcx',
        `10.${200 + (process.pid % 50)}.${200 + (process.pid % 50)}.0/24`,
      );
      try {
        podman.run('load', '-i', testImages().images.dockerSave.file);
        podman.run('kube', 'play', '--network', podman.net, yamlFile);
        const podmanAnswer = async (container: string) =>
          (
            await waitFor(
              `podman ${container} to print its answer`,
              () => {
                const a = answer(podman.run('logs', `pair-${container}`));
                return a.length ? a : undefined;
              },
              60_000,
            )
          ).value;
        assert.deepEqual(await podmanAnswer('web'), inCell.web);
        assert.deepEqual(await podmanAnswer('side'), inCell.side);
        assert.match(podman.run('pod', 'ps', '--format', '{{.Name}} {{.Status}}'), /^pair Running/m);
        podman.run('kube', 'down', yamlFile);
        assert.equal(podman.run('pod', 'ps', '-q').trim(), '');
        assert.equal(podman.run('ps', '-a', '-q').trim(), '');
      } finally {
        podman.destroy();
      }
      ok(['delete', 'cell', 'pair', ...scope]);
    },
  );
});
