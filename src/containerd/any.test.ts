import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtoAny, jsonAny, parseJsonAny, protoAny, anyTypeName, SPEC_TYPE_URL } from './any.js';
import { runcOptionsAny } from './containers.js';

test('JSON Anys carry the OCI spec as UTF-8 JSON', () => {
  const any = jsonAny(SPEC_TYPE_URL, { ociVersion: '1.0.2', process: { args: ['sh'] } });
  assert.equal(any.type_url, 'types.containerd.io/opencontainers/runtime-spec/1/Spec');
  assert.equal(Buffer.from(any.value).toString(), '{"ociVersion":"1.0.2","process":{"args":["sh"]}}');
  assert.deepEqual(parseJsonAny(any), { ociVersion: '1.0.2', process: { args: ['sh'] } });
  assert.equal(parseJsonAny(null), undefined);
  assert.equal(anyTypeName({ type_url: 'types.containerd.io/a/b/Spec', value: Buffer.alloc(0) }), 'Spec');
});

test('runc options encode as protobuf containerd.runc.v1.Options and decode back', () => {
  const any = runcOptionsAny({ shim_cgroup: '/kukeon/shims', systemd_cgroup: false, binary_name: 'runc' });
  assert.equal(any.type_url, 'containerd.runc.v1.Options');
  // Field 3 (shim_cgroup), wire type 2 → tag byte 0x1a.
  assert.equal(Buffer.from(any.value)[0], 0x1a);
  const back = decodeProtoAny(any);
  assert.equal(back?.shim_cgroup, '/kukeon/shims');
  assert.equal(back?.binary_name, 'runc');
  assert.throws(() => protoAny('containerd.runc.v1.Options', { shim_cgroup: 5 }));
  assert.equal(decodeProtoAny({ type_url: 'x.y.Unknown', value: Buffer.alloc(0) }), undefined);
});
