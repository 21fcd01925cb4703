import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitUntil } from '../../../test/helpers/wait-until.js';
import { silentLogger } from '../../log.js';
import { ReconcileLoop } from './reconcile-loop.js';

test('ticks never overlap, a failing tick does not stop the loop, stop waits for the running tick', async (t) => {
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
  t.after(() => loop.stop()); // a failed assertion must not leave the loop ticking forever
  loop.start();
  // Waits for the ticks rather than a fixed time: under load a timer fires late.
  await waitUntil('a tick after the failing one', () => count >= 3);
  await loop.stop();
  const after = count;
  assert.equal(maxActive, 1);
  assert.ok(count >= 3, `ran ${count} ticks`);
  assert.equal(finished, count, 'stop waited for the running tick');
  await sleep(40); // several intervals: a tick left scheduled would have run
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

test('scheduled ticks are full; a task-event kick is not, unless it asks for a full pass', async (t) => {
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
  t.after(() => {
    release();
    return loop.stop();
  });
  loop.start();
  // The first (scheduled) tick finishes in microtasks, which all run before any timer, however
  // loaded the machine is.
  await sleep(0);
  loop.kick(); // runs at once: a cells-only pass, held open below
  assert.equal(seen.length, 2);
  loop.kick(); // during a pass: merged into one follow-up…
  loop.kick({ full: true }); // …which becomes full when any kick asked for it
  release();
  await waitUntil('the follow-up pass', () => seen.length === 3);
  await loop.stop();
  assert.deepEqual(seen, [true, false, true]);
});

test('kicks during every tick cannot starve full ticks: one runs at least once an interval', async (t) => {
  const seen: { full: boolean; at: number }[] = [];
  let kicking = true;
  const loop = new ReconcileLoop(
    50,
    async (_n, full) => {
      seen.push({ full, at: Date.now() });
      // A task exit arrives during every tick, as with a crash-looping cell.
      if (kicking) setImmediate(() => loop.kick());
      await sleep(10);
    },
    silentLogger,
  );
  t.after(() => {
    kicking = false;
    return loop.stop();
  });
  loop.start();
  await waitUntil('several full ticks', () => seen.filter((s) => s.full).length >= 4);
  kicking = false;
  await loop.stop();
  assert.ok(
    seen.some((s) => !s.full),
    'kicked ticks ran in between',
  );
});
