import assert from 'node:assert/strict';
import { test } from 'node:test';
import { documentScopes } from './document-scope.js';

test('each document is placed at its own level under the parents it names', () => {
  const text = [
    'apiVersion: v1beta1\nkind: Realm\nmetadata:\n  name: lab\nspec:\n  namespace: lab.kukeon.io\n',
    'apiVersion: v1beta1\nkind: Space\nmetadata:\n  name: web\nspec:\n  realmId: lab\n',
    'apiVersion: v1beta1\nkind: Stack\nmetadata:\n  name: api\nspec:\n  id: api\n  realmId: lab\n  spaceId: web\n',
    'apiVersion: v1beta1\nkind: Cell\nmetadata:\n  name: shop\nspec:\n  id: shop\n  realmId: lab\n  spaceId: web\n  stackId: api\n  containers:\n    - id: main\n      image: busybox\n',
    'apiVersion: v1beta1\nkind: Container\nmetadata:\n  name: side\nspec:\n  id: side\n  realmId: lab\n  spaceId: web\n  stackId: api\n  cellId: shop\n  image: busybox\n',
    'apiVersion: v1beta1\nkind: Volume\nmetadata:\n  name: data\n  realm: lab\n  space: web\n',
  ].join('---\n');
  const scopes = documentScopes(text);
  assert.deepEqual(
    [...scopes.values()],
    [
      { realm: 'lab' },
      { realm: 'lab', space: 'web' },
      { realm: 'lab', space: 'web', stack: 'api' },
      { realm: 'lab', space: 'web', stack: 'api', cell: 'shop' },
      { realm: 'lab', space: 'web', stack: 'api', cell: 'shop', container: 'side' },
      { realm: 'lab', space: 'web' },
    ],
  );
});

test('a stream that does not parse has no scopes', () => {
  assert.equal(documentScopes('kind: [').size, 0);
});
