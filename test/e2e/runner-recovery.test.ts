import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Runner } from '../../src/runner/runner.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { testImages } from '../../scripts/make-test-images.js';
import { LEASE_OWNER_LABEL, ownedLeaseLabels } from '../../src/runner/lease-owner.js';

const child = fileURLToPath(new URL('../helpers/runner-child.js', import.meta.url));

const realm = (name: string) => ({
  metadata: { name, labels: {} },
  spec: { namespace: '' },
  status: { state: 'Pending', cgroupPath: '' },
});
const space = (r: string, name: string) => ({
  metadata: { name, labels: {} },
  spec: { realmId: r },
  status: { state: 'Pending', cgroupPath: '' },
});
const stack = (r: string, s: string, name: string) => ({
  metadata: { name, labels: {} },
  spec: { id: '', realmId: r, spaceId: s },
  status: { state: 'Pending', cgroupPath: '' },
});

describe('runner: crash recovery, ownership sweep and realm images', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let baseline: HostSnapshot;

  /** Runs `op` in a child that SIGKILLs itself at `failpoint`; asserts it really died there. */
  function crashAt(failpoint: string, op: string, ...args: unknown[]): void {
    const r = spawnSync(process.execPath, [child, JSON.stringify({ config: env.config, op, args })], {
      env: { ...process.env, KUKEON_TEST_FAILPOINTS: failpoint },
      encoding: 'utf8',
    });
    assert.equal(r.signal, 'SIGKILL', `child should die at ${failpoint}: ${r.stderr}`);
  }

  before(async () => {
    env = runnerEnv('runner-recovery');
    runner = await Runner.open(env.config);
    baseline = snapshotHost(env.config);
  });

  after(async () => {
    try {
      for (const r of await runner.listRealms()) await runner.purgeRealm(r.metadata.name, { cascade: true });
      await runner.ctx.cgroups.remove(`/${env.config.cgroupRoot}`, { force: true });
    } finally {
      runner.close();
      env.cleanup();
    }
  });

  test('a create killed half-way is finished by recovery', async () => {
    crashAt('realm.ensure.after-host', 'createRealm', realm('alpha'));
    const pending = (await runner.ctx.journal.list()).intents;
    assert.deepEqual(
      pending.map((i) => `${i.op} ${i.kind} ${i.key} ${i.desired}`),
      ['create Realm alpha present'],
    );
    const report = await runner.recoverIntents();
    assert.deepEqual(report.finished, ['create Realm alpha']);
    const r = await runner.getRealm('alpha');
    assert.equal(r?.status.state, 'Ready');
    assert.equal((await runner.refreshRealm('alpha'))?.missing.length, 0);

    crashAt('space.create.after-stub', 'createSpace', space('alpha', 'web'));
    crashAt('stack.create.after-stub', 'createStack', stack('alpha', 'web', 'svc'));
    // The stack's create could not even start: its parent space is still a stub (Creating), but
    // the stub exists, so the stack stub was written and both intents are pending.
    const report2 = await runner.recoverIntents();
    assert.deepEqual(report2.failed, []);
    assert.equal((await runner.getSpace('alpha', 'web'))?.status.state, 'Ready');
    assert.equal((await runner.getStack('alpha', 'web', 'svc'))?.status.state, 'Ready');
    assert.equal((await runner.refreshSpace('alpha', 'web'))?.missing.length, 0);
    assert.deepEqual((await runner.ctx.journal.list()).intents, []);
  });

  test('a delete killed half-way is finished by recovery and leaves nothing', async () => {
    crashAt('realm.delete.after-host', 'deleteRealm', 'alpha', { cascade: true });
    const pending = (await runner.ctx.journal.list()).intents.map((i) => `${i.op} ${i.kind} ${i.key}`);
    assert.ok(pending.includes('delete Realm alpha'), pending.join(','));
    await runner.recoverIntents();
    assert.equal(await runner.getRealm('alpha'), undefined);
    const now = snapshotHost(env.config);
    assert.deepEqual({ ...now, cgroups: [] }, { ...baseline, cgroups: [] });
    assert.ok(now.cgroups.every((c) => !c.includes('/alpha')));
  });

  test('an intent whose process still runs is left to it; once that process is gone it is recovered', async () => {
    // Another process on the same run path (an in-process kuke beside kukeond) records an intent
    // and is still at work: recovery here must not finish it behind its back.
    const journal = fileURLToPath(new URL('../../src/store/journal.js', import.meta.url));
    const script =
      `const { IntentJournal } = await import(${JSON.stringify(journal)});` +
      `await IntentJournal.forRunPath(${JSON.stringify(env.config.runPath)}).record(` +
      `{ op: 'create', kind: 'Realm', key: 'beta', desired: 'present' });` +
      `process.stdout.write('recorded\\n'); setInterval(() => {}, 1000);`;
    const other = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await once(other.stdout!, 'data');
      assert.deepEqual((await runner.recoverIntents()).finished, [], 'left to the live process');
      assert.deepEqual(
        (await runner.ctx.journal.list()).intents.map((i) => i.key),
        ['beta'],
      );
    } finally {
      const exited = once(other, 'exit');
      other.kill('SIGKILL');
      await exited;
    }
    assert.deepEqual((await runner.recoverIntents()).finished, ['create Realm beta']);
    assert.deepEqual((await runner.ctx.journal.list()).intents, []);
  });

  test('the ownership sweep removes only what carries our mark and has no metadata', async () => {
    const cfg = env.config;
    await runner.createRealm(realm('keep') as never);
    await runner.createSpace(space('keep', 'net') as never);
    // Orphans: a namespace with our suffix, a cgroup under our root, a bridge with our prefix.
    const ctr = (...a: string[]) =>
      execFileSync('ctr', ['--address', cfg.containerdSocket, ...a], { encoding: 'utf8' });
    ctr('namespaces', 'create', `ghost.${cfg.namespaceSuffix}`);
    ctr('namespaces', 'create', `foreign-${process.pid}`);
    const root = runner.ctx.cgroups.hierarchies()[0].mountPath;
    mkdirSync(join(root, cfg.cgroupRoot, 'ghost'));
    await runner.ctx.cgroups.ensure(`/${cfg.cgroupRoot}/keep/net/ghost-stack`);
    execFileSync('ip', ['link', 'add', `${cfg.bridgePrefix}dead`, 'type', 'bridge']);
    execFileSync('ip', ['link', 'add', `kx${process.pid % 1000}`, 'type', 'bridge']);
    // Leases: one whose owner process is gone (a crash mid-write), one of this live process, one
    // without our label (somebody else's): only the first goes.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const ns = `keep.${cfg.namespaceSuffix}`;
    const deadOwner = `${dead.stdout}@1`;
    const orphanLease = await runner.ctx.containerd.leases.create(ns, {
      labels: { [LEASE_OWNER_LABEL]: deadOwner },
    });
    const liveLease = await runner.ctx.containerd.leases.create(ns, { labels: ownedLeaseLabels() });
    const foreignLease = await runner.ctx.containerd.leases.create(ns, {});
    try {
      const report = await runner.sweepOrphans();
      assert.deepEqual(report.errors, []);
      assert.deepEqual(report.leases, [`${ns}/${orphanLease.id}`]);
      const left = (await runner.ctx.containerd.leases.list(ns)).map((l) => l.id).sort();
      assert.deepEqual(left, [liveLease.id, foreignLease.id].sort());
      await runner.ctx.containerd.leases.delete(ns, liveLease.id);
      await runner.ctx.containerd.leases.delete(ns, foreignLease.id);
      assert.deepEqual(report.namespaces, [`ghost.${cfg.namespaceSuffix}`]);
      assert.deepEqual(report.cgroups.sort(), [
        `/${cfg.cgroupRoot}/ghost`,
        `/${cfg.cgroupRoot}/keep/net/ghost-stack`,
      ]);
      assert.deepEqual(report.network.bridges, [`${cfg.bridgePrefix}dead`]);
      const after = snapshotHost(cfg);
      assert.ok(after.namespaces.includes(`keep.${cfg.namespaceSuffix}`), 'a live realm is kept');
      assert.ok(
        ctr('namespaces', 'ls', '-q').includes(`foreign-${process.pid}`),
        'a foreign namespace is untouched',
      );
      assert.match(
        execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }),
        new RegExp(`kx${process.pid % 1000}`),
      );
      assert.equal((await runner.refreshSpace('keep', 'net'))?.missing.length, 0, 'the live space is intact');
    } finally {
      ctr('namespaces', 'rm', `foreign-${process.pid}`);
      execFileSync('ip', ['link', 'del', `kx${process.pid % 1000}`]);
    }
  });

  test('images load, list, get and delete per realm; unknown names and realms are typed errors', async () => {
    const img = testImages().images.busybox;
    const loaded = await runner.loadImage('keep', img.file);
    assert.deepEqual(
      loaded.images.map((i) => i.name),
      [img.name],
    );
    assert.deepEqual(
      (await runner.listImages('keep')).map((i) => i.name),
      [img.name],
    );
    assert.equal((await runner.getImage('keep', img.name)).target.digest, img.manifestDigest);
    await assert.rejects(runner.getImage('keep', 'nope:1'), { code: 'IMAGE_NOT_FOUND' });
    await assert.rejects(runner.listImages('nope'), { code: 'REALM_NOT_FOUND' });
    await runner.deleteImage('keep', img.name);
    assert.deepEqual(await runner.listImages('keep'), []);
    await runner.deleteRealm('keep', { cascade: true });
    const end = snapshotHost(env.config);
    assert.deepEqual({ ...end, cgroups: [] }, { ...baseline, cgroups: [] });
  });
});
