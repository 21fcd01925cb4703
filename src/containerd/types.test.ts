import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelUpdate, scopeNamespace, timestampToDate } from './types.js';

test('labelUpdate: set values and removals become a map plus labels.<key> mask paths', () => {
  assert.deepEqual(labelUpdate({ a: '1', 'x.io/b': null }), {
    labels: { a: '1' },
    paths: ['labels.a', 'labels.x.io/b'],
  });
  assert.equal(scopeNamespace('ns'), 'ns');
  assert.equal(scopeNamespace({ namespace: 'n2', lease: 'l' }), 'n2');
});

test('timestampToDate converts seconds+nanos; missing gives undefined', () => {
  assert.equal(
    timestampToDate({ seconds: 1700000000, nanos: 250_000_000 })?.toISOString(),
    '2023-11-14T22:13:20.250Z',
  );
  assert.equal(timestampToDate(null), undefined);
});
