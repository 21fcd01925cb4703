import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protoRegistry } from './proto-registry.js';

test('every service we use is in the loaded protos', () => {
  const reg = protoRegistry();
  assert.deepEqual(Object.keys(reg.services).sort(), [
    'containers',
    'content',
    'diff',
    'events',
    'images',
    'leases',
    'namespaces',
    'snapshots',
    'tasks',
    'version',
  ]);
  assert.equal(protoRegistry(), reg, 'loaded once per process');
  const write = reg.root.lookupType('containerd.services.content.v1.WriteContentRequest');
  assert.deepEqual(
    write.fieldsArray.map((f) => [f.name, f.id]),
    [
      ['action', 1],
      ['ref', 2],
      ['total', 3],
      ['expected', 4],
      ['offset', 5],
      ['data', 6],
      ['labels', 7],
    ],
  );
});
