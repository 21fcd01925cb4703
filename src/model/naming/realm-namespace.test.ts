import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import { isKukeonNamespace, realmFromNamespace, realmNamespace } from './realm-namespace.js';

test('realm namespace is <realm>.<suffix>', () => {
  assert.equal(realmNamespace('default', 'kukeon.io'), 'default.kukeon.io');
  assert.equal(realmNamespace('kuke-system', 'kukeon.io'), 'kuke-system.kukeon.io');
  assert.equal(realmNamespace('  main ', 'example.org'), 'main.example.org');
});

test('realm namespace rejects empty, "_", "/" and names containerd would refuse', () => {
  assert.throws(
    () => realmNamespace(' ', 'kukeon.io'),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
  assert.throws(
    () => realmNamespace('a_b', 'kukeon.io'),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
  assert.throws(
    () => realmNamespace('a/b', 'kukeon.io'),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
  assert.throws(
    () => realmNamespace('a..b', 'kukeon.io'),
    (e) => hasCode(e, 'INVALID_IDENTIFIER'),
  );
  // 66 chars + ".kukeon.io" = 76 is the limit
  assert.equal(realmNamespace('r'.repeat(66), 'kukeon.io').length, 76);
  assert.throws(
    () => realmNamespace('r'.repeat(67), 'kukeon.io'),
    (e) => hasCode(e, 'INVALID_IDENTIFIER'),
  );
});

test('ownership: ends with .<suffix> and has a non-empty prefix', () => {
  assert.equal(isKukeonNamespace('default.kukeon.io', 'kukeon.io'), true);
  assert.equal(isKukeonNamespace('.kukeon.io', 'kukeon.io'), false);
  assert.equal(isKukeonNamespace('kukeon.io', 'kukeon.io'), false);
  assert.equal(isKukeonNamespace('default', 'kukeon.io'), false);
  assert.equal(isKukeonNamespace('defaultkukeon.io', 'kukeon.io'), false);
  assert.equal(isKukeonNamespace('k8s.io', 'kukeon.io'), false);
});

test('realm name is recovered by stripping the suffix', () => {
  assert.equal(realmFromNamespace('default.kukeon.io', 'kukeon.io'), 'default');
  assert.equal(realmFromNamespace('kuke-system.kukeon.io', 'kukeon.io'), 'kuke-system');
  assert.equal(realmFromNamespace('a.b.kukeon.io', 'kukeon.io'), 'a.b');
  assert.throws(
    () => realmFromNamespace('moby', 'kukeon.io'),
    (e) => hasCode(e, 'NOT_KUKEON_NAMESPACE'),
  );
  for (const realm of ['default', 'x', 'kuke-system', 'r.1']) {
    assert.equal(realmFromNamespace(realmNamespace(realm, 'kukeon.io'), 'kukeon.io'), realm);
  }
});
