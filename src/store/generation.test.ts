import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { nextGeneration, prepareWrite, rfc3339, ZERO_TIME, type GenerationalDocument } from './generation.js';
import { StoreError } from './store-errors.js';

const doc = (generation: number | undefined, spec: unknown, status: GenerationalDocument['status'] = {}) => ({
  metadata: { name: 'x', ...(generation === undefined ? {} : { generation }) },
  spec,
  status,
});

describe('generation protocol', () => {
  it('starts at 1 when nothing is on disk', () => {
    assert.equal(nextGeneration(doc(undefined, { a: 1 }), undefined, 'p'), 1);
    assert.equal(nextGeneration(doc(7, { a: 1 }), undefined, 'p'), 1);
  });

  it('bumps only when the canonical spec changes', () => {
    assert.equal(nextGeneration(doc(3, { a: 1, b: 2 }), doc(3, { b: 2, a: 1 }), 'p'), 3);
    assert.equal(nextGeneration(doc(3, { a: 2 }), doc(3, { a: 1 }), 'p'), 4);
  });

  it('rejects a caller older than the disk, unless the caller generation is 0', () => {
    assert.throws(
      () => nextGeneration(doc(2, { a: 2 }), doc(3, { a: 1 }), '/x/metadata.json'),
      (err: unknown) =>
        err instanceof StoreError && err.code === 'STORE_STALE' && err.path === '/x/metadata.json',
    );
    assert.equal(nextGeneration(doc(0, { a: 2 }), doc(3, { a: 1 }), 'p'), 4);
    assert.equal(nextGeneration(doc(undefined, { a: 1 }), doc(3, { a: 1 }), 'p'), 3);
    assert.equal(nextGeneration(doc(5, { a: 1 }), doc(3, { a: 1 }), 'p'), 3);
  });
});

describe('lifecycle stamps', () => {
  const t0 = new Date('2026-04-21T12:00:03.000Z');
  const t1 = new Date('2026-04-21T12:00:04.123Z');

  it('formats like Go: no fraction when zero', () => {
    assert.equal(rfc3339(t0), '2026-04-21T12:00:03Z');
    assert.equal(rfc3339(t1), '2026-04-21T12:00:04.123Z');
  });

  it('sets createdAt once, updatedAt always, readyAt the first time Ready', () => {
    const first = prepareWrite(doc(undefined, {}, { state: 'Creating' }), undefined, 1, t0);
    assert.equal(first.status.createdAt, '2026-04-21T12:00:03Z');
    assert.equal(first.status.updatedAt, '2026-04-21T12:00:03Z');
    assert.equal(first.status.readyAt, undefined);
    assert.equal(first.metadata.generation, 1);

    // A caller that constructed the doc without stamps does not reset createdAt.
    const ready = prepareWrite(doc(0, {}, { state: 'Ready', createdAt: ZERO_TIME }), first, 1, t1);
    assert.equal(ready.status.createdAt, '2026-04-21T12:00:03Z');
    assert.equal(ready.status.updatedAt, '2026-04-21T12:00:04.123Z');
    assert.equal(ready.status.readyAt, '2026-04-21T12:00:04.123Z');

    const later = prepareWrite(doc(1, {}, { state: 'Ready' }), ready, 1, new Date('2027-01-01T00:00:00Z'));
    assert.equal(later.status.readyAt, '2026-04-21T12:00:04.123Z');
  });

  it('does not modify the caller object and keeps key order', () => {
    const input = {
      metadata: { name: 'n', generation: 0, labels: {} },
      spec: {},
      status: { state: 'Ready' },
    };
    const out = prepareWrite(input, undefined, 1, t0);
    assert.equal(input.metadata.generation, 0);
    assert.deepEqual(Object.keys(out.metadata), ['name', 'generation', 'labels']);
    assert.deepEqual(Object.keys(out), ['metadata', 'spec', 'status']);
  });
});
