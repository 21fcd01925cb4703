import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { limiter } from './limiter.js';

test('never runs more than n tasks at once, and runs them all', async () => {
  const limit = limiter(2);
  let active = 0;
  let peak = 0;
  const order: number[] = [];
  const results = await Promise.all(
    [5, 1, 3, 1, 2].map((ms, i) =>
      limit(async () => {
        active++;
        peak = Math.max(peak, active);
        await sleep(ms);
        active--;
        order.push(i);
        return i * 10;
      }),
    ),
  );
  assert.equal(peak, 2);
  assert.deepEqual(results, [0, 10, 20, 30, 40]);
  assert.equal(order.length, 5);
});

test('a failing task frees its slot', async () => {
  const limit = limiter(1);
  await assert.rejects(
    limit(async () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await limit(async () => 'next'), 'next');
});
