/**
 * `kuke import compose` and `kuke export --format kubernetes` on real engines (docs/convert.md):
 * the bundled kuke against a real kukeond on a private containerd.
 *
 * - Import: Compose files of our own (src/convert/compose/testdata) are imported, applied, and
 *   the workloads do what the file says: env in both forms and from an env file, entrypoint +
 *   command, bind-mounted files, tmpfs, limits, user, working dir; named volumes shared by two
 *   services and persisting across a re-created cell; a file secret and an environment secret
 *   visible in the container; published ports answering `wget http://127.0.0.1:<port>/`.
 * - Export: a running two-container cell is exported, played with `podman kube play` in a
 *   private podman storage holding the test image (nothing from a registry), and its workloads
 *   print the same lines (env, files) as in the cell; then `podman kube down`, and nothing is left.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DaemonClient } from '../../src/client/daemon-client.js';
import type { AnyMethodName, MethodArgs, MethodReply } from '../../src/protocol/method-types.js';
import {
  appliesToday,
  composeFile,
  everyKey,
  secretsAndPorts,
  webAppWithDb,
} from '../../src/convert/compose/testdata/compose-fixtures.js';
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

// Host ports of this process's own (published-ports.test.ts takes 30000 and up).
const PORT = 20000 + (process.pid % 9990);

/** `wget -qO- http://127.0.0.1:<port>/` from the host: the body, or undefined while it does not answer. */
function wget(port: number): string | undefined {
  try {
    return execFileSync('wget', ['-qO-', '-T', '5', `http://127.0.0.1:${port}/`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

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
  const ok = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = runKuke({ ...kukeEnv, ...extraEnv }, args);
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
  const answerOnPort = async (port: number): Promise<string> =>
    (await waitFor(`http://127.0.0.1:${port}/ to answer`, () => wget(port), 60_000)).value;
  const kukeJson = (args: string[]): Record<string, any> => JSON.parse(ok([...args, '-o', 'json']).stdout); // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Writes the fixture as `<dir>/compose.yaml`, imports it (nothing created yet) and applies the output to kukeond. */
  const importAndApply = async (
    fixture: string,
    dir: string,
    port: number,
    extra: { args?: string[]; env?: NodeJS.ProcessEnv } = {},
  ) => {
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, composeFile(fixture, { dir, port }));
    const before = (await call('ListCells', { RealmName: R, SpaceName: 'web', StackName: 'api' })).Cells
      ?.length;
    const imported = ok(['import', 'compose', file, ...scope, ...(extra.args ?? [])], extra.env);
    const after = (await call('ListCells', { RealmName: R, SpaceName: 'web', StackName: 'api' })).Cells
      ?.length;
    assert.equal(after, before, 'the import itself creates nothing');
    const manifest = join(dir, 'kukeon.yaml');
    writeFileSync(manifest, imported.stdout);
    const applied = ok(['apply', '-f', manifest]);
    assert.doesNotMatch(applied.stdout + applied.stderr, /failed/);
    // The output without its Realm, Space and Stack documents, for `delete -f` (the scopes and
    // the images loaded in them serve every test).
    const workload = join(dir, 'workload.yaml');
    writeFileSync(
      workload,
      parseAllDocuments(imported.stdout)
        .filter((d) => !['Realm', 'Space', 'Stack'].includes(d.get('kind') as string))
        .map((d) => d.toString())
        .join('---\n'),
    );
    return { imported, manifest, workload };
  };
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

  /** A Cell document in this test's realm/web/api with these containers. */
  const cellDoc = (name: string, containers: Record<string, unknown>[]) => ({
    apiVersion: 'v1beta1',
    kind: 'Cell',
    metadata: { name },
    spec: { realmId: R, spaceId: 'web', stackId: 'api', containers },
  });
  /**
   * Plays the YAML file with `podman kube play` in a private podman storage holding the test
   * image, runs `check` (with a reader of a container's answer), then `kube down`: nothing left.
   */
  const playInPodman = async (
    tag: string,
    subnet: string,
    yamlFile: string,
    check: (podman: PrivatePodman, answerOfPodman: (container: string) => Promise<string[]>) => Promise<void>,
  ) => {
    const podman = new PrivatePodman(tag, subnet);
    try {
      podman.run('load', '-i', testImages().images.dockerSave.file);
      podman.run('kube', 'play', '--network', podman.net, yamlFile);
      await check(
        podman,
        async (container) =>
          (
            await waitFor(
              `podman ${container} to print its answer`,
              () => {
                const a = answer(podman.run('logs', container));
                return a.length ? a : undefined;
              },
              60_000,
            )
          ).value,
      );
      podman.run('kube', 'down', yamlFile);
      assert.equal(podman.run('pod', 'ps', '-q').trim(), '');
      assert.equal(podman.run('ps', '-a', '-q').trim(), '');
    } finally {
      podman.destroy();
    }
  };

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

  test('web app + database + named volumes: shared by two services, served on a published port, kept across a re-created cell', async () => {
    const dir = join(env.dir, 'compose-shop');
    mkdirSync(dir, { recursive: true });
    const { imported, manifest, workload } = await importAndApply(webAppWithDb, dir, PORT);
    assert.match(imported.stderr, /services.web.depends_on: ordering is not enforced/);
    // Volumes come before the cell in the output, and apply before it without `ensure`.
    await ready('shop');
    assert.deepEqual(await answerOf('shop', 'web'), ['db=127.0.0.1:5432']);
    assert.deepEqual(await answerOf('shop', 'db'), ['starts=1']);
    // db wrote the page into the pages volume; web serves it read-only on the published port.
    assert.equal(await answerOnPort(PORT), 'served from the pages volume');
    const dbdata = kukeJson(['get', 'volume', 'dbdata', '--realm', R, '--space', 'web']);
    assert.equal(dbdata.status.state, 'InUse');
    assert.equal(
      readFileSync(join(dbdata.status.path, 'starts'), 'utf8').split('\n').filter(Boolean).length,
      1,
    );
    const refused = runKuke(kukeEnv, ['delete', 'volume', 'dbdata', '--realm', R, '--space', 'web']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /volume "dbdata" is in use by cell "shop"/);

    // The cell goes, the data stays: the same file applied again finds it.
    ok(['delete', 'cell', 'shop', ...scope]);
    assert.ok(existsSync(join(dbdata.status.path, 'starts')));
    assert.match(ok(['apply', '-f', manifest]).stdout, /created/);
    await ready('shop');
    assert.deepEqual(await answerOf('shop', 'db'), ['starts=2']);
    assert.equal(await answerOnPort(PORT), 'served from the pages volume');

    // delete -f removes the cell first, then its volumes (no longer in use).
    ok(['delete', '-f', workload]);
    assert.ok(!existsSync(dbdata.status.path));
  });

  test('secrets and ports: a file secret and an environment secret are visible in the container, the page answers on the host port', async () => {
    const dir = join(env.dir, 'compose-secrets');
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    const key = `key-${randomBytes(6).toString('hex')}`;
    const cert = `cert-${randomBytes(6).toString('hex')}`;
    writeFileSync(join(dir, 'secrets', 'api_key.txt'), key);
    const { imported, workload } = await importAndApply(secretsAndPorts, dir, PORT + 2, {
      args: ['--cell', 'svc'],
      env: { CERT_PEM: cert },
    });
    // The file secret's value stays in its file; the environment secret is in the Secret document, said on stderr.
    assert.ok(!imported.stdout.includes(key));
    assert.match(imported.stdout, /kind: Secret/);
    assert.match(imported.stderr, /the values of cert are printed in Secret documents/);
    assert.ok(!imported.stderr.includes(cert) && !imported.stderr.includes(key));
    await ready('svc');
    assert.equal(await answerOnPort(PORT + 2), `key=${key} mode=400\ncert=${cert}`);
    // kukeond shows the Secret's size, never its value.
    const listed = ok(['get', 'secrets', '--realm', R]).stdout;
    assert.match(listed, /^cert\s/m);
    assert.ok(!listed.includes(cert));
    ok(['delete', '-f', workload]);
    assert.doesNotMatch(ok(['get', 'secrets', '--realm', R]).stdout, /^cert\s/m);
  });

  test('every supported key applies: the workload sees what the Compose file says', async () => {
    const dir = join(env.dir, 'compose-every');
    mkdirSync(join(dir, 'conf'), { recursive: true });
    writeFileSync(join(dir, 'conf', 'message'), 'from the conf directory\n');
    writeFileSync(join(dir, 'app.env'), 'FROM_FILE=from the env file\n');
    writeFileSync(join(dir, 'token'), 'the token');
    const { imported, workload } = await importAndApply(everyKey, dir, PORT + 4);
    for (const key of ['healthcheck', 'labels', 'networks', 'deploy.replicas', 'volumes\\[3\\]'])
      assert.match(imported.stderr, new RegExp(`warning: services\\.all\\.${key}`), key);
    await ready('every');
    const seen = await answerOf('every', 'all');
    assert.deepEqual(seen.slice(0, 6), [
      'env=hello world/from the env file',
      'conf=from the conf directory',
      'secret=the token mode=400',
      'cwd=/cache id=1000:1000',
      'starts=1',
      'rootfs=read-only',
    ]);
    // /run is a tmpfs of the default spec too; the service's own (size=64k) is mounted over it.
    assert.match(seen[6], /^tmpfs=.*\/run tmpfs,/);
    assert.match(seen[6], /\/scratch tmpfs,/);
    // cap_drop ALL, cap_add NET_ADMIN: the bounding set is CAP_NET_ADMIN (bit 12) alone.
    assert.equal(seen[7], 'caps=0000000000001000');
    assert.deepEqual(await answerOf('every', 'other'), ['other']);
    assert.equal(await answerOnPort(PORT + 4), 'every key');
    // deploy.resources.limits win over mem_limit and pids_limit, as in Compose.
    const pid = Number(
      ctr(env.config.containerdSocket, ['tasks', 'ls'], `${R}.${env.config.namespaceSuffix}`)
        .split('\n')
        .find((l) => l.startsWith('web_api_every_all '))
        ?.trim()
        .split(/\s+/)[1],
    );
    assert.ok(pid > 0);
    assert.equal(cgroupFile(pid, 'memory', 'memory.limit_in_bytes'), String(64 * 1024 * 1024));
    assert.equal(cgroupFile(pid, 'pids', 'pids.max'), '40');
    ok(['delete', '-f', workload]);
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
      const cell = cellDoc('pair', [
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
      ]);
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

      await playInPodman(
        'kcx',
        `10.${200 + (process.pid % 50)}.${200 + (process.pid % 50)}.0/24`,
        yamlFile,
        async (podman, answerOfPodman) => {
          assert.deepEqual(await answerOfPodman('pair-web'), inCell.web);
          assert.deepEqual(await answerOfPodman('pair-side'), inCell.side);
          assert.match(podman.run('pod', 'ps', '--format', '{{.Name}} {{.Status}}'), /^pair Running/m);
        },
      );
      ok(['delete', 'cell', 'pair', ...scope]);
    },
  );
  test(
    'a cell with a volume, secrets and a published port exports as a Secret, a PersistentVolumeClaim and a Pod that podman kube play runs the same',
    { skip: hasPodman() ? false : 'podman is not installed' },
    async () => {
      const port = PORT + 6;
      const secretFile = join(env.dir, 'export-token');
      writeFileSync(secretFile, `token-${randomBytes(6).toString('hex')}`);
      const image = testImages().images.dockerSave.name;
      const cell = cellDoc('kept', [
        {
          id: 'web',
          image,
          command: 'sh',
          args: [
            '-c',
            'echo kept > /data/f; echo "data=$(cat /data/f)"; echo "file=$(cat /run/secrets/token)"; ' +
              'mkdir -p /tmp/w && echo "page of kept" > /tmp/w/index.html; echo done; exec httpd -f -p 8080 -h /tmp/w',
          ],
          volumes: [{ kind: 'volume', source: 'exported', target: '/data' }],
          // File form only: podman 4.3 cannot read a Secret it played for env.valueFrom (podman
          // issue 16269); the env form's export is checked by export-kubernetes.test.ts.
          secrets: [{ name: 'token', fromFile: secretFile, mountPath: '/run/secrets/token' }],
          ports: [`${port}:8080`],
        },
      ]);
      const volume = {
        apiVersion: 'v1beta1',
        kind: 'Volume',
        metadata: { name: 'exported', realm: R, space: 'web' },
      };
      apply(`${JSON.stringify(volume)}\n---\n${JSON.stringify(cell)}`);
      await ready('kept');
      const inCell = await answerOf('kept', 'web');
      const token = readFileSync(secretFile, 'utf8');
      assert.deepEqual(inCell, ['data=kept', `file=${token}`]);
      assert.equal(await answerOnPort(port), 'page of kept');

      // Without --include-secret-values: no value anywhere, the keys named.
      const bare = ok(['export', 'cell', 'kept', ...scope]);
      assert.ok(!bare.stdout.includes(token));
      assert.match(bare.stdout, /kukeon.io\/keys-without-values: web.token/);
      const exported = ok(['export', 'cell', 'kept', ...scope, '--include-secret-values']);
      const docs = parseAllDocuments(exported.stdout).map((d) => d.toJS() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.deepEqual(
        docs.map((d) => `${d.kind}/${d.metadata.name}`),
        ['Secret/kept-secrets', 'PersistentVolumeClaim/exported', 'Pod/kept'],
      );
      const [secret, , pod] = docs;
      assert.deepEqual(secret.data, { 'web.token': Buffer.from(token).toString('base64') });
      const web = pod.spec.containers[0];
      assert.deepEqual(web.ports, [{ containerPort: 8080, protocol: 'TCP', hostPort: port }]);
      assert.deepEqual(web.volumeMounts[1], {
        name: 'web-secret-1',
        mountPath: '/run/secrets/token',
        subPath: 'web.token',
        readOnly: true,
      });
      assert.match(exported.stderr, /kukeon Volumes have no size/);
      const yamlFile = join(env.dir, 'kept.yaml');
      writeFileSync(yamlFile, exported.stdout);
      // The host port is the pod's now.
      ok(['delete', 'cell', 'kept', ...scope]);

      await playInPodman(
        'kcv',
        `10.${200 + (process.pid % 50)}.${150 + (process.pid % 50)}.0/24`,
        yamlFile,
        async (_podman, answerOfPodman) => {
          // The claim and the published port behave as in the cell. The secret file is mounted but
          // podman 4.3 leaves it empty (its secret volumes with items and subPath; not pursued
          // further here): its content is checked in the cell and in the exported Secret only.
          const underPodman = await answerOfPodman('kept-web');
          assert.deepEqual(underPodman[0], inCell[0]);
          assert.match(underPodman[1], /^file=/);
          assert.equal(await answerOnPort(port), 'page of kept');
        },
      );
      ok(['delete', 'volume', 'exported', '--realm', R, '--space', 'web']);
    },
  );
});
