import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JsonObjectSplitter } from './json-object-splitter.js';

const limits = { maxObjectBytes: 1024 * 1024, maxDepth: 64 };

function splitAll(splitter: JsonObjectSplitter, chunks: Buffer[]): unknown[] {
  const out: unknown[] = [];
  for (const c of chunks) {
    const { objects, error } = splitter.push(c);
    for (const o of objects) out.push(JSON.parse(o.toString('utf8')));
    if (error) throw error;
  }
  return out;
}

test('splits back-to-back objects with and without newlines', () => {
  const s = new JsonObjectSplitter(limits);
  const text = '{"a":1}{"b":[2,{"c":3}]}\n  {"d":"}{"}\r\n\t{}';
  assert.deepEqual(splitAll(s, [Buffer.from(text)]), [{ a: 1 }, { b: [2, { c: 3 }] }, { d: '}{' }, {}]);
  assert.equal(s.inObject, false);
  assert.equal(s.bufferedBytes, 0);
});

test('braces, brackets and escaped quotes inside strings do not count', () => {
  const s = new JsonObjectSplitter(limits);
  const value = { k: 'a "quoted" {string} [with] \\ backslash \\"', n: ['\\', '"'] };
  assert.deepEqual(splitAll(s, [Buffer.from(JSON.stringify(value))]), [value]);
});

test('any chunking of a stream yields the same objects (property)', () => {
  const jsonObject = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 });
  fc.assert(
    fc.property(
      fc.array(jsonObject, { minLength: 1, maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      fc.boolean(),
      (values, cuts, newline) => {
        const stream = Buffer.from(values.map((v) => JSON.stringify(v)).join(newline ? '\n' : ''));
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, stream.length]) {
          chunks.push(stream.subarray(prev, p));
          prev = p;
        }
        const s = new JsonObjectSplitter(limits);
        assert.deepEqual(splitAll(s, chunks), JSON.parse(JSON.stringify(values)));
        assert.equal(s.inObject, false);
      },
    ),
    { numRuns: 300 },
  );
});

test('a multi-byte character split across chunks survives', () => {
  const s = new JsonObjectSplitter(limits);
  const bytes = Buffer.from(JSON.stringify({ name: 'κουκέον 🚀' }));
  const chunks = [...bytes].map((b) => Buffer.from([b]));
  assert.deepEqual(splitAll(s, chunks), [{ name: 'κουκέον 🚀' }]);
});

test('reports the incomplete object while it is arriving', () => {
  const s = new JsonObjectSplitter(limits);
  assert.deepEqual(s.push(Buffer.from('  {"a":')).objects, []);
  assert.equal(s.inObject, true);
  assert.equal(s.bufferedBytes, 5);
  assert.equal(s.push(Buffer.from('1}')).objects.length, 1);
  assert.equal(s.inObject, false);
  assert.equal(s.bufferedBytes, 0);
});

test('garbage at the top level breaks the stream, objects before it are kept', () => {
  const s = new JsonObjectSplitter(limits);
  const { objects, error } = s.push(Buffer.from('{"ok":1} hello'));
  assert.equal(objects.length, 1);
  assert.equal(error?.problem, 'syntax');
  assert.equal(error?.code, 'RPC_FRAMING');
  assert.match(error!.message, /invalid character 'h' looking for beginning of object/);
  // A broken splitter stays broken: the stream cannot be resynchronised.
  assert.equal(s.push(Buffer.from('{"a":1}')).error, error);
});

test('top-level arrays and scalars are refused (requests are objects)', () => {
  for (const text of ['[1]', '1', '"x"', 'null', '\u0000']) {
    assert.equal(new JsonObjectSplitter(limits).push(Buffer.from(text)).error?.problem, 'syntax', text);
  }
});

test('mismatched brackets break the stream', () => {
  assert.equal(new JsonObjectSplitter(limits).push(Buffer.from('{"a":[1}')).error?.problem, 'syntax');
});

test('an object over the size limit is refused, also when it arrives in pieces', () => {
  const small = { maxObjectBytes: 16, maxDepth: 8 };
  assert.equal(
    new JsonObjectSplitter(small).push(Buffer.from('{"a":"0123456789abc"}')).error?.problem,
    'too-large',
  );
  const s = new JsonObjectSplitter(small);
  assert.equal(s.push(Buffer.from('{"a":"0123')).error, undefined);
  const { error } = s.push(Buffer.from('456789abcdef'));
  assert.equal(error?.problem, 'too-large');
  assert.equal(s.bufferedBytes, 0);
  // Exactly at the limit is fine.
  assert.equal(new JsonObjectSplitter(small).push(Buffer.from('{"a":"01234567"}')).objects.length, 1);
});

test('nesting deeper than the limit is refused before it is buffered', () => {
  const s = new JsonObjectSplitter({ maxObjectBytes: 1 << 20, maxDepth: 8 });
  // The object is depth 1, so 8 arrays inside make depth 9.
  assert.equal(s.push(Buffer.from(`{"a":${'['.repeat(8)}1${']'.repeat(8)}}`)).error?.problem, 'too-deep');
  const ok = new JsonObjectSplitter({ maxObjectBytes: 1 << 20, maxDepth: 8 });
  assert.equal(ok.push(Buffer.from(`{"a":${'['.repeat(7)}1${']'.repeat(7)}}`)).objects.length, 1);
});

test('a small tail of a big chunk is copied rather than pinning the chunk', () => {
  const s = new JsonObjectSplitter(limits);
  const chunk = Buffer.concat([Buffer.from(`{"pad":"${'x'.repeat(4000)}"}`), Buffer.from('{"a":')]);
  const { objects } = s.push(chunk);
  assert.equal(objects.length, 1);
  assert.equal(s.bufferedBytes, 5);
  assert.deepEqual(splitAll(s, [Buffer.from('2}')]), [{ a: 2 }]);
});

test('discard drops the buffer and refuses further input', () => {
  const s = new JsonObjectSplitter(limits);
  s.push(Buffer.from('{"a":"xyz'));
  assert.equal(s.bufferedBytes, 9);
  s.discard();
  assert.equal(s.bufferedBytes, 0);
  assert.equal(s.inObject, false);
  assert.ok(s.push(Buffer.from('{}')).error);
});
