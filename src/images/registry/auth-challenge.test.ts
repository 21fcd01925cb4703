import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuthChallenges } from './auth-challenge.js';

test('a bearer challenge with quoted parameters, commas inside quotes kept', () => {
  assert.deepEqual(
    parseAuthChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push"',
    ),
    [
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/busybox:pull,push',
        },
      },
    ],
  );
});

test('basic, unquoted values, several challenges and escapes', () => {
  assert.deepEqual(parseAuthChallenges(['Basic realm="Registry Realm"', 'Bearer realm=x, error="a\\"b"']), [
    { scheme: 'basic', params: { realm: 'Registry Realm' } },
    { scheme: 'bearer', params: { realm: 'x', error: 'a"b' } },
  ]);
  assert.deepEqual(parseAuthChallenges(undefined), []);
});
