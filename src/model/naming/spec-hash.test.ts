import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeContainerSpecHash, SPEC_HASH_VERSION, type SpecHashInput } from './spec-hash.js';
import { goJson } from './go-json.js';

// Expected values computed outside this code: `printf '%s' '<canonical json>' | sha256sum`,
// the JSON written by hand in the key order of 01-model §6.8.

test('minimal spec: every absent field normalised', () => {
  assert.equal(
    computeContainerSpecHash({ image: 'docker.io/library/busybox:latest' }),
    '0c24f024b7207e4fd08c40d79705e3095f1f0dbbcfdbee70e5ab230dabb44c37',
  );
});

test('explicit nulls/empties hash the same as absent', () => {
  const a = computeContainerSpecHash({ image: 'docker.io/library/busybox:latest' });
  const b = computeContainerSpecHash({
    image: 'docker.io/library/busybox:latest',
    command: '',
    args: null,
    capabilities: null,
    resources: { memoryLimitBytes: null },
    tmpfs: [],
    volumes: null,
    secrets: [],
  });
  assert.equal(a, b);
});

const full: SpecHashInput = {
  // keys deliberately in a different order from the canonical one
  secrets: [
    { name: 'TOKEN', fromEnv: 'TOKEN' },
    { name: 'k', mountPath: '/run/k', secretRef: { name: 'k', realm: 'default' } },
  ],
  volumes: [{ source: '/src', target: '/dst', readOnly: true }],
  resources: { pidsLimit: null, cpuShares: 512, memoryLimitBytes: 67108864 },
  tmpfs: [{ path: '/tmp', sizeBytes: 1048576 }],
  devices: ['/dev/fuse'],
  securityOpts: ['no-new-privileges'],
  capabilities: { drop: ['ALL'], add: ['CAP_NET_ADMIN'] },
  readOnlyRootFilesystem: true,
  user: '1000:1000',
  privileged: true,
  workingDir: '/w',
  args: ['-c', 'a && b > c'],
  command: 'sh',
  image: 'img',
};

test('full spec: fixed key order and Go-style escaping of & < >', () => {
  assert.equal(
    computeContainerSpecHash(full),
    'e046024d4bad3c837de163917c09e73455e3f7f23b5d1eb3cd0725f827f0180a',
  );
});

test('fields outside the domain do not change the hash; fields inside do', () => {
  const base = computeContainerSpecHash(full);
  const withEnv = { ...full, env: ['A=1'], ports: ['80'], restartPolicy: 'always', hostNetwork: true };
  assert.equal(computeContainerSpecHash(withEnv), base);
  assert.notEqual(computeContainerSpecHash({ ...full, image: 'img2' }), base);
  assert.notEqual(computeContainerSpecHash({ ...full, resources: { memoryLimitBytes: 1 } }), base);
  assert.notEqual(computeContainerSpecHash({ ...full, volumes: [] }), base);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(SPEC_HASH_VERSION, '4');
});

test('goJson escapes like encoding/json', () => {
  assert.equal(
    goJson({ s: '<a&b>\u2028\u2029\n\t"\\' }),
    '{"s":"\\u003ca\\u0026b\\u003e\\u2028\\u2029\\n\\t\\"\\\\"}',
  );
  assert.equal(goJson({ s: '\u0001\b\f' }), '{"s":"\\u0001\\b\\f"}');
});
