import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryTrimmer } from './memory-trimmer.js';

/**
 * A mocked clock driving both the trimmer's timers and its `now`: the checks are about which
 * trims happen in which order of touches and quiet periods, so they must not depend on how late a
 * loaded machine fires a real timer.
 */
function fakeClock(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 1_000_000;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
      t.mock.timers.tick(ms);
    },
  };
}

test('trims once after a quiet period, not per touch', (t) => {
  const clock = fakeClock(t);
  let trims = 0;
  const trimmer = new MemoryTrimmer(() => trims++, 30, 0, clock.now);
  for (let i = 0; i < 5; i++) {
    trimmer.touch();
    clock.advance(5);
  }
  assert.equal(trims, 0, 'still busy: no trim yet');
  clock.advance(60);
  assert.equal(trims, 1);
  trimmer.touch();
  trimmer.close();
  clock.advance(60);
  assert.equal(trims, 1, 'closed: the pending trim is cancelled');
});

test('at most one trim per interval, however the touches come', (t) => {
  const clock = fakeClock(t);
  let trims = 0;
  const trimmer = new MemoryTrimmer(() => trims++, 10, 150, clock.now);
  trimmer.touch();
  clock.advance(40);
  assert.equal(trims, 1);
  trimmer.touch(); // quiet again at once, but the last trim was just now
  clock.advance(40);
  assert.equal(trims, 1, 'not before the interval is over');
  clock.advance(150);
  assert.equal(trims, 2, 'then it runs');
  trimmer.close();
});
