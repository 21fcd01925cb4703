import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootContainerLabels, workloadContainerLabels } from './container-labels.js';

const hash = (h: string) => ({ 'kukeon.io/spec-hash': h, 'kukeon.io/spec-hash-version': '4' });

test('root labels: cell labels first, kukeon keys win, container-type last', () => {
  const labels = rootContainerLabels({
    cellLabels: { app: 'web', 'kukeon.io/container-type': 'spoof', 'kukeon.io/realm': 'spoof' },
    cellId: 'hello-world',
    cellName: 'hello-world',
    realm: 'default',
    space: 'default',
    stack: 'default',
    specHashLabels: hash('abc'),
  });
  assert.deepEqual(labels, {
    app: 'web',
    'kukeon.io/container-type': 'root',
    'kukeon.io/realm': 'default',
    'kukeon.io/cell': 'hello-world',
    'kukeon.io/cell-name': 'hello-world',
    'kukeon.io/space': 'default',
    'kukeon.io/stack': 'default',
    'kukeon.io/spec-hash': 'abc',
    'kukeon.io/spec-hash-version': '4',
  });
});

test('root labels omit cell-name when empty', () => {
  const labels = rootContainerLabels({
    cellId: 'c',
    cellName: '',
    realm: 'r',
    space: 's',
    stack: 't',
    specHashLabels: hash('h'),
  });
  assert.equal('kukeon.io/cell-name' in labels, false);
  assert.equal(labels['kukeon.io/container-type'], 'root');
});

test('workload labels: no user labels, type container', () => {
  assert.deepEqual(
    workloadContainerLabels({ cellId: 'c', realm: 'r', space: 's', stack: 't', specHashLabels: hash('h') }),
    {
      'kukeon.io/container-type': 'container',
      'kukeon.io/cell': 'c',
      'kukeon.io/realm': 'r',
      'kukeon.io/space': 's',
      'kukeon.io/stack': 't',
      'kukeon.io/spec-hash': 'h',
      'kukeon.io/spec-hash-version': '4',
    },
  );
});
