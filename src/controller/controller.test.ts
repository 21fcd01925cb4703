import { ErrorCode } from '../error-codes.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KukeonError } from '../errors.js';
import { MANIFEST_EMPTY, MANIFEST_INVALID } from '../api/index.js';
import { Controller } from './controller.js';
import { fakeController, type FakeRunner } from './fake-runner.test-helper.js';

function setup(): { fake: FakeRunner; controller: Controller } {
  return fakeController();
}

const realm = (name: string, labels = '{}') =>
  `apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: ${name}\n  labels: ${labels}\n`;
const space = (r: string, name: string, labels = '{}') =>
  `kind: Space\nmetadata:\n  name: ${name}\n  labels: ${labels}\nspec:\n  realmId: ${r}\n`;
const stack = (r: string, s: string, name: string) =>
  `kind: Stack\nmetadata:\n  name: ${name}\nspec:\n  realmId: ${r}\n  spaceId: ${s}\n`;
const cell = (name: string) =>
  `kind: Cell\nmetadata:\n  name: ${name}\nspec:\n  realmId: r1\n  spaceId: s1\n  stackId: t1\n  containers:\n    - id: app\n      image: busybox\n`;
const stream = (...docs: string[]) => docs.join('---\n');

const code = (c: string) => (err: unknown) => err instanceof KukeonError && err.code === c;

describe('controller apply: classification and ordering', () => {
  test('documents run in kind order (ties in file order) and results follow processing order', async () => {
    const { fake, controller } = setup();
    const results = await controller.applyDocuments(
      stream(stack('r1', 's1', 't1'), space('r1', 's1'), realm('r2'), realm('r1'), space('r1', 's2')),
    );
    assert.deepEqual(
      results.map((r) => `${r.index} ${r.kind} ${r.name} ${r.action}`),
      [
        '2 Realm r2 created',
        '3 Realm r1 created',
        '1 Space s1 created',
        '4 Space s2 created',
        '0 Stack t1 created',
      ],
    );
    assert.deepEqual(fake.calls, [
      'createRealm r2',
      'createRealm r1',
      'createSpace r1/s1',
      'createSpace r1/s2',
      'createStack r1/s1/t1',
    ]);
  });

  test('re-apply is unchanged; a label change is an update listing the change; no runner writes when unchanged', async () => {
    const { fake, controller } = setup();
    const text = stream(realm('r1', '{team: a}'), space('r1', 's1'), stack('r1', 's1', 't1'));
    await controller.applyDocuments(text);
    fake.calls = [];
    const again = await controller.applyDocuments(text);
    assert.deepEqual(
      again.map((r) => r.action),
      ['unchanged', 'unchanged', 'unchanged'],
    );
    assert.deepEqual(fake.calls, []);
    const changed = await controller.applyDocuments(realm('r1', '{team: b}'));
    assert.equal(changed[0].action, 'updated');
    assert.deepEqual(changed[0].changes, ['metadata.labels']);
    assert.deepEqual(fake.calls, ['updateRealm r1']);
    assert.equal(fake.realms.get('r1')?.metadata.labels.team, 'b');
  });

  test('a breaking change fails with the delete-and-recreate message and touches nothing', async () => {
    const { fake, controller } = setup();
    await controller.applyDocuments(realm('r1'));
    fake.calls = [];
    const results = await controller.applyDocuments(
      stream('kind: Realm\nmetadata:\n  name: r1\nspec:\n  namespace: other-ns\n', realm('r2')),
    );
    assert.equal(results[0].action, 'failed');
    assert.equal(
      results[0].error,
      'realm "r1" has breaking changes: [spec.namespace]. Delete the realm and recreate it with the new spec',
    );
    // The failure did not stop the next document.
    assert.equal(results[1].action, 'created');
    assert.deepEqual(fake.calls, ['createRealm r2']);
  });

  test('missing parents are created with defaults and reported in details', async () => {
    const { fake, controller } = setup();
    const results = await controller.applyDocuments(stack('r9', 's9', 't9'));
    assert.equal(results[0].action, 'created');
    assert.deepEqual(results[0].details, { realm: 'created', space: 'created' });
    assert.deepEqual(fake.calls, ['createRealm r9', 'createSpace r9/s9', 'createStack r9/s9/t9']);
  });

  test('a runner failure marks only that document failed', async () => {
    const { fake, controller } = setup();
    fake.failNext.set('createSpace', new KukeonError('CREATE_SPACE', 'failed to create space "s1": boom'));
    const results = await controller.applyDocuments(
      stream(realm('r1'), space('r1', 's1'), space('r1', 's2')),
    );
    assert.deepEqual(
      results.map((r) => [r.name, r.action, r.error]),
      [
        ['r1', 'created', undefined],
        ['s1', 'failed', 'failed to create space "s1": boom'],
        ['s2', 'created', undefined],
      ],
    );
  });

  test('an invalid document rejects the whole stream before anything is applied', async () => {
    const { fake, controller } = setup();
    await assert.rejects(
      controller.applyDocuments(stream(realm('r1'), 'kind: Space\nmetadata:\n  name: s1\n')),
      code(MANIFEST_INVALID),
    );
    await assert.rejects(controller.applyDocuments('\n---\n'), code(MANIFEST_EMPTY));
    assert.deepEqual(fake.calls, []);
  });

  test('a registered handler takes over its kind', async () => {
    const { controller } = setup();
    controller.registerApplyHandler('Cell', async (doc) => ({
      action: 'created',
      details: { seen: doc.name },
    }));
    const [r] = await controller.applyDocuments(cell('c1'));
    assert.deepEqual(r, { index: 0, kind: 'Cell', name: 'c1', action: 'created', details: { seen: 'c1' } });
  });
});

describe('controller delete -f', () => {
  test('reverse dependency order, not found is not a failure, cascade reports children', async () => {
    const { fake, controller } = setup();
    await controller.applyDocuments(stream(realm('r1'), space('r1', 's1'), stack('r1', 's1', 't1')));
    fake.calls = [];
    const text = stream(realm('r1'), space('r1', 's1'), stack('r1', 's1', 't1'), realm('gone'));
    const results = await controller.deleteDocuments(text, { cascade: false, force: false });
    assert.deepEqual(
      results.map((r) => `${r.kind} ${r.name} ${r.action}`),
      ['Stack t1 deleted', 'Space s1 deleted', 'Realm r1 deleted', 'Realm gone not found'],
    );
    assert.deepEqual(fake.calls, [
      'deleteStack r1/s1/t1 cascade=false',
      'deleteSpace r1/s1 cascade=false',
      'deleteRealm r1 cascade=false',
    ]);

    await controller.applyDocuments(stream(realm('r2'), space('r2', 's1'), stack('r2', 's1', 't1')));
    const refused = await controller.deleteDocuments(realm('r2'), { cascade: false, force: false });
    assert.equal(refused[0].action, 'failed');
    assert.match(refused[0].error ?? '', /realm "r2" has 1 space\(s\)\. Use --cascade/);
    const cascaded = await controller.deleteDocuments(realm('r2'), { cascade: true, force: false });
    assert.deepEqual(cascaded[0].cascaded, ['stack:t1', 'space:s1']);
    assert.equal(fake.realms.size, 0);
  });

  test('a scoped kind the controller was built without fails its document', async () => {
    const { controller } = setup();
    const blueprint =
      'kind: CellBlueprint\nmetadata: { name: b, realm: r1 }\nspec: { cell: { containers: [{ id: a, image: busybox }] } }\n';
    const results = await controller.deleteDocuments(blueprint, {
      cascade: false,
      force: false,
    });
    assert.equal(results[0].action, 'failed');
    assert.equal(results[0].error, 'CellBlueprint documents are not supported by this controller');
  });
});

describe('controller scope verbs', () => {
  test('create reports facts; a second create is an ensure with Created false', async () => {
    const { controller } = setup();
    const r = {
      metadata: { name: 'r1', labels: {} },
      spec: { namespace: '' },
      status: { state: 'Pending' as const, cgroupPath: '' },
    };
    const first = await controller.createRealm(r);
    assert.equal(first.facts.Created, true);
    assert.equal(first.facts.MetadataExistsPre, false);
    const second = await controller.createRealm(r);
    assert.equal(second.facts.Created, false);
    assert.equal(second.facts.MetadataExistsPre, true);
    assert.equal(second.facts.ContainerdNamespaceExistsPre, true);
  });

  test('get of a missing resource echoes the request with MetadataExists false (no error)', async () => {
    const { controller } = setup();
    const req = {
      metadata: { name: 'nope', labels: {} },
      spec: { realmId: 'r1' },
      status: { state: 'Pending' as const, cgroupPath: '' },
    };
    const got = await controller.getSpace(req);
    assert.deepEqual(got.facts, { MetadataExists: false, CgroupExists: false, CNINetworkExists: false });
    assert.equal(got.resource.metadata.name, 'nope');
  });

  test('delete: not found, child refusal, force and cascade', async () => {
    const { fake, controller } = setup();
    const none = { force: false, cascade: false };
    await assert.rejects(controller.deleteRealm('nope', none), code(ErrorCode.REALM_NOT_FOUND));
    await assert.rejects(controller.deleteSpace('r1', 'nope', none), (err: unknown) => {
      assert.ok(err instanceof KukeonError);
      assert.equal(err.code, ErrorCode.SPACE_NOT_FOUND);
      assert.equal(err.message, 'space "nope" not found in realm "r1"');
      return true;
    });
    await controller.applyDocuments(stream(space('r1', 's1'), stack('r1', 's1', 't1')));
    await assert.rejects(controller.deleteSpace('r1', 's1', none), (err: unknown) => {
      assert.ok(err instanceof KukeonError);
      assert.equal(err.code, ErrorCode.RESOURCE_HAS_DEPENDENCIES);
      assert.equal(
        err.message,
        'failed to delete space: resource has child resources: space "s1" has 1 stack(s). Use --cascade to delete them or --force to skip validation',
      );
      return true;
    });
    assert.equal(fake.spaces.size, 1);
    const forced = await controller.deleteSpace('r1', 's1', { force: true, cascade: false });
    assert.deepEqual(forced.facts.Deleted, ['stack:t1', 'metadata', 'cgroup', 'network']);
    assert.equal(forced.facts.CNINetworkDeleted, true);
  });

  test('purge realm works without metadata; purge space of a missing space is not found', async () => {
    const { fake, controller } = setup();
    const r = await controller.purgeRealm('ghost', { force: false, cascade: false });
    assert.equal(r.resource.status.state, 'Unknown');
    assert.equal(r.resource.spec.namespace, 'ghost.test');
    assert.equal(r.facts.PurgeSucceeded, true);
    assert.deepEqual(fake.calls, ['purgeRealm ghost']);
    await assert.rejects(
      controller.purgeSpace('ghost', 's', { force: false, cascade: false }),
      code(ErrorCode.SPACE_NOT_FOUND),
    );
  });

  test('purge space reports a runner failure in the result instead of throwing', async () => {
    const { fake, controller } = setup();
    await controller.applyDocuments(space('r1', 's1'));
    fake.failNext.set('purgeSpace', new Error('bridge busy'));
    const r = await controller.purgeSpace('r1', 's1', { force: false, cascade: false });
    assert.equal(r.facts.PurgeSucceeded, false);
    assert.deepEqual(r.facts.Purged, ['purge-error:bridge busy']);
  });

  test('refreshAll walks every level and collects found/updated names', async () => {
    const { controller } = setup();
    await controller.applyDocuments(stream(stack('r1', 's1', 't1'), stack('r1', 's2', 't2')));
    const rep = await controller.refreshAll();
    assert.deepEqual(rep.RealmsFound, ['r1']);
    assert.deepEqual(rep.SpacesFound, ['s1', 's2']);
    assert.deepEqual(rep.SpacesUpdated, ['s1', 's2']);
    assert.deepEqual(rep.StacksFound, ['t1', 't2']);
    assert.deepEqual(rep.Errors, []);
  });

  test('space pass ensures every space and counts failures without throwing', async () => {
    const { fake, controller } = setup();
    await controller.applyDocuments(stream(space('r1', 's1'), space('r1', 's2')));
    fake.calls = [];
    const orig = fake.port.ensureSpace;
    let n = 0;
    fake.port.ensureSpace = async (s) => {
      if (n++ === 0) throw new Error('conflist unwritable');
      return orig(s);
    };
    const rep = await controller.reconcileSpaces();
    assert.equal(rep.spacesScanned, 2);
    assert.equal(rep.spacesErrored, 1);
    assert.deepEqual(rep.errors, ['r1/s1: conflist unwritable']);
    assert.deepEqual(fake.calls, ['ensureSpace r1/s2']);
  });
});

describe('controller apply: cells', () => {
  function withCells() {
    return fakeController();
  }
  const cellWith = (image: string, labels = '{}') =>
    `kind: Cell\nmetadata:\n  name: c1\n  labels: ${labels}\nspec:\n  realmId: r1\n  spaceId: s1\n  stackId: t1\n  containers:\n    - id: app\n      image: ${image}\n`;

  test('missing → parents, create and start; same → unchanged; stopped → started again; change → update', async () => {
    const { fake, cells, controller } = withCells();
    const [created] = await controller.applyDocuments(cellWith('busybox'));
    assert.equal(created.action, 'created');
    assert.deepEqual(created.details, { realm: 'created', space: 'created', stack: 'created' });
    assert.deepEqual(fake.calls, ['createRealm r1', 'createSpace r1/s1', 'createStack r1/s1/t1']);
    assert.deepEqual(cells.calls, ['createCell c1', 'startCell c1']);

    cells.calls = [];
    const [same] = await controller.applyDocuments(cellWith('busybox'));
    assert.equal(same.action, 'unchanged');
    assert.deepEqual(cells.calls, []);

    [...cells.cells.values()][0].status.state = 'Stopped';
    const [restarted] = await controller.applyDocuments(cellWith('busybox'));
    assert.equal(restarted.action, 'updated');
    assert.deepEqual(restarted.changes, ['stopped runtime re-materialised', 'container app started']);
    assert.deepEqual(cells.calls, ['startCell c1']);

    cells.calls = [];
    const [changed] = await controller.applyDocuments(cellWith('alpine'));
    assert.equal(changed.action, 'updated');
    assert.deepEqual(changed.changes, ['containers[app].image']);
    assert.deepEqual(cells.calls, ['updateCell c1']);
  });

  test('a cell that ends Failed fails its document; delete -f removes cells before their stack', async () => {
    const { cells, controller } = withCells();
    cells.startState = 'Failed';
    const [r] = await controller.applyDocuments(cellWith('busybox'));
    assert.equal(r.action, 'failed');
    assert.match(r.error ?? '', /cell "c1" is Failed after apply/);
    cells.startState = 'Ready';
    const del = await controller.deleteDocuments(stream(stack('r1', 's1', 't1'), cellWith('busybox')), {
      cascade: false,
      force: false,
    });
    assert.deepEqual(
      del.map((d) => `${d.kind} ${d.action}`),
      ['Cell deleted', 'Stack deleted'],
    );
    // The cell's summary counts the containers its delete removed: the root and the workload.
    assert.deepEqual(del[0].details, { containersDeleted: '2' });
  });

  test('a stack holding cells refuses delete without cascade/force', async () => {
    const { controller } = withCells();
    await controller.applyDocuments(cellWith('busybox'));
    await assert.rejects(
      controller.deleteStack('r1', 's1', 't1', { cascade: false, force: false }),
      (err: unknown) => {
        assert.ok(err instanceof KukeonError);
        assert.match(err.message, /stack "t1" has 1 cell\(s\)/);
        return true;
      },
    );
  });
});

describe('controller apply: standalone containers', () => {
  test('absent → added to the cell; same → unchanged; env change → updated; missing cell → failed', async () => {
    const { cells, controller } = fakeController();
    await controller.applyDocuments(
      `kind: Cell\nmetadata:\n  name: c1\nspec:\n  realmId: r1\n  spaceId: s1\n  stackId: t1\n  containers:\n    - id: app\n      image: busybox\n`,
    );
    const side = (env: string, cell = 'c1') =>
      `kind: Container\nmetadata:\n  name: side\nspec:\n  id: side\n  realmId: r1\n  spaceId: s1\n  stackId: t1\n  cellId: ${cell}\n  image: busybox\n  env: ["X=${env}"]\n`;
    cells.calls = [];
    assert.equal((await controller.applyDocuments(side('1')))[0].action, 'created');
    assert.equal((await controller.applyDocuments(side('1')))[0].action, 'unchanged');
    const [upd] = await controller.applyDocuments(side('2'));
    assert.equal(upd.action, 'updated');
    assert.deepEqual(upd.changes, ['containers[side].env']);
    assert.deepEqual(cells.calls, ['upsertContainer c1/side', 'upsertContainer c1/side']);
    const [missing] = await controller.applyDocuments(side('1', 'nope'));
    assert.equal(missing.action, 'failed');
    assert.equal(missing.error, 'cell "nope" not found in realm "r1", space "s1", stack "t1"');
  });
});

describe('controller StartCell', () => {
  test('Pending/Unknown refused, Failed recreated, Stopped started', async () => {
    const { cells, controller } = fakeController();
    await controller.applyDocuments(
      `kind: Cell\nmetadata:\n  name: c1\nspec:\n  realmId: r1\n  spaceId: s1\n  stackId: t1\n  containers:\n    - id: app\n      image: busybox\n`,
    );
    const id = { realm: 'r1', space: 's1', stack: 't1', name: 'c1' };
    const stored = [...cells.cells.values()][0];
    stored.status.state = 'Pending';
    await assert.rejects(controller.startCell(id), (err: unknown) => {
      assert.ok(err instanceof KukeonError);
      assert.equal(err.code, ErrorCode.CELL_NOT_STARTABLE);
      assert.equal(
        err.message,
        'cell "c1" exists in Pending state; delete it with `kuke delete cell c1` before restarting',
      );
      return true;
    });
    cells.calls = [];
    stored.status.state = 'Failed';
    assert.equal((await controller.startCell(id)).status.state, 'Ready');
    stored.status.state = 'Stopped';
    await controller.startCell(id);
    assert.deepEqual(cells.calls, ['recreateCell c1', 'startCell c1']);
    await assert.rejects(controller.startCell({ ...id, name: 'nope' }), code(ErrorCode.CELL_NOT_FOUND));
  });
});
