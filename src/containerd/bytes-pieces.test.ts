import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BytesPieces, serializeMessage } from './bytes-pieces.js';
import { protoRegistry } from './proto-registry.js';

const type = () => protoRegistry().root.lookupType('containerd.services.content.v1.WriteContentRequest');

test('a bytes field given as pieces decodes to the same message as one given whole', () => {
  const t = type();
  const data = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
  const pieces = [data.subarray(0, 1), data.subarray(1, 300), data.subarray(300)];
  const base = { action: 'WRITE', ref: 'r', offset: 5_000_000_000, total: 6_000_000_000, labels: { a: 'b' } };
  const whole = t.toObject(t.decode(serializeMessage(t, { ...base, data })));
  const pieced = t.toObject(t.decode(serializeMessage(t, { ...base, data: new BytesPieces(pieces) })));
  assert.deepEqual(pieced, whole);
  assert.deepEqual(Buffer.from(pieced.data as Uint8Array), data);
  const empty = t.toObject(t.decode(serializeMessage(t, { ...base, data: new BytesPieces([]) })));
  assert.equal((empty.data as Uint8Array | undefined)?.length ?? 0, 0);
});

test('a message is encoded into the buffer it is given when that is large enough, else a new one', () => {
  const t = type();
  const data = Buffer.alloc(10_000, 7);
  const base = { action: 'WRITE', ref: 'r', offset: 0 };
  const big = new BytesPieces([data]);
  big.into = Buffer.alloc(20_000);
  const out = serializeMessage(t, { ...base, data: big });
  assert.equal(out.buffer, big.into.buffer, 'written into the given buffer');
  assert.deepEqual(Buffer.from(t.decode(out).toJSON().data as string, 'base64'), data);
  const small = new BytesPieces([data]);
  small.into = Buffer.alloc(100);
  const out2 = serializeMessage(t, { ...base, data: small });
  assert.notEqual(out2.buffer, small.into.buffer, 'too small: a new buffer');
  assert.deepEqual(t.toObject(t.decode(out2)), t.toObject(t.decode(out)));
});
