import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SweepSchedule } from './sweep-schedule.js';

/** Which of the given ticks sweep (true = full tick), every skipped sweep retried. */
function sweeps(every: number, ticks: boolean[], skipped: number[] = []): number[] {
  const s = new SweepSchedule(every);
  const out: number[] = [];
  ticks.forEach((full, i) => {
    if (!s.due(full)) return;
    const ran = !skipped.includes(i);
    s.done(ran);
    if (ran) out.push(i);
  });
  return out;
}

test('the first full tick sweeps, then every n-th full tick', () => {
  assert.deepEqual(sweeps(3, Array<boolean>(10).fill(true)), [0, 2, 5, 8]);
});

test('kicked ticks neither sweep nor count, so an alternating beat of task exits cannot starve the sweep', () => {
  // full, kicked, full, kicked…: every other tick is kicked, as with a cell restarting each interval.
  const ticks = Array.from({ length: 12 }, (_, i) => i % 2 === 0);
  assert.deepEqual(sweeps(2, ticks), [0, 2, 6, 10]);
});

test('a sweep skipped for requests in flight is owed to the next full tick', () => {
  assert.deepEqual(sweeps(10, [true, false, true, true], [0]), [2]);
});

test('every 0 disables the sweep', () => {
  assert.deepEqual(sweeps(0, [true, true, true]), []);
});
