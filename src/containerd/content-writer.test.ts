import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunksFrom, WRITE_CHUNK } from './content-writer.js';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of it) out.push(b);
  return out;
}

test('chunksFrom: a Buffer is cut into ≤1 MiB chunks from the resume offset', async () => {
  const data = Buffer.alloc(2 * WRITE_CHUNK + 10, 7);
  const chunks = await collect(chunksFrom(data, 0));
  assert.deepEqual(
    chunks.map((c) => c.length),
    [WRITE_CHUNK, WRITE_CHUNK, 10],
  );
  const resumed = await collect(chunksFrom(data, WRITE_CHUNK + 5));
  assert.equal(Buffer.concat(resumed).length, WRITE_CHUNK + 5);
});

test('chunksFrom: an iterable is re-chunked and its first `offset` bytes skipped; a factory gets the offset', async () => {
  const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));
  const pieces = async function* () {
    for (let o = 0; o < data.length; o += 777) yield data.subarray(o, o + 777);
  };
  assert.deepEqual(Buffer.concat(await collect(chunksFrom(pieces(), 1000))), data.subarray(1000));
  assert.deepEqual(Buffer.concat(await collect(chunksFrom(pieces(), 0))), data);
  let asked = -1;
  const factory = (offset: number) => {
    asked = offset;
    return (async function* () {
      yield data.subarray(offset);
    })();
  };
  assert.deepEqual(Buffer.concat(await collect(chunksFrom(factory, 1234))), data.subarray(1234));
  assert.equal(asked, 1234);
  const big = Buffer.alloc(WRITE_CHUNK * 2 + 3, 1);
  const oneShot = (async function* () {
    yield big;
  })();
  assert.deepEqual(
    (await collect(chunksFrom(oneShot, 0))).map((c) => c.length),
    [WRITE_CHUNK, WRITE_CHUNK, 3],
  );
});
