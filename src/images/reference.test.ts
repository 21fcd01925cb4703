import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeReference } from './reference.js';

test('bare names get docker.io/library and :latest', () => {
  assert.equal(normalizeReference('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeReference('busybox:1.36'), 'docker.io/library/busybox:1.36');
});

test('user repositories get docker.io only', () => {
  assert.equal(normalizeReference('me/app:1'), 'docker.io/me/app:1');
});

test('registry hosts are kept, with or without port', () => {
  assert.equal(normalizeReference('kukeon.test/busybox:1'), 'kukeon.test/busybox:1');
  assert.equal(normalizeReference('localhost:5000/app'), 'localhost:5000/app:latest');
  assert.equal(normalizeReference('localhost/app:2'), 'localhost/app:2');
});

test('digests are kept and get no tag', () => {
  const dg = 'sha256:' + 'a'.repeat(64);
  assert.equal(normalizeReference(`busybox@${dg}`), `docker.io/library/busybox@${dg}`);
});

test('URLs are left alone', () => {
  assert.equal(normalizeReference('https://x/y'), 'https://x/y');
});
