import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import { assertNoNetworkNameCollision, findNetworkNameCollision, networkName } from './network-name.js';

test('network name is <realm>-<space>, trimmed, both required', () => {
  assert.equal(networkName('default', 'default'), 'default-default');
  assert.equal(networkName(' kuke-system ', 'kukeon'), 'kuke-system-kukeon');
  assert.throws(
    () => networkName('', 'x'),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
  assert.throws(
    () => networkName('x', '  '),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
});

test('the dash-joined name collision is detected: a-b/c vs a/b-c', () => {
  const existing = [
    { realm: 'a-b', space: 'c' },
    { realm: 'default', space: 'default' },
  ];
  assert.deepEqual(findNetworkNameCollision({ realm: 'a', space: 'b-c' }, existing), {
    realm: 'a-b',
    space: 'c',
  });
  assert.throws(
    () => assertNoNetworkNameCollision({ realm: 'a', space: 'b-c' }, existing),
    (e: Error) => hasCode(e, 'NETWORK_NAME_COLLISION') && /a-b-c/.test(e.message),
  );
});

test('no collision with itself (re-apply) or with distinct names', () => {
  const existing = [{ realm: 'a-b', space: 'c' }];
  assert.equal(findNetworkNameCollision({ realm: ' a-b', space: 'c ' }, existing), undefined);
  assert.equal(findNetworkNameCollision({ realm: 'a', space: 'c' }, existing), undefined);
  assert.doesNotThrow(() => assertNoNetworkNameCollision({ realm: 'x', space: 'y' }, existing));
});
