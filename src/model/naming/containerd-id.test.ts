import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import { parseContainerdId, rootContainerdId, workloadContainerdId } from './containerd-id.js';

test('spec example: default/default/hello-world', () => {
  assert.equal(
    workloadContainerdId('default', 'default', 'hello-world', 'web'),
    'default_default_hello-world_web',
  );
  assert.equal(rootContainerdId('default', 'default', 'hello-world'), 'default_default_hello-world_root');
});

test('each part is trimmed', () => {
  assert.equal(workloadContainerdId(' s ', '\tt', 'c\n', ' w '), 's_t_c_w');
});

test('an empty part is a typed error naming the part', () => {
  assert.throws(
    () => workloadContainerdId('s', ' ', 'c', 'w'),
    (e: Error) => hasCode(e, 'INVALID_NAME') && e.message === 'stack name is required',
  );
  assert.throws(
    () => rootContainerdId('', 't', 'c'),
    (e: Error) => hasCode(e, 'INVALID_NAME') && /space/.test(e.message),
  );
  assert.throws(
    () => workloadContainerdId('s', 't', 'c', ''),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
});

test('"_" or "/" in a part is rejected (it would make the ID ambiguous)', () => {
  assert.throws(
    () => workloadContainerdId('a_b', 't', 'c', 'w'),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
  assert.throws(
    () => workloadContainerdId('s', 't', 'c', 'x/y'),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
});

test('at most 76 characters', () => {
  const id = workloadContainerdId('s'.repeat(20), 't'.repeat(20), 'c'.repeat(20), 'w'.repeat(13));
  assert.equal(id.length, 76);
  assert.throws(
    () => workloadContainerdId('s'.repeat(20), 't'.repeat(20), 'c'.repeat(20), 'w'.repeat(14)),
    (e: Error) => hasCode(e, 'INVALID_IDENTIFIER') && /77 characters/.test(e.message),
  );
  assert.throws(
    () => rootContainerdId('s'.repeat(30), 't'.repeat(30), 'c'.repeat(12)),
    (e) => hasCode(e, 'INVALID_IDENTIFIER'),
  );
});

test('characters containerd refuses are caught up front', () => {
  assert.throws(
    () => workloadContainerdId('s', 't', 'c', 'a b'),
    (e) => hasCode(e, 'INVALID_IDENTIFIER'),
  );
  assert.throws(
    () => workloadContainerdId('s', 't', '-c', 'w'),
    (e) => hasCode(e, 'INVALID_IDENTIFIER'),
  );
});

test('parse is the inverse of compose', () => {
  assert.deepEqual(parseContainerdId('default_default_hello-world_web'), {
    space: 'default',
    stack: 'default',
    cellId: 'hello-world',
    containerId: 'web',
    isRoot: false,
  });
  assert.equal(parseContainerdId(rootContainerdId('a', 'b', 'c')).isRoot, true);
  for (const bad of ['a_b_c', 'a_b_c_d_e', 'a__c_d', 'nounderscore']) {
    assert.throws(
      () => parseContainerdId(bad),
      (e) => hasCode(e, 'INVALID_IDENTIFIER'),
    );
  }
});

test('property: parse(compose(parts)) gives the parts back; lengths ≤ 76 or a typed error', async () => {
  const fc = await import('fast-check');
  const part = fc.stringMatching(/^[A-Za-z0-9]{1,12}(?:[.-][A-Za-z0-9]{1,8}){0,2}$/);
  fc.assert(
    fc.property(part, part, part, part, (space, stack, cell, container) => {
      let id: string;
      try {
        id = workloadContainerdId(space, stack, cell, container);
      } catch (e) {
        assert.ok(hasCode(e, 'INVALID_IDENTIFIER'));
        assert.ok([space, stack, cell, container].join('_').length > 76);
        return;
      }
      assert.ok(id.length <= 76);
      assert.deepEqual(parseContainerdId(id), {
        space,
        stack,
        cellId: cell,
        containerId: container,
        isRoot: container === 'root',
      });
    }),
  );
});
