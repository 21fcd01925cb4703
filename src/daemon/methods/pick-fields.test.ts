import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickFields, unchangingDocumentPicker } from './pick-fields.js';

const doc = {
  metadata: { name: 'c1', labels: { a: 'b' }, generation: 2 },
  spec: { realmId: 'r', containers: [{ id: 'w' }] },
  status: { state: 'Ready', network: { bridgeName: 'k-1' }, containers: [{ id: 'w', state: 'Ready' }] },
};

test('keeps exactly the listed paths, whole values, with the objects leading to them', () => {
  assert.deepEqual(
    pickFields(doc, ['metadata.name', 'metadata.labels', 'status.network.bridgeName', 'status.containers']),
    {
      metadata: { name: 'c1', labels: { a: 'b' } },
      status: { network: { bridgeName: 'k-1' }, containers: [{ id: 'w', state: 'Ready' }] },
    },
  );
});

test('absent paths and paths through non-objects are left out; an empty list keeps nothing', () => {
  assert.deepEqual(
    pickFields(doc, ['status.outOfSync', 'spec.realmId.x', 'spec.containers.0', 'nope.deeper']),
    {},
  );
  assert.deepEqual(pickFields(doc, []), {});
  // A path and one of its ancestors: the ancestor's whole value wins whatever the order.
  const before = structuredClone(doc);
  assert.deepEqual(pickFields(doc, ['metadata.labels.a', 'metadata']), { metadata: doc.metadata });
  assert.deepEqual(pickFields(doc, ['metadata', 'metadata.labels.x']), { metadata: doc.metadata });
  assert.deepEqual(doc, before, 'the document itself is never changed');
});

test('unchangingDocumentPicker: the same cut as pickFields, made once per document and field list', () => {
  const doc = { metadata: { name: 'a', labels: { x: '1' } }, status: { state: 'Ready' } };
  const pick = unchangingDocumentPicker(['metadata.name', 'status.state']);
  const first = pick(doc);
  assert.deepEqual(first, pickFields(doc, ['metadata.name', 'status.state']));
  assert.equal(pick(doc), first, 'the remembered cut');
  assert.equal(unchangingDocumentPicker(['metadata.name', 'status.state'])(doc), first);
  const other = unchangingDocumentPicker(['metadata.labels'])(doc);
  assert.deepEqual(other, { metadata: { labels: { x: '1' } } }, 'another field list: a new cut');
  assert.deepEqual(pick({ ...doc, status: { state: 'Stopped' } }), {
    metadata: { name: 'a' },
    status: { state: 'Stopped' },
  });
});
