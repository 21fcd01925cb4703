import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventRing } from './event-ring.js';

const at = (ms: number) => () => new Date(ms);

test('the ring keeps the last `capacity` events, oldest first, with increasing sequence numbers', () => {
  const ring = new EventRing(3, at(0));
  for (let i = 1; i <= 5; i++)
    ring.emit({ kind: 'Cell', reason: `R${i}`, realm: 'a', cell: 'c', message: '' });
  assert.deepEqual(
    ring.list().map((e) => [e.seq, e.reason, e.type]),
    [
      [3, 'R3', 'Normal'],
      [4, 'R4', 'Normal'],
      [5, 'R5', 'Normal'],
    ],
  );
  assert.equal(ring.lastSeq, 5);
  assert.deepEqual(
    ring.list({ afterSeq: 4 }).map((e) => e.seq),
    [5],
  );
});

test('filters: scope fields match exactly, since by time', () => {
  let now = 1000;
  const ring = new EventRing(10, () => new Date(now));
  ring.emit({ kind: 'Cell', reason: 'A', realm: 'r1', space: 's', stack: 't', cell: 'x', message: '' });
  now = 2000;
  ring.emit({ kind: 'Cell', reason: 'B', realm: 'r2', space: 's', stack: 't', cell: 'x', message: '' });
  ring.emit({ kind: 'Daemon', reason: 'C', message: '' });
  assert.deepEqual(
    ring.list({ realm: 'r1' }).map((e) => e.reason),
    ['A'],
  );
  assert.deepEqual(
    ring.list({ cell: 'x' }).map((e) => e.reason),
    ['A', 'B'],
  );
  assert.deepEqual(
    ring.list({ sinceMs: 1500 }).map((e) => e.reason),
    ['B', 'C'],
  );
  assert.deepEqual(
    ring.list().map((e) => e.reason),
    ['A', 'B', 'C'],
  );
});

test('wait resolves at the next event, or at once when one is already there', async () => {
  const ring = new EventRing(4, at(0));
  await ring.wait(0, 0);
  const waited = ring.wait(0, 60_000);
  ring.emit({ kind: 'Daemon', reason: 'X', message: '' });
  await waited;
  await ring.wait(0, 60_000); // seq 1 > 0: immediate
  const seen: string[] = [];
  const stop = ring.listen((e) => seen.push(e.reason));
  ring.emit({ kind: 'Daemon', reason: 'Y', message: '' });
  stop();
  ring.emit({ kind: 'Daemon', reason: 'Z', message: '' });
  assert.deepEqual(seen, ['Y']);
});
