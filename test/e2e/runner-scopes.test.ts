import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Runner } from '../../src/runner/runner.js';
import type { Realm, Space, Stack } from '../../src/model/resources.js';
import { attachNetwork, detachNetwork } from '../../src/cni/index.js';
import { defaultChainNames, spaceEgressChain } from '../../src/cni/egress/index.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';

const realmDoc = (name: string): Realm => ({
  metadata: { name, labels: { team: 'core' } },
  spec: { namespace: '' },
  status: { state: 'Pending', cgroupPath: '' },
});
const spaceDoc = (realm: string, name: string): Space => ({
  metadata: { name, labels: {} },
  spec: { realmId: realm },
  status: { state: 'Pending', cgroupPath: '' },
});
const stackDoc = (realm: string, space: string, name: string): Stack => ({
  metadata: { name, labels: {} },
  spec: { id: '', realmId: realm, spaceId: space },
  status: { state: 'Pending', cgroupPath: '' },
});

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });

describe('runner: realms, spaces and stacks on real containerd, cgroups and CNI', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let baseline: HostSnapshot;

  before(async () => {
    env = runnerEnv('runner-scopes');
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

  test('create realm → space → stack lands exactly in containerd, cgroups, CNI conflist and metadata', async () => {
    const cfg = env.config;
    const realm = await runner.createRealm(realmDoc('main'));
    assert.equal(realm.created, true);
    assert.equal(realm.realm.status.state, 'Ready');
    const ns = `main.${cfg.namespaceSuffix}`;
    assert.equal(realm.realm.spec.namespace, ns);
    assert.equal(realm.realm.metadata.labels['realm.kukeon.io'], ns, 'managed label added');
    assert.equal(realm.realm.metadata.labels.team, 'core', 'user label kept');
    assert.ok(
      sh('ctr', ['--address', cfg.containerdSocket, 'namespaces', 'ls', '-q']).split('\n').includes(ns),
    );

    const space = await runner.createSpace(spaceDoc('main', 'blog'));
    assert.equal(space.space.status.state, 'Ready');
    const stack = await runner.createStack(stackDoc('main', 'blog', 'web'));
    assert.equal(stack.stack.status.state, 'Ready');
    assert.equal(stack.stack.spec.id, 'web', 'stack id defaults to the name');

    // cgroup tree, in every v1 hierarchy of this host (or the v2 mount).
    const root = `/${cfg.cgroupRoot}`;
    assert.equal(stack.stack.status.cgroupPath, `${root}/main/blog/web`);
    for (const h of runner.ctx.cgroups.hierarchies()) {
      assert.ok(existsSync(join(h.mountPath, root, 'main', 'blog', 'web')), `stack cgroup in ${h.name}`);
    }

    // Conflist as docs/cni.md says: bridge with the safe name, host-local with the first /24.
    const conflistPath = join(cfg.runPath, 'data', 'main', 'blog', 'network.conflist');
    assert.equal(space.space.spec.cniConfigPath, conflistPath);
    const conflist = JSON.parse(readFileSync(conflistPath, 'utf8'));
    assert.equal(conflist.name, 'main-blog');
    assert.equal(conflist.plugins[0].type, 'bridge');
    assert.equal(conflist.plugins[0].bridge, `${cfg.bridgePrefix}da500047`, 'FNV-1a of main-blog');
    assert.equal(conflist.plugins[0].ipam.ranges[0][0].subnet, cfg.subnetPool.replace('/20', '/24'));
    const netState = JSON.parse(
      readFileSync(join(cfg.runPath, 'data', 'main', 'blog', 'network.json'), 'utf8'),
    );
    assert.deepEqual(netState, { version: 'v1', subnetCIDR: conflist.plugins[0].ipam.ranges[0][0].subnet });

    // Metadata documents are the v1beta1 JSON documents.
    const stackJson = JSON.parse(
      readFileSync(join(cfg.runPath, 'data', 'main', 'blog', 'web', 'metadata.json'), 'utf8'),
    );
    assert.equal(stackJson.apiVersion, 'v1beta1');
    assert.equal(stackJson.kind, 'Stack');
    assert.equal(stackJson.metadata.generation, 1);
    assert.equal(stackJson.status.state, 'Ready');

    // Nothing pending in the journal once the operations are done.
    assert.deepEqual((await runner.ctx.journal.list()).intents, []);

    // Re-creating is an ensure: nothing new, nothing lost.
    const again = await runner.createRealm(realmDoc('main'));
    assert.equal(again.created, false);
    assert.equal(again.namespaceCreated, false);
  });

  test('refresh reports what was removed behind its back, and ensure repairs it', async () => {
    const cfg = env.config;
    assert.equal((await runner.refreshRealm('main'))?.resource.status.state, 'Ready');

    // Remove the realm's namespace and the stack's cgroup by hand.
    const ns = `main.${cfg.namespaceSuffix}`;
    sh('ctr', ['--address', cfg.containerdSocket, 'namespaces', 'rm', ns]);
    const stackPath = `/${cfg.cgroupRoot}/main/blog/web`;
    await runner.ctx.cgroups.remove(stackPath);
    rmSync(join(cfg.runPath, 'data', 'main', 'blog', 'network.conflist'));

    const realm = await runner.refreshRealm('main');
    assert.equal(realm?.updated, true);
    assert.equal(realm?.resource.status.state, 'Unknown');
    assert.deepEqual(realm?.missing, ['containerd namespace']);
    const space = await runner.refreshSpace('main', 'blog');
    assert.deepEqual(space?.missing, ['CNI conflist']);
    const stack = await runner.refreshStack('main', 'blog', 'web');
    assert.equal(stack?.resource.status.state, 'Unknown');
    assert.match(stack?.resource.status.message ?? '', /cgroup/);

    const repaired = await runner.ensureRealm(realm!.resource);
    assert.equal(repaired.namespaceCreated, true);
    assert.equal(repaired.realm.status.state, 'Ready');
    const s = await runner.ensureSpace(space!.resource);
    assert.equal(s?.networkCreated, true);
    const t = await runner.ensureStack(stack!.resource);
    assert.equal(t.cgroupCreated, true);
    assert.equal((await runner.refreshStack('main', 'blog', 'web'))?.resource.status.state, 'Ready');
    assert.equal((await runner.refreshRealm('main'))?.resource.status.state, 'Ready');
  });

  test('the reconcile repair leaves a space alone while a delete of it or its realm is in flight, or once it is gone', async () => {
    const cfg = env.config;
    const conflist = join(cfg.runPath, 'data', 'main', 'blog', 'network.conflist');
    const space = (await runner.refreshSpace('main', 'blog'))!.resource;
    // Another process (an in-process `kuke purge` beside the daemon) has begun deleting: its intent
    // is in the shared journal. The repair must not re-create what that delete removes.
    for (const [kind, key] of [
      ['Space', 'main/blog'],
      ['Realm', 'main'],
    ] as const) {
      rmSync(conflist);
      const intent = await runner.ctx.journal.record({ op: 'delete', kind, key, desired: 'absent' });
      assert.equal(await runner.ensureSpace(space), undefined, `skipped under a ${kind} intent`);
      assert.equal(existsSync(conflist), false, `no conflist re-created under a ${kind} intent`);
      await runner.ctx.journal.clear(intent);
      assert.equal((await runner.ensureSpace(space))?.networkCreated, true);
    }
    // A space whose metadata is gone is not resurrected from the caller's copy.
    const gone = { ...space, metadata: { ...space.metadata, name: 'gone' } };
    assert.equal(await runner.ensureSpace(gone), undefined);
    assert.equal(existsSync(join(cfg.runPath, 'data', 'main', 'gone')), false);
  });

  test('a network namespace gets an address from the space subnet and loses it on DEL; spaces differ', async () => {
    const cfg = env.config;
    await runner.createSpace(spaceDoc('main', 'api'));
    const a = JSON.parse(readFileSync(join(cfg.runPath, 'data', 'main', 'blog', 'network.conflist'), 'utf8'));
    const b = JSON.parse(readFileSync(join(cfg.runPath, 'data', 'main', 'api', 'network.conflist'), 'utf8'));
    assert.notEqual(a.plugins[0].bridge, b.plugins[0].bridge);
    assert.notEqual(a.plugins[0].ipam.ranges[0][0].subnet, b.plugins[0].ipam.ranges[0][0].subnet);

    const netns = `kt-rs-${process.pid}`;
    sh('ip', ['netns', 'add', netns]);
    try {
      const conflist = join(cfg.runPath, 'data', 'main', 'blog', 'network.conflist');
      const att = await attachNetwork(runner.ctx.cni, {
        conflist,
        containerId: 'probe',
        netns: `/run/netns/${netns}`,
      });
      const subnetPrefix = a.plugins[0].ipam.ranges[0][0].subnet.split('.').slice(0, 3).join('.');
      assert.ok(att.ip.startsWith(subnetPrefix + '.'), `${att.ip} in ${subnetPrefix}.0/24`);
      assert.match(sh('ip', ['-n', netns, 'addr', 'show', 'eth0']), new RegExp(att.ip.replace(/\./g, '\\.')));
      assert.match(
        sh('ip', ['-br', 'link']),
        new RegExp(a.plugins[0].bridge),
        'bridge exists after the first attach',
      );
      await detachNetwork(runner.ctx.cni, {
        networkName: 'main-blog',
        conflist,
        containerId: 'probe',
        netns: `/run/netns/${netns}`,
      });
      assert.doesNotMatch(sh('ip', ['-n', netns, 'addr']), new RegExp(att.ip.replace(/\./g, '\\.')));
    } finally {
      sh('ip', ['netns', 'del', netns]);
    }
  });

  test('invalid names and missing parents fail before any side effect', async () => {
    const before = snapshotHost(env.config);
    await assert.rejects(
      runner.createRealm(realmDoc('a_b')),
      /realm name is invalid: "a_b" contains disallowed character/,
    );
    await assert.rejects(runner.createRealm(realmDoc('')), { code: 'REALM_NAME_REQUIRED' });
    await assert.rejects(runner.createSpace(spaceDoc('main', 'x/y')), { code: 'INVALID_NAME' });
    await assert.rejects(runner.createSpace(spaceDoc('nope', 'x')), {
      code: 'REALM_NOT_FOUND',
      message: 'realm "nope" not found',
    });
    await assert.rejects(runner.createStack(stackDoc('main', 'nope', 'x')), { code: 'SPACE_NOT_FOUND' });
    // Realm "main-blog"/space "x" … would share network "main-blog-x" with realm "main"/space "blog-x".
    await runner.createSpace(spaceDoc('main', 'blog-x'));
    await runner.createRealm(realmDoc('main-blog'));
    const mid = snapshotHost(env.config);
    await assert.rejects(runner.createSpace(spaceDoc('main-blog', 'x')), { code: 'NETWORK_NAME_COLLISION' });
    assert.deepEqual(snapshotHost(env.config), mid, 'a refused space changes nothing');
    await runner.deleteRealm('main-blog');
    await runner.deleteSpace('main', 'blog-x');
    assert.deepEqual(snapshotHost(env.config), before);
  });

  test('deleting a non-empty parent is refused, naming what is inside', async () => {
    await assert.rejects(runner.deleteRealm('main'), {
      code: 'RESOURCE_HAS_DEPENDENCIES',
      message: /realm "main" has child resources \(spaces: api, blog\)/,
    });
    await assert.rejects(
      runner.deleteSpace('main', 'blog'),
      /space "blog" has child resources \(stacks: web\)/,
    );
  });

  test('compatible updates are saved; breaking ones are refused', async () => {
    const desired = realmDoc('main');
    desired.metadata.labels = { team: 'platform' };
    const updated = await runner.updateRealm(desired);
    assert.equal(updated.diff.class, 'compatible');
    assert.equal(updated.resource.metadata.labels.team, 'platform');
    assert.ok(updated.resource.metadata.labels['realm.kukeon.io'], 'managed label preserved');
    desired.spec.namespace = 'other.ns';
    await assert.rejects(runner.updateRealm(desired), {
      code: 'BREAKING_UPDATE',
      message: /spec\.namespace/,
    });
  });

  test('delete (cascade) and purge leave nothing behind; purging "dev" leaves "dev-2" untouched', async () => {
    const cfg = env.config;
    await runner.createRealm(realmDoc('dev'));
    await runner.createSpace(spaceDoc('dev', 'app'));
    await runner.createStack(stackDoc('dev', 'app', 'svc'));
    const devOnly = snapshotHost(cfg);
    await runner.createRealm(realmDoc('dev-2'));
    await runner.createSpace(spaceDoc('dev-2', 'app'));
    // An attachment in dev-2 gives it a bridge, a lease and a masquerade chain that must survive.
    const netns = `kt-dev2-${process.pid}`;
    sh('ip', ['netns', 'add', netns]);
    try {
      const conflist = join(cfg.runPath, 'data', 'dev-2', 'app', 'network.conflist');
      await attachNetwork(runner.ctx.cni, { conflist, containerId: 'c1', netns: `/run/netns/${netns}` });
      const withDev2 = snapshotHost(cfg);

      const r = await runner.purgeRealm('dev', { cascade: true });
      assert.deepEqual(r.deleted.sort(), ['space:app', 'stack:svc']);
      const afterPurge = snapshotHost(cfg);
      assert.deepEqual(afterPurge.ipam, withDev2.ipam, 'dev-2 leases untouched');
      const devChain = spaceEgressChain(defaultChainNames(cfg.bridgePrefix), 'dev', 'app');
      assert.ok(withDev2.chains.includes(devChain), 'dev/app had its egress chain');
      assert.deepEqual(
        afterPurge.chains,
        withDev2.chains.filter((c) => c !== devChain),
        'only dev chains went',
      );
      assert.ok(afterPurge.namespaces.includes(`dev-2.${cfg.namespaceSuffix}`));
      assert.ok(!afterPurge.namespaces.includes(`dev.${cfg.namespaceSuffix}`));
      assert.ok(afterPurge.links.some((l) => withDev2.links.includes(l) && l.startsWith(cfg.bridgePrefix)));
      assert.ok(
        afterPurge.cgroups.every((c) => !c.includes('/dev/')),
        'no dev cgroup left',
      );
      assert.ok(devOnly.metadata.length > 0);
      await detachNetwork(runner.ctx.cni, {
        networkName: 'dev-2-app',
        conflist,
        containerId: 'c1',
        netns: `/run/netns/${netns}`,
      });
    } finally {
      sh('ip', ['netns', 'del', netns]);
    }
    const d = await runner.deleteRealm('dev-2', { cascade: true });
    assert.equal(d.namespaceDeleted, true);
    assert.deepEqual(d.deleted, ['space:app']);

    const res = await runner.deleteRealm('main', { cascade: true });
    assert.deepEqual(res.deleted.sort(), ['space:api', 'space:blog', 'stack:web']);
    const end = snapshotHost(cfg);
    // The root cgroup itself was made by the first realm; everything else must be as it started.
    assert.deepEqual({ ...end, cgroups: [], metadata: [] }, { ...baseline, cgroups: [], metadata: [] });
    assert.deepEqual(end.metadata, [], 'no metadata left');
    assert.ok(
      end.cgroups.every((c) => /:\/kukeon-t\d+$/.test(c)),
      `only the root cgroup is left: ${end.cgroups}`,
    );
    const again = await runner.deleteRealm('main');
    assert.deepEqual(
      again,
      { metadataDeleted: false, cgroupDeleted: false, namespaceDeleted: false, deleted: [] },
      'idempotent',
    );
  });
});
