/**
 * kukeond end to end: the built daemon as a child process against a private containerd and a
 * hermetic configuration (flags only), driven with DaemonClient, checked on the host.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonClient } from '../../src/client/daemon-client.js';
import { DaemonReplyError } from '../../src/protocol/error-envelope.js';
import { daemonPidFilePath } from '../../src/protocol/socket-path.js';
import type { AnyMethodName, MethodArgs, MethodReply } from '../../src/protocol/method-types.js';
import { Runner } from '../../src/runner/runner.js';
import { LEASE_OWNER_LABEL } from '../../src/runner/lease-owner.js';
import { stackCgroupPath, spaceCgroupPath, realmCgroupPath } from '../../src/model/naming/index.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { ctr } from '../helpers/containerd.js';
import { testImages } from '../../scripts/make-test-images.js';
import { kukeondFlags } from '../helpers/kukeond-child.js';

const kukeond = fileURLToPath(new URL('../../src/daemon/kukeond.js', import.meta.url));

interface Daemon {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

describe('kukeond: serve, methods, crash recovery, shutdown', () => {
  let env: RunnerEnv;
  let baseline: HostSnapshot;
  let daemon: Daemon | undefined;
  let client: DaemonClient;
  const pid = process.pid;
  const R = `dr${pid}`;
  const socket = () => env.config.daemonSocket;

  const flags = (interval: string, extra: string[] = []): string[] =>
    kukeondFlags(env.config, env.dir, interval, extra);

  /**
   * Starts kukeond and waits until it serves: its socket is present and the pid file names it (a
   * SIGKILLed predecessor leaves a stale socket behind, so the socket alone is not enough).
   */
  async function start(
    interval = '0',
    extraEnv: Record<string, string> = {},
    extra: string[] = [],
  ): Promise<Daemon> {
    const childEnv = { ...process.env, ...extraEnv };
    if (!extraEnv.KUKEON_TEST_FAILPOINTS) delete childEnv.KUKEON_TEST_FAILPOINTS;
    const child = spawn(process.execPath, [kukeond, ...flags(interval, extra)], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (err += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const d: Daemon = { child, exited, stderr: () => err };
    const deadline = Date.now() + 30_000;
    const pidFile = daemonPidFilePath(socket());
    const serving = () =>
      existsSync(socket()) && existsSync(pidFile) && readFileSync(pidFile, 'utf8') === `${child.pid}\n`;
    while (!serving()) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`kukeond exited before serving: ${err}`);
      }
      if (Date.now() > deadline) throw new Error(`kukeond did not publish its socket: ${err}`);
      await sleep(50);
    }
    return d;
  }

  async function stop(d: Daemon): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    d.child.kill('SIGTERM');
    return d.exited;
  }

  function call<M extends AnyMethodName>(
    method: M,
    args: MethodArgs<M>,
  ): Promise<MethodReply<M> & { Err: null }> {
    return client.call<MethodReply<M> & { Err: null }>(method, args);
  }

  const doc = (kind: string, name: string, spec: Record<string, unknown> = {}) => ({
    apiVersion: 'v1beta1',
    kind,
    metadata: { name },
    spec,
  });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const manifest = (realmLabel: string) =>
    [
      `apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: ${R}\n  labels:\n    team: ${realmLabel}\n`,
      `kind: Space\nmetadata:\n  name: web\nspec:\n  realmId: ${R}\n`,
      `kind: Stack\nmetadata:\n  name: api\nspec:\n  realmId: ${R}\n  spaceId: web\n`,
    ].join('---\n');
  const namespaces = () => ctr(env.config.containerdSocket, ['namespaces', 'ls', '-q']).split('\n');
  const cgroupDir = (path: string) => {
    const m = env.config.cgroupMount;
    return existsSync(join(m, 'cgroup.controllers')) ? join(m, path) : join(m, 'memory', path);
  };
  const conflist = (realm: string, space: string) =>
    join(env.config.runPath, 'data', realm, space, 'network.conflist');
  const kindOf = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'no error';
    } catch (err) {
      assert.ok(err instanceof DaemonReplyError, String(err));
      return err.kind;
    }
  };

  before(async () => {
    env = runnerEnv('kukeond');
    baseline = snapshotHost(env.config);
    daemon = await start();
    client = new DaemonClient({ socketPath: socket() });
  });

  after(async () => {
    client?.close();
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) await stop(daemon);
    const runner = await Runner.open(env.config);
    try {
      for (const r of await runner.listRealms()) await runner.purgeRealm(r.metadata.name, { cascade: true });
      for (const r of [R, `${R}x`, `${R}c`]) await runner.purgeRealm(r, { cascade: true });
      await runner.recoverIntents();
      await runner.ctx.cgroups.remove(`/${env.config.cgroupRoot}`, { force: true });
      // Links and chains are attributed to this test by bridge prefix and subnet pool.
      const mine = (s: HostSnapshot) => ({ ...s, journal: s.journal.filter((j) => !j.endsWith('/')) });
      assert.deepEqual(
        mine(snapshotHost(env.config)),
        mine(baseline),
        'the host is back to its state before the test',
      );
    } finally {
      runner.close();
      env.cleanup();
    }
  });

  test('Ping answers with the version', async () => {
    const r = await call('Ping', {});
    assert.equal(r.OK, true);
    assert.match(r.Version, /^\d+\.\d+\.\d+/);
    assert.equal(r.Err, null);
  });

  test('apply: created, unchanged on re-apply, updated on a label change, breaking → failed', async () => {
    const first = await call('ApplyDocuments', { RawYAML: b64(manifest('a')), Team: '' });
    assert.deepEqual(
      first.Result.Resources.map((r) => `${r.kind} ${r.name} ${r.action}`),
      [`Realm ${R} created`, 'Space web created', 'Stack api created'],
    );
    assert.ok(namespaces().includes(`${R}.${env.config.namespaceSuffix}`));
    assert.ok(existsSync(cgroupDir(stackCgroupPath(env.config.cgroupRoot, R, 'web', 'api'))));
    assert.ok(existsSync(conflist(R, 'web')));

    const again = await call('ApplyDocuments', { RawYAML: b64(manifest('a')), Team: '' });
    assert.deepEqual(
      again.Result.Resources.map((r) => r.action),
      ['unchanged', 'unchanged', 'unchanged'],
    );
    const changed = await call('ApplyDocuments', { RawYAML: b64(manifest('b')), Team: '' });
    assert.deepEqual(changed.Result.Resources[0], {
      index: 0,
      kind: 'Realm',
      name: R,
      action: 'updated',
      changes: ['metadata.labels'],
    });
    const got = await call('GetRealm', { Doc: doc('Realm', R) });
    assert.equal(got.Result.Realm.metadata?.labels?.team, 'b');

    const breaking = await call('ApplyDocuments', {
      RawYAML: b64(`kind: Realm\nmetadata:\n  name: ${R}\nspec:\n  namespace: elsewhere\n`),
      Team: '',
    });
    assert.equal(breaking.Result.Resources[0].action, 'failed');
    assert.equal(
      breaking.Result.Resources[0].error,
      `realm "${R}" has breaking changes: [spec.namespace]. Delete the realm and recreate it with the new spec`,
    );
    assert.ok(!namespaces().includes(`elsewhere`));

    // A stream with an invalid document changes nothing and comes back in Err.
    const bad = `kind: Realm\nmetadata:\n  name: ${R}x\n---\nkind: Space\nmetadata:\n  name: nope\n`;
    await assert.rejects(call('ApplyDocuments', { RawYAML: b64(bad), Team: '' }), /validation failed/);
    assert.equal((await call('GetRealm', { Doc: doc('Realm', `${R}x`) })).Result.MetadataExists, false);
  });

  test('get/list replies carry existence facts; absence is MetadataExists false with Err null', async () => {
    const realm = await call('GetRealm', { Doc: doc('Realm', R) });
    assert.deepEqual(
      [realm.Result.MetadataExists, realm.Result.CgroupExists, realm.Result.ContainerdNamespaceExists],
      [true, true, true],
    );
    const space = await call('GetSpace', { Doc: doc('Space', 'web', { realmId: R }) });
    assert.deepEqual(
      [space.Result.MetadataExists, space.Result.CgroupExists, space.Result.CNINetworkExists],
      [true, true, true],
    );
    assert.equal(space.Result.Space.status?.state, 'Ready');
    const missing = await call('GetStack', { Doc: doc('Stack', 'nope', { realmId: R, spaceId: 'web' }) });
    assert.equal(missing.Err, null);
    assert.deepEqual([missing.Result.MetadataExists, missing.Result.CgroupExists], [false, false]);
    assert.equal(missing.Result.Stack.metadata?.name, 'nope');

    assert.ok((await call('ListRealms', {})).Realms.some((r) => r.metadata?.name === R));
    assert.deepEqual(
      (await call('ListSpaces', { RealmName: R })).Spaces.map((s) => s.metadata?.name),
      ['web'],
    );
    assert.deepEqual(
      (await call('ListStacks', { RealmName: R, SpaceName: 'web' })).Stacks.map((s) => s.metadata?.name),
      ['api'],
    );
    assert.deepEqual((await call('ListStacks', { RealmName: R, SpaceName: 'none' })).Stacks, []);

    const created = await call('CreateStack', { Doc: doc('Stack', 'api', { realmId: R, spaceId: 'web' }) });
    assert.equal(created.Result.Created, false);
    assert.equal(created.Result.MetadataExistsPre, true);
    assert.equal(created.Result.CgroupExistsPre, true);
  });

  test('Err envelope kinds for not-found and dependency errors', async () => {
    const none = { Force: false, Cascade: false };
    assert.equal(await kindOf(call('DeleteRealm', { Doc: doc('Realm', `${R}x`), ...none })), 'RealmNotFound');
    assert.equal(
      await kindOf(call('DeleteSpace', { Doc: doc('Space', 'nope', { realmId: R }), ...none })),
      'SpaceNotFound',
    );
    assert.equal(
      await kindOf(
        call('PurgeStack', { Doc: doc('Stack', 'nope', { realmId: R, spaceId: 'web' }), ...none }),
      ),
      'StackNotFound',
    );
    assert.equal(await kindOf(call('ListImages', { RealmName: `${R}x` })), 'RealmNotFound');
    assert.equal(await kindOf(call('GetRealm', { Doc: doc('Realm', '') })), 'RealmNameRequired');
    await assert.rejects(call('DeleteRealm', { Doc: doc('Realm', R), ...none }), (err: unknown) => {
      assert.ok(err instanceof DaemonReplyError);
      assert.equal(err.kind, 'ResourceHasDependencies');
      assert.equal(
        err.message,
        `failed to delete realm: resource has child resources: realm "${R}" has 1 space(s). Use --cascade to delete them or --force to skip validation`,
      );
      return true;
    });
    assert.ok(
      namespaces().includes(`${R}.${env.config.namespaceSuffix}`),
      'a refused delete changes nothing',
    );
  });

  test('images: load, list, get, delete in a realm', async () => {
    const img = testImages().images.busybox;
    const loaded = await call('LoadImage', { RealmName: R, Path: img.file });
    assert.deepEqual(
      loaded.Result.Images.map((i) => i.Name),
      [img.name],
    );
    const list = await call('ListImages', { RealmName: R });
    assert.deepEqual(
      list.Images.map((i) => i.Name),
      [img.name],
    );
    assert.match(list.Images[0].Digest, /^sha256:/);
    const got = await call('GetImage', { RealmName: R, Name: img.name });
    assert.equal(got.Result.Image.Name, img.name);
    const ns = `${R}.${env.config.namespaceSuffix}`;
    assert.ok(ctr(env.config.containerdSocket, ['images', 'ls', '-q'], ns).includes(img.name));
    await call('DeleteImage', { RealmName: R, Name: img.name });
    assert.deepEqual((await call('ListImages', { RealmName: R })).Images, []);
    assert.equal(await kindOf(call('GetImage', { RealmName: R, Name: img.name })), 'ImageNotFound');
  });

  test('cells: apply creates and starts, re-apply is unchanged, an env change updates, delete -f removes', async () => {
    const img = testImages().images.busybox;
    await call('LoadImage', { RealmName: R, Path: img.file });
    const cellYaml = (env: string) =>
      `kind: Cell\nmetadata:\n  name: app\nspec:\n  realmId: ${R}\n  spaceId: web\n  stackId: api\n  containers:\n` +
      `    - id: main\n      image: ${img.name}\n      command: sh\n` +
      `      args: ["-c", "trap 'exit 0' TERM; sleep 3600 & wait"]\n      env: ["MODE=${env}"]\n`;
    const first = await call('ApplyDocuments', { RawYAML: b64(cellYaml('a')), Team: '' });
    assert.deepEqual(first.Result.Resources[0], { index: 0, kind: 'Cell', name: 'app', action: 'created' });
    const id = { Doc: doc('Cell', 'app', { realmId: R, spaceId: 'web', stackId: 'api' }) };
    const got = await call('GetCell', id);
    assert.equal(got.Result.Cell.status?.state, 'Ready');
    assert.deepEqual(
      [got.Result.MetadataExists, got.Result.CgroupExists, got.Result.RootContainerTaskRunning],
      [true, true, true],
    );
    const ns = `${R}.${env.config.namespaceSuffix}`;
    const tasks = () =>
      ctr(env.config.containerdSocket, ['tasks', 'ls', '-q'], ns).split('\n').filter(Boolean);
    assert.equal(tasks().length, 2, 'root and workload tasks run');
    assert.deepEqual(
      (await call('ListCells', { RealmName: R, SpaceName: 'web', StackName: 'api' })).Cells.map(
        (c) => c.metadata?.name,
      ),
      ['app'],
    );

    const again = await call('ApplyDocuments', { RawYAML: b64(cellYaml('a')), Team: '' });
    assert.equal(again.Result.Resources[0].action, 'unchanged');
    const changed = await call('ApplyDocuments', { RawYAML: b64(cellYaml('b')), Team: '' });
    assert.equal(changed.Result.Resources[0].action, 'updated', JSON.stringify(changed.Result.Resources[0]));
    assert.deepEqual(changed.Result.Resources[0].changes, ['containers[main].env']);

    const stopped = await call('StopCell', id);
    assert.equal(stopped.Result.Stopped, true);
    assert.equal(stopped.Result.Cell.status?.state, 'Stopped');
    const running = () =>
      ctr(env.config.containerdSocket, ['tasks', 'ls'], ns)
        .split('\n')
        .filter((l) => / RUNNING$/.test(l.trim()));
    assert.deepEqual(running(), []);
    const started = await call('StartCell', id);
    assert.equal(started.Result.Cell.status?.state, 'Ready');
    assert.equal(running().length, 2);
    assert.equal(
      await kindOf(
        call('StartCell', { Doc: doc('Cell', 'nope', { realmId: R, spaceId: 'web', stackId: 'api' }) }),
      ),
      'CellNotFound',
    );

    const side =
      `kind: Container\nmetadata:\n  name: side\nspec:\n  id: side\n  realmId: ${R}\n  spaceId: web\n  stackId: api\n` +
      `  cellId: app\n  image: ${img.name}\n  command: sh\n  args: ["-c", "trap 'exit 0' TERM; sleep 3600 & wait"]\n`;
    const added = await call('ApplyDocuments', { RawYAML: b64(side), Team: '' });
    assert.equal(added.Result.Resources[0].action, 'created', JSON.stringify(added.Result.Resources[0]));
    assert.equal(tasks().length, 3, 'the standalone container runs in the cell');

    assert.equal(
      await kindOf(
        call('DeleteStack', {
          Doc: doc('Stack', 'api', { realmId: R, spaceId: 'web' }),
          Force: false,
          Cascade: false,
        }),
      ),
      'ResourceHasDependencies',
    );
    const dd = await call('DeleteDocuments', { RawYAML: b64(cellYaml('b')), Cascade: false, Force: false });
    assert.deepEqual(
      dd.Result.Resources.map((r) => `${r.kind} ${r.name} ${r.action}`),
      ['Cell app deleted'],
    );
    assert.deepEqual(tasks(), []);
    assert.equal((await call('GetCell', id)).Result.MetadataExists, false);
    await call('DeleteImage', { RealmName: R, Name: img.name });
  });

  test('refresh observes a cgroup removed behind the daemon’s back', async () => {
    const group = cgroupDir(stackCgroupPath(env.config.cgroupRoot, R, 'web', 'api'));
    rmdirSync(group);
    const r = await call('RefreshAll', {});
    assert.ok(r.Result.RealmsFound.includes(R));
    assert.deepEqual(r.Result.StacksUpdated, ['api']);
    assert.deepEqual(r.Result.Errors, []);
    const stack = await call('GetStack', { Doc: doc('Stack', 'api', { realmId: R, spaceId: 'web' }) });
    assert.equal(stack.Result.Stack.status?.state, 'Unknown');
    assert.equal(stack.Result.CgroupExists, false);
    // Refresh observes only: the cgroup is still missing.
    assert.ok(!existsSync(group));
  });

  test('delete cascade/force and purge', async () => {
    // Second space with a stack: force deletes the space and its stack.
    await call('ApplyDocuments', {
      RawYAML: b64(`kind: Stack\nmetadata:\n  name: jobs\nspec:\n  realmId: ${R}\n  spaceId: batch\n`),
      Team: '',
    });
    const forced = await call('DeleteSpace', {
      Doc: doc('Space', 'batch', { realmId: R }),
      Force: true,
      Cascade: false,
    });
    assert.deepEqual(forced.Result.Deleted, ['stack:jobs', 'metadata', 'cgroup', 'network']);
    assert.equal(forced.Result.CNINetworkDeleted, true);
    assert.ok(!existsSync(conflist(R, 'batch')));
    assert.ok(!existsSync(cgroupDir(spaceCgroupPath(env.config.cgroupRoot, R, 'batch'))));

    const stackRefused = await kindOf(
      call('DeleteStack', {
        Doc: doc('Stack', 'api', { realmId: R, spaceId: 'web' }),
        Force: false,
        Cascade: false,
      }),
    );
    assert.equal(stackRefused, 'no error', 'a stack without cells deletes without flags');

    const cascade = await call('DeleteRealm', { Doc: doc('Realm', R), Force: false, Cascade: true });
    assert.deepEqual(cascade.Result.Deleted, ['space:web', 'metadata', 'cgroup', 'namespace']);
    assert.ok(!namespaces().includes(`${R}.${env.config.namespaceSuffix}`));
    assert.ok(!existsSync(cgroupDir(realmCgroupPath(env.config.cgroupRoot, R))));
    assert.ok(!existsSync(conflist(R, 'web')));

    // Purge of a realm whose metadata is gone still succeeds (and cleans leftovers).
    ctr(env.config.containerdSocket, ['namespaces', 'create', `${R}x.${env.config.namespaceSuffix}`]);
    const purged = await call('PurgeRealm', { Doc: doc('Realm', `${R}x`), Force: false, Cascade: false });
    assert.equal(purged.Result.PurgeSucceeded, true);
    assert.equal(purged.Result.Realm.status?.state, 'Unknown');
    assert.ok(purged.Result.Purged.includes('containerd-namespace'));
    assert.ok(!namespaces().includes(`${R}x.${env.config.namespaceSuffix}`));

    const dd = await call('DeleteDocuments', { RawYAML: b64(manifest('a')), Cascade: false, Force: false });
    assert.deepEqual(
      dd.Result.Resources.map((r) => `${r.kind} ${r.action}`),
      ['Stack not found', 'Space not found', 'Realm not found'],
    );
  });

  test('SIGTERM exits 0 and removes the socket and pid file', async () => {
    assert.ok(daemon);
    const pidFile = daemonPidFilePath(socket());
    assert.equal(readFileSync(pidFile, 'utf8'), `${daemon.child.pid}\n`);
    client.close();
    const { code } = await stop(daemon);
    assert.equal(code, 0, daemon.stderr());
    assert.ok(!existsSync(socket()));
    assert.ok(!existsSync(pidFile));
    assert.match(daemon.stderr(), /received shutdown signal/);
    assert.match(daemon.stderr(), /kukeond stopped/);
  });

  test('a daemon SIGKILLed mid-create converges at its next start', async () => {
    const crashing = await start('0', { KUKEON_TEST_FAILPOINTS: 'realm.ensure.after-host' });
    client = new DaemonClient({ socketPath: socket() });
    const c = `${R}c`;
    await assert.rejects(call('CreateRealm', { Doc: doc('Realm', c) }));
    const died = await crashing.exited;
    assert.equal(died.signal, 'SIGKILL');
    assert.ok(existsSync(socket()), 'a SIGKILLed daemon leaves its socket behind');
    const pending = readFileSync(join(env.config.runPath, 'data', c, 'metadata.json'), 'utf8');
    assert.match(pending, /"state": "Creating"/);

    daemon = await start('0');
    client = new DaemonClient({ socketPath: socket() });
    assert.match(daemon.stderr(), /startup recovery done/);
    const got = await call('GetRealm', { Doc: doc('Realm', c) });
    assert.equal(got.Result.Realm.status?.state, 'Ready');
    assert.deepEqual(
      [got.Result.MetadataExists, got.Result.CgroupExists, got.Result.ContainerdNamespaceExists],
      [true, true, true],
    );
    const journal = join(env.config.runPath, 'journal');
    const left = existsSync(journal) ? snapshotHost(env.config).journal.filter((j) => !j.endsWith('/')) : [];
    assert.deepEqual(left, []);
    await call('PurgeRealm', { Doc: doc('Realm', c), Force: true, Cascade: true });
    client.close();
    assert.equal((await stop(daemon)).code, 0);
  });

  test('the reconcile loop heals a removed conflist and sweeps an orphan namespace', async () => {
    daemon = await start('200ms', {}, ['--sweep-every', '1']);
    client = new DaemonClient({ socketPath: socket() });
    await call('ApplyDocuments', {
      RawYAML: b64(`kind: Space\nmetadata:\n  name: heal\nspec:\n  realmId: ${R}\n`),
      Team: '',
    });
    const orphan = `${R}o.${env.config.namespaceSuffix}`;
    ctr(env.config.containerdSocket, ['namespaces', 'create', orphan]);
    const { rmSync } = await import('node:fs');
    rmSync(conflist(R, 'heal'));
    const deadline = Date.now() + 15_000;
    while ((!existsSync(conflist(R, 'heal')) || namespaces().includes(orphan)) && Date.now() < deadline) {
      await sleep(100);
    }
    assert.ok(
      existsSync(conflist(R, 'heal')),
      `conflist re-created by the space pass: ${daemon.stderr().slice(-3000)}`,
    );
    assert.ok(!namespaces().includes(orphan), 'orphan namespace swept');
    assert.match(daemon.stderr(), /space network reconcile ok/);
    assert.match(daemon.stderr(), /orphan sweep/);
    await call('DeleteRealm', { Doc: doc('Realm', R), Force: false, Cascade: true });
    client.close();
    assert.equal((await stop(daemon)).code, 0);
  });
  test('the first tick after a start sweeps: a lease a crashed daemon held goes at once', async () => {
    daemon = await start('0');
    client = new DaemonClient({ socketPath: socket() });
    const l = `${R}l`;
    await call('CreateRealm', { Doc: doc('Realm', l) });
    const ns = (await call('GetRealm', { Doc: doc('Realm', l) })).Result.Realm.spec?.namespace ?? '';
    client.close();
    assert.equal((await stop(daemon)).code, 0);
    // What a daemon SIGKILLed in the middle of a create leaves: a lease whose owner is gone.
    ctr(
      env.config.containerdSocket,
      ['leases', 'create', '--id', 'crashed', `${LEASE_OWNER_LABEL}=4194305@1`],
      ns,
    );
    const leases = () => ctr(env.config.containerdSocket, ['leases', 'ls', '-q'], ns).split('\n');
    assert.ok(leases().includes('crashed'));
    // A sweep only every 100000 ticks: only the first tick's can remove it.
    daemon = await start('200ms', {}, ['--sweep-every', '100000']);
    client = new DaemonClient({ socketPath: socket() });
    const deadline = Date.now() + 15_000;
    while (leases().includes('crashed') && Date.now() < deadline) await sleep(100);
    assert.ok(!leases().includes('crashed'), `lease swept: ${daemon.stderr().slice(-3000)}`);
    await call('PurgeRealm', { Doc: doc('Realm', l), Force: true, Cascade: true });
    client.close();
    assert.equal((await stop(daemon)).code, 0);
  });
});
