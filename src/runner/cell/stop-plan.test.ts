import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerModel } from '../../../test/helpers/cell-docs.js';
import { stopPlanOf } from './stop-plan.js';

test('a container stops with its own signal and grace; the caller overrides the grace only', () => {
  assert.deepEqual(stopPlanOf(undefined), { signal: 'SIGTERM', graceMs: 10_000 });
  const plain = containerModel('a', 'img');
  assert.deepEqual(stopPlanOf(plain), { signal: 'SIGTERM', graceMs: 10_000 });
  assert.deepEqual(stopPlanOf(plain, 1_500), { signal: 'SIGTERM', graceMs: 1_500 });
  const own = containerModel('b', 'img', { stopSignal: 'quit', stopGracePeriodSeconds: 3 });
  assert.deepEqual(stopPlanOf(own), { signal: 3, graceMs: 3_000 });
  assert.deepEqual(stopPlanOf(own, 0), { signal: 3, graceMs: 0 });
  const zero = containerModel('c', 'img', { stopSignal: '10', stopGracePeriodSeconds: 0 });
  assert.deepEqual(stopPlanOf(zero), { signal: 10, graceMs: 0 });
});
