import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';

import { DocumentStore, IntentJournal, KeyedMutex } from '../../store/index.js';
import type { ContainerSpec } from '../../model/container.js';
import type { RunnerContext } from '../runner-context.js';
import { candidateScopes, locateVolume, resolveVolumeMounts } from './volume-mounts.js';
import {
  deleteVolume,
  diskUsage,
  finishVolumeIntent,
  getVolume,
  listVolumes,
  writeVolume,
  type VolumeRecord,
} from './volume-store.js';
import { refuseVolumeInUse, volumeUses } from './volume-users.js';

let dir: string;
const spec = (c: object): ContainerSpec => c as unknown as ContainerSpec;
let ctx: RunnerContext;

beforeEach(async () => {
  dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'volume-store-'));
  ctx = {
    config: { runPath: dir },
    store: new DocumentStore({ dataRoot: join(dir, 'data') }),
    journal: IntentJournal.forRunPath(dir),
    locks: new KeyedMutex(),
    log: { info() {}, warn() {}, error() {}, debug() {} },
  } as unknown as RunnerContext;
  await ctx.store.write(['r'], { kind: 'Realm', metadata: { name: 'r' } });
  await ctx.store.write(['r', 's'], { kind: 'Space', metadata: { name: 's' } });
  await ctx.store.write(['r', 's', 't'], { kind: 'Stack', metadata: { name: 't' } });
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a volume is a directory under its scope; re-writing it keeps it and only changes the policy', async () => {
  const first = await writeVolume(ctx, { realm: 'r', space: 's' }, 'data', 'Delete');
  assert.equal(first.created, true);
  assert.equal(first.record.path, join(dir, 'data', 'r', 's', 'volumes', 'data'));
  assert.equal(statSync(first.record.path).mode & 0o7777, 0o770);
  writeFileSync(join(first.record.path, 'kept'), 'x');
  const again = await writeVolume(ctx, { realm: 'r', space: 's' }, 'data', 'Delete');
  assert.deepEqual([again.created, again.updated], [false, false]);
  const retained = await writeVolume(ctx, { realm: 'r', space: 's' }, 'data', 'Retain');
  assert.deepEqual([retained.created, retained.updated], [false, true]);
  assert.equal(retained.record.reclaimPolicy, 'Retain');
  assert.equal(
    readFileSync(join(dir, 'data', 'r', 's', 'volume-meta', 'data.json'), 'utf8'),
    '{"reclaimPolicy":"Retain"}\n',
  );
  assert.equal(readFileSync(join(first.record.path, 'kept'), 'utf8'), 'x');
  assert.deepEqual((await ctx.journal.list()).intents, [], 'no intent left pending');
  // The store never lists the volumes directory as a child scope.
  assert.deepEqual(await ctx.store.listChildren(['r', 's']), ['t']);
});

test('list narrows by each coordinate given; delete removes the directory and its manifest', async () => {
  await writeVolume(ctx, { realm: 'r' }, 'a', 'Delete');
  await writeVolume(ctx, { realm: 'r', space: 's' }, 'b', 'Retain');
  await writeVolume(ctx, { realm: 'r', space: 's', stack: 't' }, 'c', 'Delete');
  const names = async (f: object) => (await listVolumes(ctx, f)).map((v) => v.name);
  assert.deepEqual(await names({}), ['a', 'b', 'c']);
  assert.deepEqual(await names({ realm: 'r', space: 's' }), ['b', 'c']);
  assert.deepEqual(await names({ realm: 'r', space: 's', stack: 't' }), ['c']);
  assert.deepEqual(await names({ realm: 'other' }), []);
  assert.equal(await deleteVolume(ctx, { realm: 'r', space: 's' }, 'b'), true);
  assert.equal(existsSync(join(dir, 'data', 'r', 's', 'volumes', 'b')), false);
  assert.equal(existsSync(join(dir, 'data', 'r', 's', 'volume-meta', 'b.json')), false);
  assert.equal(await deleteVolume(ctx, { realm: 'r', space: 's' }, 'b'), false);
});

test('removing a scope takes its Delete volumes and keeps its Retain ones, found again later', async () => {
  await writeVolume(ctx, { realm: 'r' }, 'scratch', 'Delete');
  const kept = await writeVolume(ctx, { realm: 'r', space: 's', stack: 't' }, 'db', 'Retain');
  writeFileSync(join(kept.record.path, 'rows'), '42');
  await ctx.store.removeScope(['r']);
  assert.deepEqual(await ctx.store.listChildren(), [], 'the realm is gone');
  assert.equal(existsSync(join(dir, 'data', 'r', 'volumes', 'scratch')), false);
  assert.equal(existsSync(join(dir, 'data', 'r', 'metadata.json')), false);
  assert.equal(existsSync(join(dir, 'data', 'r', 's', 't', 'metadata.json')), false);
  const v = await getVolume(ctx, { realm: 'r', space: 's', stack: 't' }, 'db');
  assert.equal(v?.reclaimPolicy, 'Retain');
  assert.equal(v?.scopeExists, false);
  assert.equal(readFileSync(join(kept.record.path, 'rows'), 'utf8'), '42');
  // A later scope of the same coordinates finds it again.
  await ctx.store.write(['r'], { kind: 'Realm', metadata: { name: 'r' } });
  await ctx.store.write(['r', 's'], { kind: 'Space', metadata: { name: 's' } });
  await ctx.store.write(['r', 's', 't'], { kind: 'Stack', metadata: { name: 't' } });
  assert.equal((await getVolume(ctx, { realm: 'r', space: 's', stack: 't' }, 'db'))?.scopeExists, true);
});

test('recovery finishes an interrupted create and an interrupted delete', async () => {
  const scope = { realm: 'r' };
  const create = await ctx.journal.record({
    op: 'create',
    kind: 'Volume',
    key: 'r/volumes/v',
    desired: 'present',
    payload: { scope, name: 'v', policy: 'Retain' },
  });
  await finishVolumeIntent(ctx, create);
  assert.equal((await getVolume(ctx, scope, 'v'))?.reclaimPolicy, 'Retain');
  const del = await ctx.journal.record({
    op: 'delete',
    kind: 'Volume',
    key: 'r/volumes/v',
    desired: 'absent',
    payload: { scope, name: 'v' },
  });
  await finishVolumeIntent(ctx, del);
  assert.equal(await getVolume(ctx, scope, 'v'), undefined);
});

test('a source is looked up in the stack, then the space, then the realm; a volumeRef exactly', async () => {
  const cell = { realm: 'r', space: 's', stack: 't' };
  assert.deepEqual(
    candidateScopes(cell, { kind: 'volume', source: 'v', target: '/v' }).map((c) => c.scope),
    [cell, { realm: 'r', space: 's' }, { realm: 'r' }],
  );
  await writeVolume(ctx, { realm: 'r' }, 'v', 'Delete');
  assert.equal(
    (await locateVolume(ctx, cell, { kind: 'volume', source: 'v', target: '/v' }))?.scope.realm,
    'r',
  );
  await writeVolume(ctx, { realm: 'r', space: 's' }, 'v', 'Delete');
  assert.deepEqual((await locateVolume(ctx, cell, { kind: 'volume', source: 'v', target: '/v' }))?.scope, {
    realm: 'r',
    space: 's',
  });
  const ref = { kind: 'volume' as const, target: '/v', volumeRef: { name: 'v', realm: 'r' } };
  assert.deepEqual((await locateVolume(ctx, cell, ref))?.scope, { realm: 'r' });
});

test('mounts resolve to bind mounts of the directory; a missing one is refused unless ensure', async () => {
  const cell = { realm: 'r', space: 's', stack: 't' };
  const container = {
    id: 'app',
    image: 'busybox',
    volumes: [
      { kind: 'volume' as const, source: 'data', target: '/data' },
      { kind: 'volume' as const, source: 'ro', target: '/ro', readOnly: true },
    ],
  };
  await assert.rejects(resolveVolumeMounts(ctx, cell, spec(container)), {
    code: 'VOLUME_NOT_FOUND',
    message: /volume "data" not found for container "app" \(looked in realm "r", space "s", stack "t"; /,
  });
  const ensured = {
    ...container,
    volumes: container.volumes.map((v) => ({ ...v, ensure: true })),
  };
  const r = await resolveVolumeMounts(ctx, cell, spec(ensured));
  const stackDir = join(dir, 'data', 'r', 's', 't', 'volumes');
  assert.deepEqual(r.container.volumes, [
    { kind: 'bind', source: join(stackDir, 'data'), target: '/data', readOnly: undefined },
    { kind: 'bind', source: join(stackDir, 'ro'), target: '/ro', readOnly: true },
  ]);
  assert.deepEqual(r.writable, [join(stackDir, 'data')]);
  const missingScope = {
    ...container,
    volumes: [
      { kind: 'volume' as const, target: '/x', ensure: true, volumeRef: { name: 'x', realm: 'nope' } },
    ],
  };
  await assert.rejects(resolveVolumeMounts(ctx, cell, spec(missingScope)), {
    message: 'volume "x" cannot be ensured for container "app": realm "nope" does not exist',
  });
});

test('disk usage counts the blocks under the directory', async () => {
  const v = await writeVolume(ctx, { realm: 'r' }, 'big', 'Delete');
  const empty = await diskUsage(v.record.path);
  writeFileSync(join(v.record.path, 'f'), Buffer.alloc(64 * 1024, 1));
  assert.ok((await diskUsage(v.record.path)) >= empty + 64 * 1024);
});

test('a volume that a cell being brought up mounts is not deleted; a delete in progress is waited for by a resolving create', async () => {
  const v = await writeVolume(ctx, { realm: 'r', space: 's' }, 'data', 'Delete');
  await ctx.store.write(['r', 's', 't', 'c'], {
    kind: 'Cell',
    metadata: { name: 'c' },
    spec: { containers: [{ id: 'app', volumes: [{ kind: 'volume', source: 'data', target: '/d' }] }] },
    status: { state: 'Pending' },
  });
  // Pending with no operation on it: not in use (a stopped or never-started cell does not pin).
  assert.equal((await volumeUses(ctx)).get(v.record.path)?.[0].running, false);
  // Created and about to start (the start intent a create records): in use.
  const intent = await ctx.journal.record({
    op: 'start',
    kind: 'Cell',
    key: 'r/s/t/c',
    desired: 'present',
    payload: { run: 'running' },
  });
  const refuse = (x: VolumeRecord) => refuseVolumeInUse(ctx, x);
  await assert.rejects(deleteVolume(ctx, { realm: 'r', space: 's' }, 'data', refuse), {
    code: 'VOLUME_IN_USE',
    message: 'volume "data" is in use by cell "c"',
  });
  assert.ok(existsSync(v.record.path));
  await ctx.journal.clear(intent);

  // A container create resolving the volume while its delete holds the lock gets "not found",
  // never the path of a directory about to be removed.
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let checking!: () => void;
  const inCheck = new Promise<void>((r) => (checking = r));
  const deleting = deleteVolume(ctx, { realm: 'r', space: 's' }, 'data', async (x) => {
    checking();
    await gate;
    await refuse(x);
  });
  await inCheck;
  const resolving = resolveVolumeMounts(
    ctx,
    { realm: 'r', space: 's', stack: 't' },
    spec({ id: 'app', volumes: [{ kind: 'volume', source: 'data', target: '/d' }] }),
  );
  open();
  assert.equal(await deleting, true);
  await assert.rejects(resolving, { code: 'VOLUME_NOT_FOUND' });
});
