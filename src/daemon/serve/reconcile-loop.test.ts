import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../log.js';
import { ReconcileLoop } from './reconcile-loop.js';

test('ticks never overlap, a failing tick does not stop the loop, stop waits for the running tick', async () => {
  let active = 0;
  let maxActive = 0;
  let count = 0;
  let finished = 0;
  const loop = new ReconcileLoop(
    5,
    async (n) => {
      active++;
      maxActive = Math.max(maxActive, active);
      count++;
      await sleep(20); // longer than the interval
      active--;
      finished++;
      if (n === 2) throw new Error('boom');
    },
    silentLogger,
  );
  loop.start();
  await sleep(120);
  await loop.stop();
  const after = count;
  assert.equal(maxActive, 1);
  assert.ok(count >= 3, `ran ${count} ticks`);
  assert.equal(finished, count, 'stop waited for the running tick');
  await sleep(40);
  assert.equal(count, after, 'no tick after stop');
});

test('interval 0 disables the loop', async () => {
  let count = 0;
  const loop = new ReconcileLoop(0, async () => void count++, silentLogger);
  loop.start();
  await sleep(10);
  await loop.stop();
  assert.equal(count, 0);
});

test('scheduled ticks are full; a task-event kick is not, unless it asks for a full pass', async () => {
  const seen: boolean[] = [];
  let release: () => void = () => undefined;
  const loop = new ReconcileLoop(
    60_000,
    async (_n, full) => {
      seen.push(full);
      if (seen.length === 2) await new Promise<void>((r) => (release = r));
    },
    silentLogger,
  );
  loop.start();
  await sleep(10);
  loop.kick(); // runs at once: a cells-only pass, held open below
  await sleep(10);
  loop.kick(); // during a pass: merged into one follow-up…
  loop.kick({ full: true }); // …which becomes full when any kick asked for it
  release();
  await sleep(20);
  await loop.stop();
  assert.deepEqual(seen, [true, false, true]);
});
