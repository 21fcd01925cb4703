import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cellManagedLabels,
  isManagedLabelKey,
  realmManagedLabels,
  spaceManagedLabels,
  stackManagedLabels,
  withManagedLabels,
} from './managed-labels.js';

test('managed labels per kind (realm carries the namespace)', () => {
  assert.deepEqual(realmManagedLabels('default.kukeon.io'), { 'realm.kukeon.io': 'default.kukeon.io' });
  assert.deepEqual(spaceManagedLabels('default', 'blog'), {
    'realm.kukeon.io': 'default',
    'space.kukeon.io': 'blog',
  });
  assert.deepEqual(stackManagedLabels('r', 's', 't'), {
    'realm.kukeon.io': 'r',
    'space.kukeon.io': 's',
    'stack.kukeon.io': 't',
  });
  assert.deepEqual(cellManagedLabels('r', 's', 't', 'c'), {
    'realm.kukeon.io': 'r',
    'space.kukeon.io': 's',
    'stack.kukeon.io': 't',
    'cell.kukeon.io': 'c',
  });
});

test('added only when the key is absent; user values win', () => {
  const user = { 'space.kukeon.io': 'mine', app: 'web', constructor: 'x' };
  assert.deepEqual(withManagedLabels(user, spaceManagedLabels('r', 's')), {
    'space.kukeon.io': 'mine',
    app: 'web',
    constructor: 'x',
    'realm.kukeon.io': 'r',
  });
  assert.deepEqual(withManagedLabels(undefined, { 'cell.kukeon.io': 'c' }), { 'cell.kukeon.io': 'c' });
  assert.deepEqual(user, { 'space.kukeon.io': 'mine', app: 'web', constructor: 'x' }, 'input not mutated');
});

test('a key is managed when it ends in .kukeon.io', () => {
  assert.equal(isManagedLabelKey('realm.kukeon.io'), true);
  assert.equal(isManagedLabelKey('team.kukeon.io'), true);
  assert.equal(isManagedLabelKey('kukeon.io/cell'), false);
  assert.equal(isManagedLabelKey('kukeon.io'), false);
  assert.equal(isManagedLabelKey('app'), false);
});
