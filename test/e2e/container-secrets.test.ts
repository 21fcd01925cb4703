// Container secrets on real containers (docs/secrets.md): a Secret in the root-only store reaches
// a container by secretRef as an env variable and as a 0400 file staged on a tmpfs the runner
// mounts, nothing staged is left once the cell is gone, the value is nowhere else under the run
// path, and a change of the Secret marks the cell out of sync until a restart picks it up.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Runner } from '../../src/runner/runner.js';
import type { ContainerSpec } from '../../src/model/container.js';
import { hasCode } from '../../src/errors.js';
import { secretFilePath } from '../../src/store/index.js';
import { mountTypeAt, stagedDir } from '../../src/runner/secrets/secret-staging.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { cellModel, containerModel, provisionStack } from '../helpers/cell-docs.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { filesContaining } from '../helpers/files-containing.js';
import { testImages } from '../../scripts/make-test-images.js';

const at = { realm: 'r', space: 's', stack: 't' };
const SLEEP = 'trap "exit 0" TERM; sleep 3600 & wait';

describe('container secrets: secretRef as env and as a tmpfs-staged file', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let pristine: HostSnapshot;
  let busybox: string;
  let ns: string;
  const value = `kukeon-secret-${randomBytes(12).toString('hex')}`;
  const secret = { name: 'api', realm: 'r', space: 's' };
  const stackSecret = { name: 'api', realm: 'r', space: 's', stack: 't' };

  const exec = (id: string, cmd: string): { code: number; out: string } => {
    const r = spawnSync(
      'ctr',
      [
        '--address',
        env.config.containerdSocket,
        '--namespace',
        ns,
        'tasks',
        'exec',
        '--exec-id',
        `x${process.pid}${randomBytes(3).toString('hex')}`,
        id,
        'sh',
        '-c',
        cmd,
      ],
      { encoding: 'utf8' },
    );
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`.trim() };
  };
  const workload = (over: Partial<ContainerSpec> = {}): ContainerSpec =>
    containerModel('w', busybox, { command: 'sh', args: ['-c', SLEEP], user: '1000:1000', ...over });
  const withSecrets = (): ContainerSpec =>
    workload({
      secrets: [
        { name: 'TOKEN', secretRef: secret },
        { name: 'STACK_TOKEN', secretRef: stackSecret },
        { name: 'token', secretRef: secret, mountPath: '/run/secrets/token' },
      ],
    });

  before(async () => {
    env = runnerEnv('container-secrets');
    runner = await Runner.open(env.config);
    pristine = snapshotHost(env.config);
    const images = testImages().images;
    await provisionStack(runner, at, [images.busybox.file]);
    busybox = images.busybox.name;
    ns = `${at.realm}.${env.config.namespaceSuffix}`;
  });

  after(async () => {
    await purgeAndCheckHost(env, pristine);
  });

  test('secretRef reaches the container as env and as a 0400 file; nothing staged is left after the cell is deleted', async () => {
    const w = await runner.writeSecret(secret, value);
    assert.equal(w.created, true);
    assert.equal(w.secret.sizeBytes, value.length);
    await runner.writeSecret(stackSecret, 'of-the-stack');
    const cell = cellModel(at, 'sec', [withSecrets()]);
    await runner.createCell(cell);
    assert.equal((await runner.startCell(cell)).status.state, 'Ready');
    const id = 's_t_sec_w';

    assert.equal(exec(id, "tr '\\0' '\\n' < /proc/1/environ | grep '^TOKEN='").out, `TOKEN=${value}`);
    assert.equal(
      exec(id, "tr '\\0' '\\n' < /proc/1/environ | grep '^STACK_TOKEN='").out,
      'STACK_TOKEN=of-the-stack',
      'the Secret at exactly the stack coordinates, not the space one of the same name',
    );
    assert.equal(exec(id, 'cat /run/secrets/token').out, value);
    assert.equal(exec(id, 'stat -c "%a %u:%g" /run/secrets/token').out, '400 1000:1000');
    const write = exec(id, 'echo x > /run/secrets/token');
    assert.notEqual(write.code, 0, 'the secret file is mounted read-only');
    assert.match(exec(id, 'grep " /run/secrets/token " /proc/self/mounts').out, /tmpfs ro,/);

    // On the host: one 0700 directory per container on a tmpfs of ours, one 0400 file in it.
    const staging = env.config.secretStagingDir;
    assert.equal(await mountTypeAt(staging), 'tmpfs');
    const dir = stagedDir(env.config, ns, id);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'token')).mode & 0o777, 0o400);

    // The value is nowhere under the run path but in the Secret's own file (the staged copy is
    // on the tmpfs, outside it; containerd's record holds the env, as the container's own).
    const stored = secretFilePath(env.config.secretStoreDir, secret);
    assert.deepEqual(filesContaining(env.config.runPath, value), [stored]);
    assert.deepEqual(filesContaining(staging, value), [join(dir, 'token')]);
    const cellYaml = JSON.stringify(await runner.getCell(runner.cellRef({ ...at, name: 'sec' })));
    assert.ok(!cellYaml.includes(value) && cellYaml.includes('"secretRef"'));

    await runner.deleteCell((await runner.getCell(runner.cellRef({ ...at, name: 'sec' })))!);
    assert.deepEqual(readdirSync(staging), [], 'the staging tmpfs is empty once the cell is gone');
  });

  test('the secret store is root-only: directories 0700, files 0600, unreadable by another user', () => {
    const stored = secretFilePath(env.config.secretStoreDir, secret);
    assert.equal(statSync(env.config.secretStoreDir).mode & 0o777, 0o700);
    assert.equal(statSync(stored).mode & 0o777, 0o600);
    const asNobody = (args: string[]) =>
      spawnSync(args[0], args.slice(1), { uid: 65534, gid: 65534, encoding: 'utf8' });
    const cat = asNobody(['cat', stored]);
    assert.notEqual(cat.status, 0);
    assert.match(cat.stderr, /Permission denied/);
    assert.ok(!cat.stdout.includes(value));
    assert.notEqual(asNobody(['ls', env.config.secretStoreDir]).status, 0);
  });

  test('a changed Secret marks the running cell out of sync; a restart picks up the new value', async () => {
    const cell = cellModel(at, 'sync', [withSecrets()]);
    await runner.createCell(cell);
    await runner.startCell(cell);
    const ref = runner.cellRef({ ...at, name: 'sync' });
    const next = `${value}-v2`;
    const w = await runner.writeSecret(secret, next);
    assert.deepEqual([w.created, w.changed], [false, true]);
    assert.deepEqual(w.outOfSync, ['r/s/t/sync']);
    const marked = (await runner.getCell(ref))!;
    assert.equal(marked.status.outOfSync, true);
    assert.match(
      marked.status.outOfSyncReason ?? '',
      /secret "api" \(realm "r", space "s"\) changed .*restart the cell/,
    );
    assert.equal(
      exec('s_t_sync_w', 'cat /run/secrets/token').out,
      value,
      'the running container keeps its value',
    );

    await runner.stopCell(marked);
    const started = await runner.startCell((await runner.getCell(ref))!);
    assert.equal(started.status.state, 'Ready');
    assert.equal(started.status.outOfSync, undefined, 'in sync again after the restart');
    assert.equal(
      exec('s_t_sync_w', "tr '\\0' '\\n' < /proc/1/environ | grep '^TOKEN='").out,
      `TOKEN=${next}`,
    );
    assert.equal(exec('s_t_sync_w', 'cat /run/secrets/token').out, next);
    const again = await runner.writeSecret(secret, next);
    assert.deepEqual(
      [again.created, again.changed, again.outOfSync],
      [false, false, []],
      'same data: no change',
    );
    assert.equal((await runner.getCell(ref))!.status.outOfSync, undefined);

    // In use: the Secret cannot be deleted while a cell refers to it.
    await assert.rejects(
      runner.deleteSecret(secret),
      (e: unknown) =>
        hasCode(e, 'SECRET_IN_USE') &&
        /secret "api" \(realm "r", space "s"\) is in use by cell "sync"/.test((e as Error).message),
    );
    await runner.deleteCell((await runner.getCell(ref))!);
  });

  test('a cell-scoped Secret reaches a container of its cell and is removed with the cell', async () => {
    const cell = cellModel(at, 'own', [workload()]);
    await runner.createCell(cell);
    await runner.startCell(cell);
    const mine = { name: 'mine', realm: 'r', space: 's', stack: 't', cell: 'own' };
    await runner.writeSecret(mine, 'of-the-cell');
    const ref = runner.cellRef({ ...at, name: 'own' });
    const desired = structuredClone((await runner.getCell(ref))!);
    desired.spec.containers = desired.spec.containers.map((c) =>
      c.id === 'w' ? { ...c, secrets: [{ name: 'MINE', secretRef: mine }] } : c,
    );
    await runner.updateCell(desired);
    assert.equal(
      exec('s_t_own_w', "tr '\\0' '\\n' < /proc/1/environ | grep '^MINE='").out,
      'MINE=of-the-cell',
    );
    await runner.deleteCell((await runner.getCell(ref))!);
    assert.equal(await runner.getSecret(mine), undefined, 'a Secret goes with its scope');
    assert.ok(await runner.getSecret(secret), 'Secrets of other scopes stay');
  });

  test('a missing Secret refuses the cell naming it, and leaves nothing staged', async () => {
    const cell = cellModel(at, 'miss', [
      workload({ secrets: [{ name: 'X', secretRef: { name: 'nope', realm: 'r' }, mountPath: '/run/x' }] }),
    ]);
    await assert.rejects(runner.createCell(cell), (e: unknown) =>
      /secret "X" \(secrets\[0\]\): secret "nope" not found in realm "r"/.test((e as Error).message),
    );
    assert.deepEqual(readdirSync(env.config.secretStagingDir), []);
  });

  test('the ownership sweep removes a staged directory whose container is gone', async () => {
    const stray = stagedDir(env.config, ns, 's_t_gone_w');
    mkdirSync(stray, { recursive: true, mode: 0o700 });
    writeFileSync(join(stray, 'leftover'), 'x', { mode: 0o400 });
    const orphanNs = stagedDir(env.config, `gone.${env.config.namespaceSuffix}`, 'a_b_c_d');
    mkdirSync(orphanNs, { recursive: true, mode: 0o700 });
    const report = await runner.sweepOrphans();
    assert.deepEqual(
      report.stagedSecrets,
      [`gone.${env.config.namespaceSuffix}/a_b_c_d`, `${ns}/s_t_gone_w`].sort(),
    );
    assert.deepEqual(readdirSync(env.config.secretStagingDir), []);
    // Deleting the space takes its Secrets along; the realm is purged by the after-hook.
    assert.ok(await runner.getSecret(secret));
  });
});
