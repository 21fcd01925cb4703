import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { toJson, toYaml } from './serialise.js';
import { cellDocSchema } from './v1beta1/cell.js';
import { realmDocSchema } from './v1beta1/realm.js';
import { stackDocSchema } from './v1beta1/stack.js';
import { encodeResource, decodeResource, resourceToPlain, DocumentDecodeError } from './resource-codec.js';
import { parseManifestStream } from './parse-manifest.js';
import { cellFromDoc } from './convert.js';
import { ConversionError } from './manifest-error.js';
import { specExample } from './testdata/fixtures.js';
import type { Cell } from '../model/resources.js';

const minimalCell = () => {
  const [, , , d] = parseManifestStream(specExample);
  assert.ok(d.kind === 'Cell');
  return cellFromDoc(d.doc);
};

describe('serialisation', () => {
  it('JSON: 2-space indentation, trailing newline, key order = table order', () => {
    const text = toJson(stackDocSchema, {
      apiVersion: 'v1beta1',
      kind: 'Stack',
      metadata: { name: 'web' },
      spec: { realmId: 'r', spaceId: 's', id: 'web' },
    });
    assert.ok(text.endsWith('}\n'));
    assert.ok(text.includes('\n  "metadata": {\n    "name": "web",'));
    const obj = JSON.parse(text);
    assert.deepEqual(Object.keys(obj), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    assert.deepEqual(Object.keys(obj.spec), ['id', 'realmId', 'spaceId']);
    assert.deepEqual(Object.keys(obj.status), ['state', 'cgroupPath', 'createdAt', 'updatedAt', 'readyAt']);
  });

  it('JSON writes zero timestamps, empty structs as {}, and nil lists/maps as null', () => {
    const obj = JSON.parse(toJson(cellDocSchema, { kind: 'Cell', metadata: { name: 'c' }, spec: {} }));
    assert.equal(obj.status.createdAt, '0001-01-01T00:00:00Z');
    assert.equal(obj.status.updatedAt, '0001-01-01T00:00:00Z');
    assert.deepEqual(obj.status.network, {});
    assert.equal(obj.status.containers, null);
    assert.equal(obj.metadata.labels, null);
    assert.equal(obj.spec.containers, null);
    assert.equal(obj.status.cgroupPath, ''); // cell cgroupPath has no omit-empty
    assert.equal('reason' in obj.status, false); // omit-empty string
    assert.equal('annotations' in obj.metadata, false);
    assert.equal('rootContainerId' in obj.spec, false);
    assert.equal(obj.status.state, 'Pending');
  });

  it('YAML drops zero timestamps and empty structs, writes nil lists as [] and maps as {}', () => {
    const text = toYaml(cellDocSchema, { kind: 'Cell', metadata: { name: 'c' }, spec: {} });
    const obj = parse(text);
    assert.equal('createdAt' in obj.status, false);
    assert.equal('network' in obj.status, false);
    assert.deepEqual(obj.status.containers, []);
    assert.deepEqual(obj.metadata.labels, {});
    assert.deepEqual(obj.spec.containers, []);
    assert.match(text, /^apiVersion: ""\nkind: Cell\nmetadata:\n {2}name: c\n {2}labels: \{\}\n/);
  });

  it('realm/space omit an empty cgroupPath, stack/cell always write it', () => {
    assert.equal('cgroupPath' in JSON.parse(toJson(realmDocSchema, {})).status, false);
    assert.equal(JSON.parse(toJson(stackDocSchema, {})).status.cgroupPath, '');
  });

  it('container status timestamps without omit-empty are written as zero time in YAML too', () => {
    const text = toYaml(cellDocSchema, { status: { containers: [{ name: 'a', id: 'a', state: 'Ready' }] } });
    const c = parse(text).status.containers[0];
    assert.equal(c.restartTime, '0001-01-01T00:00:00Z');
    assert.equal(c.startTime, '0001-01-01T00:00:00Z');
    assert.equal('createdAt' in c, false);
    assert.equal(c.restartCount, 0);
    assert.equal(c.exitSignal, '');
  });

  it('timestamps are RFC 3339 UTC with nanoseconds when non-zero', () => {
    const cell = minimalCell();
    cell.status.createdAt = '2026-04-21T12:00:03.123456789Z';
    cell.status.updatedAt = '2026-04-21T12:00:03Z';
    const obj = JSON.parse(encodeResource('Cell', cell, 'json'));
    assert.equal(obj.status.createdAt, '2026-04-21T12:00:03.123456789Z');
    assert.equal(obj.status.updatedAt, '2026-04-21T12:00:03Z');
    const y = parse(encodeResource('Cell', cell, 'yaml'));
    assert.equal(y.status.createdAt, '2026-04-21T12:00:03.123456789Z');
  });

  it('pointer ints keep 0 (restartBackoffSeconds: 0 disables the backoff) and drop unset', () => {
    const cell = minimalCell();
    cell.spec.containers[1].restartBackoffSeconds = 0;
    const obj = JSON.parse(encodeResource('Cell', cell, 'json'));
    assert.equal(obj.spec.containers[1].restartBackoffSeconds, 0);
    assert.equal('restartBackoffSeconds' in obj.spec.containers[2], false);
  });

  it('state enums are written as labels; internal space Creating/Deleting map to Ready/Failed', () => {
    const [, sp] = parseManifestStream(specExample);
    assert.ok(sp.kind === 'Space');
    const obj = JSON.parse(
      encodeResource('Space', { ...spaceOf(sp.doc), status: { state: 'Creating', cgroupPath: '' } }, 'json'),
    );
    assert.equal(obj.status.state, 'Ready');
    const del = JSON.parse(
      encodeResource('Space', { ...spaceOf(sp.doc), status: { state: 'Deleting', cgroupPath: '' } }, 'json'),
    );
    assert.equal(del.status.state, 'Failed');
  });

  it('transport-only cell fields appear only in RPC JSON', () => {
    const cell: Cell = { ...minimalCell() };
    cell.spec = { ...cell.spec, runtimeEnv: ['A=b'], ignoreDiskPressure: true };
    assert.equal('runtimeEnv' in JSON.parse(encodeResource('Cell', cell, 'json')).spec, false);
    assert.equal('runtimeEnv' in parse(encodeResource('Cell', cell, 'yaml')).spec, false);
    const rpc = resourceToPlain('Cell', cell, { transport: true }) as { spec: Record<string, unknown> };
    assert.deepEqual(rpc.spec.runtimeEnv, ['A=b']);
    assert.equal(rpc.spec.ignoreDiskPressure, true);
    const back = decodeResource('Cell', rpc, { transport: true });
    assert.deepEqual(back.spec.runtimeEnv, ['A=b']);
    assert.equal(decodeResource('Cell', rpc).spec.runtimeEnv, undefined);
  });

  it('the JSON reader accepts null, missing and zero times as unset, integer state ordinals, unknown keys', () => {
    const cell = decodeResource('Cell', {
      apiVersion: 'v1beta1',
      kind: 'Cell',
      metadata: { name: 'c', labels: null, futureField: 1 },
      spec: { realmId: 'r', spaceId: 's', stackId: 't', containers: [{ id: 'a', image: 'i', root: true }] },
      status: { state: 6, createdAt: null, updatedAt: '0001-01-01T00:00:00Z', containers: null },
    });
    assert.equal(cell.status.state, 'Error');
    assert.equal(cell.status.createdAt, undefined);
    assert.equal(cell.status.updatedAt, undefined);
    assert.deepEqual(cell.metadata.labels, {});
    assert.deepEqual(cell.status.containers, []);
    assert.equal(cell.spec.id, 'c');
    assert.equal(cell.spec.rootContainerId, 'a');
  });

  it('stored cells load even if they break a conversion rule; client input can ask for validation', () => {
    const stored = {
      kind: 'Cell',
      metadata: { name: 'c' },
      spec: {
        realmId: 'r',
        spaceId: 's',
        stackId: 't',
        containers: [{ id: 'a', image: 'i', restartPolicy: 'sometimes' }],
      },
    };
    assert.equal(decodeResource('Cell', stored).spec.containers[0].restartPolicy, 'sometimes');
    assert.throws(
      () => decodeResource('Cell', stored, { validate: true }),
      (e: unknown) => e instanceof ConversionError && /restartPolicy "sometimes"/.test(e.message),
    );
  });

  it('the JSON reader rejects other apiVersions and kinds with a typed error', () => {
    assert.throws(() => decodeResource('Realm', '{"apiVersion":"v2"}'), DocumentDecodeError);
    assert.throws(() => decodeResource('Realm', '{"kind":"Space"}'), DocumentDecodeError);
    assert.throws(() => decodeResource('Realm', 'not json'), DocumentDecodeError);
    assert.throws(() => decodeResource('Realm', '{"metadata":{"name":5}}'), DocumentDecodeError);
  });

  it('disk JSON round-trips exactly (encode → decode → encode is byte-identical)', () => {
    const cell = minimalCell();
    cell.status.createdAt = '2026-04-21T12:00:03.5Z';
    cell.status.containers = [
      {
        name: 'frontend',
        id: 'frontend',
        state: 'Ready',
        restartCount: 2,
        exitCode: 0,
        exitSignal: '',
        startTime: '2026-04-21T12:00:04Z',
      },
    ];
    const a = encodeResource('Cell', cell, 'json');
    const b = encodeResource('Cell', decodeResource('Cell', a), 'json');
    assert.equal(b, a);
  });
});

function spaceOf(doc: unknown) {
  return decodeResource('Space', JSON.parse(JSON.stringify(doc)));
}
