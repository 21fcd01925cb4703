import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRegistryCredential } from './registry-credential-match.js';

const hub = { registry: 'docker.io', apiHost: 'registry-1.docker.io' };
const local = { registry: '127.0.0.1:5000', apiHost: '127.0.0.1:5000' };

test('exact host first, then the first entry without a server, else anonymous', () => {
  const creds = [
    { username: 'any1', password: 'p1' },
    { username: 'loc', password: 'p2', serverAddress: '127.0.0.1:5000' },
    { username: 'any2', password: 'p3', serverAddress: '' },
  ];
  assert.equal(matchRegistryCredential(creds, local), creds[1]);
  assert.equal(matchRegistryCredential(creds, hub), creds[0]);
  assert.equal(
    matchRegistryCredential([{ username: 'x', password: 'y', serverAddress: 'ghcr.io' }], hub),
    undefined,
  );
  assert.equal(matchRegistryCredential(undefined, hub), undefined);
});

test("Docker Hub matches by the reference's registry or its API host", () => {
  for (const serverAddress of ['docker.io', 'registry-1.docker.io'])
    assert.equal(
      matchRegistryCredential([{ username: 'u', password: 'p', serverAddress }], hub)?.username,
      'u',
    );
  assert.equal(
    matchRegistryCredential([{ username: 'u', password: 'p', serverAddress: '127.0.0.1' }], local),
    undefined,
  );
});
