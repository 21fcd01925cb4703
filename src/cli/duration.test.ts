import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDurationMs } from './duration.js';

test('Go durations and bare seconds', () => {
  assert.equal(parseDurationMs('10s'), 10_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('2m'), 120_000);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('1h2m3s4ms'), 3_723_004);
  assert.equal(parseDurationMs('1.5s'), 1_500);
  assert.equal(parseDurationMs('.5s'), 500);
  assert.equal(parseDurationMs('3'), 3_000);
  assert.equal(parseDurationMs('0.25'), 250);
  assert.equal(parseDurationMs('0'), 0);
  assert.equal(parseDurationMs('0s'), 0);
  assert.equal(parseDurationMs('1ns'), 1);
  assert.equal(parseDurationMs('1500us'), 2);
  assert.equal(parseDurationMs(' 2s '), 2_000);
});

test('malformed durations are refused, naming the flag', () => {
  for (const bad of ['soon', '', '-1s', '1x', 's', '1s2', '1 s', '1.2.3s']) {
    assert.throws(() => parseDurationMs(bad), { message: `invalid duration ${JSON.stringify(bad)}` }, bad);
  }
  assert.throws(() => parseDurationMs('5 seconds', '--timeout'), {
    message:
      '--timeout: invalid duration "5 seconds": use a duration such as 10s, 500ms or 1m30s, or a number of seconds',
  });
});
