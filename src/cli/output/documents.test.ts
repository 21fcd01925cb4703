import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { renderDocuments, toJsonText } from './documents.js';

const realm = {
  apiVersion: 'v1beta1',
  kind: 'Realm',
  metadata: { name: 'r1', labels: null },
  spec: { namespace: 'r1.kukeon.io' },
  status: { state: 'Ready', createdAt: '2026-01-10T11:57:00Z', updatedAt: '0001-01-01T00:00:00Z' },
};

test('json: two-space indent and a trailing newline; lists are arrays; empty is []', async () => {
  assert.equal(toJsonText({ a: 1 }), '{\n  "a": 1\n}\n');
  assert.equal(await renderDocuments('Realm', [], 'json'), '[]\n');
  const list = JSON.parse(await renderDocuments('Realm', [realm], 'json'));
  assert.deepEqual(list, [realm]);
});

test('yaml: a single document is a mapping, a list a sequence, empty is []', async () => {
  assert.equal(await renderDocuments('Realm', [], 'yaml'), '[]\n');
  const one = await renderDocuments('Realm', realm, 'yaml');
  const parsed = parse(one);
  assert.equal(parsed.kind, 'Realm');
  assert.equal(parsed.metadata.name, 'r1');
  assert.equal(parsed.spec.namespace, 'r1.kukeon.io');
  assert.equal(parsed.status.state, 'Ready');
  // The codec's YAML form drops zero timestamps (omit-empty).
  assert.equal(parsed.status.updatedAt, undefined);
  assert.match(one, /^apiVersion: v1beta1\nkind: Realm\n/);
  const many = parse(await renderDocuments('Realm', [realm, { ...realm, metadata: { name: 'r2' } }], 'yaml'));
  assert.deepEqual(
    many.map((d: { metadata: { name: string } }) => d.metadata.name),
    ['r1', 'r2'],
  );
});

test('yaml of a kind without a codec is written as it came', async () => {
  const out = await renderDocuments(
    'ApplyResult',
    { resources: [{ index: 0, kind: 'Realm', name: 'a', action: 'created' }] },
    'yaml',
  );
  assert.deepEqual(parse(out), { resources: [{ index: 0, kind: 'Realm', name: 'a', action: 'created' }] });
});
