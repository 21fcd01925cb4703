// Container fields proven inside real containers (src/api/field-support.ts names these tests):
// the KUKEON_* identity and git variables, space defaults, labels, restart tuning, and through a
// real kukeond its defaultMemoryLimitBytes and kukeon group; and the refusal of fields this build
// does not apply, which must change nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runner } from '../../src/runner/runner.js';
import { Controller } from '../../src/controller/index.js';
import { runnerCellPort } from '../../src/controller/runner-cell-port.js';
import { DaemonClient } from '../../src/client/daemon-client.js';
import { hasCode } from '../../src/errors.js';
import { FIELD_NOT_SUPPORTED } from '../../src/api/index.js';
import type { ContainerSpec } from '../../src/model/container.js';
import type { Cell } from '../../src/model/resources.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { cellModel, containerModel, provisionStack, spaceModel, stackModel } from '../helpers/cell-docs.js';
import { ctr } from '../helpers/containerd.js';
import { startKukeond, waitFor, type KukeondChild } from '../helpers/kukeond-child.js';
import { testImages } from '../../scripts/make-test-images.js';

const at = { realm: 'f', space: 's', stack: 't' };
// Waits for a signal; USR1 makes it exit 3 (a failure, for the restart policy).
const SCRIPT = 'trap "exit 0" TERM; trap "exit 3" USR1; sleep 3600 & wait';
/** The parent references of a manifest's spec. */
const parentLines = [`  realmId: ${at.realm}`, `  spaceId: ${at.space}`, `  stackId: ${at.stack}`];

const status = (pid: number, field: string): string =>
  readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s*(.*)$`, 'm'))?.[1] ?? '';
/** A file of the task's cgroup in one v1 hierarchy (or the unified one). */
function cgroupFile(pid: number, controllerName: string, file: string): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes(controllerName));
  if (v1) return readFileSync(`/sys/fs/cgroup/${controllerName}${v1.split(':')[2]}/${file}`, 'utf8').trim();
  const v2 = lines.find((l) => l.startsWith('0::'))!;
  const v2file = file === 'memory.limit_in_bytes' ? 'memory.max' : file;
  return readFileSync(`/sys/fs/cgroup${v2.slice(3)}/${v2file}`, 'utf8').trim();
}

describe('container fields reach the process; unsupported ones are refused', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let controller: Controller;
  let baseline: HostSnapshot;
  let busybox: string;
  let ns: string;

  const tasks = (): Map<string, { pid: number; status: string }> =>
    new Map(
      ctr(env.config.containerdSocket, ['tasks', 'ls'], ns)
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/))
        .map(([id, pid, status]) => [id, { pid: Number(pid), status }]),
    );
  const pidOf = (containerdId: string): number => {
    const t = tasks().get(containerdId);
    assert.equal(t?.status, 'RUNNING', `${containerdId} runs`);
    return t.pid;
  };
  const environ = (pid: number): Map<string, string> =>
    new Map(
      readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
    );
  const mountsOf = (pid: number): string => readFileSync(`/proc/${pid}/mounts`, 'utf8');
  const work = (id: string, over: Partial<ContainerSpec> = {}) =>
    containerModel(id, busybox, { command: 'sh', args: ['-c', SCRIPT], ...over });
  const ref = (space: string, name: string) => runner.cellRef({ ...at, space, name });
  async function run(cell: Cell): Promise<Cell> {
    await runner.createCell(cell);
    const started = await runner.startCell(cell);
    assert.equal(started.status.state, 'Ready', started.status.message ?? '');
    return started;
  }
  const idOf = (cell: Cell, container: string) =>
    cell.spec.containers.find((c) => c.id === container)!.containerdId!;

  before(async () => {
    env = runnerEnv('fields');
    baseline = snapshotHost(env.config);
    runner = await Runner.open(env.config);
    controller = Controller.forRunner(runner, { cells: runnerCellPort(runner) });
    const images = testImages().images;
    await provisionStack(runner, at, [images.busybox.file]);
    busybox = images.busybox.name;
    ns = `${at.realm}.${env.config.namespaceSuffix}`;
  });

  after(async () => {
    runner.close();
    await purgeAndCheckHost(env, baseline);
  });

  test('every container gets the KUKEON_* identity variables and its git identity', async () => {
    const cell = await run(
      cellModel(at, 'ident', [
        work('w', {
          env: ['KUKEON_STACK=mine'],
          git: {
            author: { name: 'Ada', email: 'ada@example.com' },
            committer: { name: 'Bob', email: 'bob@example.com' },
            signingKey: '/keys/id_ed25519',
            sign: ['commits', 'tags'],
            allowedSigners: '/keys/allowed',
          },
        }),
      ]),
    );
    const cgroupPath = ref(at.space, 'ident').cgroupPath;
    const w = environ(pidOf(idOf(cell, 'w')));
    assert.deepEqual(
      [
        'KUKEON_CELL_NAME',
        'KUKEON_CONTAINER_ID',
        'KUKEON_REALM',
        'KUKEON_SPACE',
        'KUKEON_STACK',
        'KUKEON_CGROUP_PATH',
      ].map((k) => w.get(k)),
      ['ident', 'w', at.realm, at.space, 'mine', cgroupPath],
      'identity variables; the container env wins on a collision',
    );
    assert.deepEqual(
      [
        'GIT_AUTHOR_NAME',
        'GIT_AUTHOR_EMAIL',
        'GIT_COMMITTER_NAME',
        'GIT_COMMITTER_EMAIL',
        'GIT_CONFIG_COUNT',
        'GIT_CONFIG_KEY_0',
        'GIT_CONFIG_VALUE_0',
        'GIT_CONFIG_KEY_1',
        'GIT_CONFIG_VALUE_1',
        'GIT_CONFIG_KEY_2',
        'GIT_CONFIG_KEY_3',
        'GIT_CONFIG_KEY_4',
        'GIT_CONFIG_VALUE_4',
      ].map((k) => w.get(k)),
      [
        'Ada',
        'ada@example.com',
        'Bob',
        'bob@example.com',
        '5',
        'user.signingkey',
        '/keys/id_ed25519',
        'gpg.format',
        'ssh',
        'commit.gpgsign',
        'tag.gpgsign',
        'gpg.ssh.allowedSignersFile',
        '/keys/allowed',
      ],
    );
    // The root (kukeon's own pause process) carries the identity too.
    const root = environ(pidOf(idOf(cell, 'root')));
    assert.equal(root.get('KUKEON_CONTAINER_ID'), 'root');
    assert.equal(root.get('KUKEON_CELL_NAME'), 'ident');
    assert.equal(root.get('GIT_AUTHOR_NAME'), undefined);

    // A git change reaches the running workload (a new container with the new environment).
    const changed = structuredClone(cell);
    changed.spec.containers = changed.spec.containers.map((c) =>
      c.id === 'w' ? { ...c, git: { author: { name: 'Cy', email: 'cy@example.com' } } } : c,
    );
    const updated = await runner.updateCell(changed);
    assert.deepEqual(updated.recreatedContainers, ['w']);
    const after = environ(pidOf(idOf(updated.cell, 'w')));
    assert.equal(after.get('GIT_AUTHOR_NAME'), 'Cy');
    assert.equal(after.get('GIT_COMMITTER_NAME'), undefined);
    await runner.deleteCell(updated.cell);
  });

  test('space container defaults reach the containers of its cells', async () => {
    const space = spaceModel(at.realm, 'd');
    space.spec.defaults = {
      container: {
        user: '1000:1000',
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'], add: ['NET_RAW'] },
        securityOpts: ['no-new-privileges=false'],
        tmpfs: [{ path: '/scratch', sizeBytes: 4 * 1024 * 1024, options: ['noexec'] }],
        resources: { memoryLimitBytes: 40 * 1024 * 1024, cpuShares: 300, pidsLimit: 40 },
      },
    };
    await runner.createSpace(space);
    await runner.createStack(stackModel(at.realm, 'd', at.stack));
    const cell = await run(cellModel({ ...at, space: 'd' }, 'defs', [work('w')]));
    const pid = pidOf(idOf(cell, 'w'));
    assert.match(status(pid, 'Uid'), /^1000\s+1000\s+1000\s+1000$/);
    assert.match(status(pid, 'Gid'), /^1000\s+1000\s+1000\s+1000$/);
    // NET_RAW (bit 13) alone in the bounding set.
    assert.equal(BigInt('0x' + status(pid, 'CapBnd')), 1n << 13n);
    assert.equal(status(pid, 'NoNewPrivs'), '0');
    const mounts = mountsOf(pid);
    assert.match(mounts, /^\S+ \/ \S+ ro[,\s]/m, 'read-only root filesystem');
    assert.match(mounts, /^tmpfs \/scratch tmpfs \S*noexec\S*size=4096k/m);
    assert.equal(Number(cgroupFile(pid, 'memory', 'memory.limit_in_bytes')), 40 * 1024 * 1024);
    assert.equal(cgroupFile(pid, 'pids', 'pids.max'), '40');
    // cpu.shares exists with a v1 cpu hierarchy (cgroup v2 maps shares onto cpu.weight).
    if (/^\d+:[^:]*\bcpu\b/m.test(readFileSync(`/proc/${pid}/cgroup`, 'utf8')))
      assert.equal(cgroupFile(pid, 'cpu', 'cpu.shares'), '300');
    await runner.deleteCell(cell);
  });

  test('cell labels and annotations are kept; labels reach the root container record', async () => {
    const model = cellModel(at, 'lab', [work('w')]);
    model.metadata.labels = { app: 'lab', tier: 'back' };
    model.metadata.annotations = { 'example.com/owner': 'ops' };
    const cell = await run(model);
    const stored = await runner.getCell(ref(at.space, 'lab'));
    assert.equal(stored?.metadata.labels.tier, 'back');
    assert.deepEqual(stored?.metadata.annotations, { 'example.com/owner': 'ops' });
    const info = JSON.parse(
      ctr(env.config.containerdSocket, ['containers', 'info', idOf(cell, 'root')], ns),
    ) as {
      Labels: Record<string, string>;
    };
    assert.equal(info.Labels.tier, 'back');
    await runner.deleteCell(cell);
  });

  test('a Container document adds a workload to a running cell', async () => {
    const cell = await run(cellModel(at, 'grow', [work('w')]));
    const results = await controller.applyDocuments(
      [
        'kind: Container',
        'metadata: { name: extra }',
        'spec:',
        ...parentLines,
        '  cellId: grow',
        `  image: ${busybox}`,
        '  command: sh',
        `  args: ['-c', '${SCRIPT}']`,
      ].join('\n'),
    );
    assert.deepEqual(
      results.map((r) => [r.kind, r.name, r.action]),
      [['Container', 'extra', 'created']],
    );
    const grown = (await runner.getCell(ref(at.space, 'grow')))!;
    assert.equal(environ(pidOf(idOf(grown, 'extra'))).get('KUKEON_CONTAINER_ID'), 'extra');
    await runner.deleteCell(cell);
  });

  test('on-failure restarts wait restartBackoffSeconds and stop after restartMaxRetries', async () => {
    const cell = await run(
      cellModel(at, 'rst', [
        work('capped', { restartPolicy: 'on-failure', restartBackoffSeconds: 0, restartMaxRetries: 2 }),
        work('slow', { restartPolicy: 'on-failure', restartBackoffSeconds: 3600 }),
      ]),
    );
    const capped = idOf(cell, 'capped');
    const slow = idOf(cell, 'slow');
    /** Makes the workload fail (exit 3), waits until containerd reports it stopped, reconciles. */
    async function failAndReconcile(id: string) {
      ctr(env.config.containerdSocket, ['tasks', 'kill', '-s', 'SIGUSR1', id], ns);
      await waitFor(
        'the task to stop',
        () => (tasks().get(id)?.status === 'STOPPED' ? true : undefined),
        30_000,
      );
      return (await runner.reconcileCell(ref(at.space, 'rst'))).cell!;
    }
    const countOf = (c: Cell, id: string) => c.status.containers.find((s) => s.id === id)!;
    // restartMaxRetries 2 with no backoff: restarted twice, then left down.
    for (const n of [1, 2]) {
      const c = await failAndReconcile(capped);
      assert.equal(countOf(c, 'capped').restartCount, n, `restart ${n}`);
      assert.equal(tasks().get(capped)?.status, 'RUNNING');
    }
    const exhausted = await failAndReconcile(capped);
    assert.equal(countOf(exhausted, 'capped').restartCount, 2, 'no third restart');
    assert.notEqual(tasks().get(capped)?.status, 'RUNNING');
    // restartBackoffSeconds 3600: the first failure restarts at once, the next waits for the backoff.
    assert.equal(countOf(await failAndReconcile(slow), 'slow').restartCount, 1);
    assert.equal(tasks().get(slow)?.status, 'RUNNING');
    assert.equal(countOf(await failAndReconcile(slow), 'slow').restartCount, 1, 'within the backoff');
    assert.notEqual(tasks().get(slow)?.status, 'RUNNING');
    await runner.deleteCell(cell);
  });

  test('fields this build does not apply are refused by apply and CreateCell, naming document, container and field; nothing changes', async () => {
    const before = await runner.listRealms();
    const manifest = (extra: string[]) =>
      [
        'kind: Realm',
        'metadata: { name: refused }',
        '---',
        'kind: Cell',
        'metadata: { name: web }',
        'spec:',
        '  realmId: refused',
        '  spaceId: s',
        '  stackId: t',
        '  containers:',
        '    - id: app',
        `      image: ${busybox}`,
        ...extra.map((l) => `      ${l}`),
      ].join('\n');
    const cases: [string[], string][] = [
      [
        ['networksAliases: [web]'],
        'document 1 (Cell "web"): container "app": spec.containers[0].networksAliases is not supported by this build',
      ],
      [['networks: [a]'], 'container "app": spec.containers[0].networks is not supported'],
      [
        ['repos: [{name: r, target: /src, url: https://example.com/r.git}]'],
        'spec.containers[0].repos is not supported',
      ],
      [['attachable: true', 'tty: {prompt: "$ "}'], 'spec.containers[0].tty.prompt is not supported'],
    ];
    for (const [extra, message] of cases) {
      await assert.rejects(
        controller.applyDocuments(manifest(extra)),
        (err: unknown) => hasCode(err, FIELD_NOT_SUPPORTED) && (err as Error).message.includes(message),
        message,
      );
    }
    await assert.rejects(
      controller.applyDocuments(
        'kind: Container\nmetadata: { name: c, labels: { a: b } }\nspec: { realmId: refused, spaceId: s, stackId: t, cellId: x, image: busybox }\n',
      ),
      /document 0 \(Container "c"\): metadata.labels is not supported by this build/,
    );
    // CreateCell (kuke create/run) is held to the same table.
    const viaRpc = cellModel(at, 'rpc', [work('app', { networksAliases: ['x'] })]);
    await assert.rejects(
      controller.createCell(viaRpc),
      /Cell "rpc": container "app": spec.containers\[0\].networksAliases is not supported by this build/,
    );
    await assert.rejects(
      controller.createCell({
        ...cellModel(at, 'rpc', [work('app')]),
        spec: { ...viaRpc.spec, containers: [work('app')], ignoreDiskPressure: true },
      }),
      /spec.ignoreDiskPressure is not supported by this build/,
    );
    assert.deepEqual(await runner.listRealms(), before, 'no realm was created');
    assert.equal(await runner.getCell(ref(at.space, 'rpc')), undefined, 'no cell was created');
  });
});

describe('kukeond: defaultMemoryLimitBytes and the kukeon group reach every container', () => {
  let env: RunnerEnv;
  let baseline: HostSnapshot;
  let daemon: KukeondChild | undefined;
  let client: DaemonClient;
  const GROUP = 4241;
  const OWN = 4242;
  const LIMIT = 56 * 1024 * 1024;

  before(async () => {
    env = runnerEnv('fields-d');
    baseline = snapshotHost(env.config);
    const runner = await Runner.open(env.config);
    try {
      await provisionStack(runner, at, [testImages().images.busybox.file]);
    } finally {
      runner.close();
    }
    const configuration = join(env.dir, 'kukeond.yaml');
    writeFileSync(
      configuration,
      `apiVersion: v1beta1\nkind: ServerConfiguration\nmetadata: { name: test }\nspec:\n  defaultMemoryLimitBytes: ${LIMIT}\n`,
    );
    daemon = await startKukeond(env.config, env.dir, '0', [
      '--configuration',
      configuration,
      '--socket-gid',
      String(GROUP),
    ]);
    client = new DaemonClient({ socketPath: env.config.daemonSocket });
  });

  after(async () => {
    client?.close();
    await daemon?.stop();
    await purgeAndCheckHost(env, baseline);
  });

  /** One cell through the daemon: a container without a limit, one with its own, one with a group. */
  let applied: Promise<void> | undefined;
  const applyCell = () =>
    (applied ??= (async () => {
      const busybox = testImages().images.busybox.name;
      const yaml = [
        'kind: Cell',
        'metadata: { name: gid }',
        'spec:',
        ...parentLines,
        '  containers:',
        ...['plain', 'own', 'capped'].flatMap((id) => [
          `    - id: ${id}`,
          `      image: ${busybox}`,
          '      command: sh',
          `      args: ['-c', '${SCRIPT}']`,
          ...(id === 'own' ? [`      kukeonGroupGID: ${OWN}`] : []),
          ...(id === 'capped' ? ['      resources: { memoryLimitBytes: 33554432 }'] : []),
        ]),
      ].join('\n');
      const reply = await client.call<{ Result: { Resources: { action: string; error?: string }[] } }>(
        'ApplyDocuments',
        { RawYAML: Buffer.from(yaml).toString('base64') },
      );
      assert.deepEqual(
        reply.Result.Resources.map((r) => r.error ?? r.action),
        ['created'],
      );
    })());
  const pid = (id: string): number => {
    const ns = `${at.realm}.${env.config.namespaceSuffix}`;
    const line = ctr(env.config.containerdSocket, ['tasks', 'ls'], ns)
      .split('\n')
      .find((l) => l.startsWith(`${at.space}_${at.stack}_gid_${id} `) && / RUNNING\s*$/.test(l));
    assert.ok(line, `${id} runs`);
    return Number(line.trim().split(/\s+/)[1]);
  };

  test('defaultMemoryLimitBytes of kukeond.yaml caps containers that set no memory limit', async () => {
    await applyCell();
    const memory = (id: string): number => Number(cgroupFile(pid(id), 'memory', 'memory.limit_in_bytes'));
    assert.equal(memory('plain'), LIMIT, 'the daemon default applies to a container without a limit');
    assert.equal(memory('capped'), 32 * 1024 * 1024, "a container's own limit wins");
  });

  test("kukeonGroupGID and the daemon's kukeon group are supplementary groups of the process", async () => {
    await applyCell();
    const groups = (id: string): number[] =>
      status(pid(id), 'Groups').split(/\s+/).filter(Boolean).map(Number);
    assert.ok(groups('plain').includes(GROUP), `the kukeon group: ${groups('plain').join(' ')}`);
    assert.ok(!groups('plain').includes(OWN));
    assert.ok(
      groups('own').includes(GROUP) && groups('own').includes(OWN),
      `own: ${groups('own').join(' ')}`,
    );
  });
});
