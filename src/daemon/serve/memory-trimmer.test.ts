import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryTrimmer } from './memory-trimmer.js';

test('trims once after a quiet period, not per touch', async () => {
  let trims = 0;
  const t = new MemoryTrimmer(() => trims++, 30, 0);
  for (let i = 0; i < 5; i++) {
    t.touch();
    await sleep(5);
  }
  assert.equal(trims, 0, 'still busy: no trim yet');
  await sleep(60);
  assert.equal(trims, 1);
  t.touch();
  t.close();
  await sleep(60);
  assert.equal(trims, 1, 'closed: the pending trim is cancelled');
});

test('at most one trim per interval, however the touches come', async () => {
  let trims = 0;
  const t = new MemoryTrimmer(() => trims++, 10, 150);
  t.touch();
  await sleep(40);
  assert.equal(trims, 1);
  t.touch(); // quiet again at once, but the last trim was just now
  await sleep(40);
  assert.equal(trims, 1, 'not before the interval is over');
  await sleep(150);
  assert.equal(trims, 2, 'then it runs');
  t.close();
});
