import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../errors.js';
import { groupSegments, isWithin, normalizeGroupPath } from './group-path.js';

test('segments and normal form', () => {
  assert.deepEqual(groupSegments('/kukeon/r/s'), ['kukeon', 'r', 's']);
  assert.equal(normalizeGroupPath('/kukeon/r/'), '/kukeon/r');
  for (const bad of ['', 'a', '/', '/a//b', '/a/../b', '/./a', '/a\nb']) {
    assert.throws(
      () => groupSegments(bad),
      (e) => hasCode(e, 'CGROUP_INVALID_PATH'),
      JSON.stringify(bad),
    );
  }
});

test('within root', () => {
  assert.equal(isWithin('/kukeon', '/kukeon'), true);
  assert.equal(isWithin('/kukeon', '/kukeon/a'), true);
  assert.equal(isWithin('/kukeon', '/kukeon-other'), false);
  assert.equal(isWithin('/kukeon', '/'), false);
});
