import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeController } from '../../controller/fake-runner.test-helper.js';
import { callHandler, createMethodHandlers } from './index.js';

const manifest = [
  'kind: Realm\nmetadata:\n  name: r1\n',
  'kind: Space\nmetadata:\n  name: s1\nspec:\n  realmId: r1\n',
  'kind: Stack\nmetadata:\n  name: t1\nspec:\n  realmId: r1\n  spaceId: s1\n',
  'kind: Cell\nmetadata:\n  name: c1\nspec:\n  realmId: r1\n  spaceId: s1\n  stackId: t1\n  containers:\n    - id: app\n      image: busybox\n',
].join('---\n');

const identity = {
  kind: 'Cell',
  metadata: { name: 'c1' },
  spec: { realmId: 'r1', spaceId: 's1', stackId: 't1' },
};

test('GetCell Fields: the document cut to them, containers observed only when a field shows them', async () => {
  const { cells, controller } = fakeController();
  await controller.applyDocuments(manifest);
  const h = createMethodHandlers(controller);

  const whole = await callHandler(h, 'GetCell', { Doc: identity });
  assert.equal(whole.Result.MetadataExists, true);
  assert.equal(whole.Result.Cell.spec?.containers?.[0]?.image, 'busybox');
  assert.deepEqual(cells.gets.at(-1), { name: 'c1', observe: true });

  const table = await callHandler(h, 'GetCell', {
    Doc: identity,
    Fields: ['metadata.name', 'spec.realmId', 'status.state'],
  });
  assert.equal(table.Result.MetadataExists, true);
  assert.deepEqual(table.Result.Cell, {
    metadata: { name: 'c1' },
    spec: { realmId: 'r1' },
    status: { state: 'Ready' },
  });
  assert.deepEqual(cells.gets.at(-1), { name: 'c1', observe: false });

  const wide = await callHandler(h, 'GetCell', {
    Doc: identity,
    Fields: ['metadata.name', 'status.containers'],
  });
  assert.equal(wide.Result.Cell.metadata?.name, 'c1');
  assert.deepEqual(cells.gets.at(-1), { name: 'c1', observe: true });

  const missing = await callHandler(h, 'GetCell', {
    Doc: { ...identity, metadata: { name: 'nope' } },
    Fields: ['metadata.name'],
  });
  assert.equal(missing.Result.MetadataExists, false);
});
