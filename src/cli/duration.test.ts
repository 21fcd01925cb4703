import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDurationMs, timeoutFlagMs } from './duration.js';

test('a duration flag: Go durations, bare seconds, sub-millisecond rounded up', () => {
  const cases: [string, number][] = [
    ['10s', 10_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['3', 3_000],
    ['0.25', 250],
    ['0', 0],
    ['1ns', 1],
  ];
  for (const [text, ms] of cases) assert.equal(parseDurationMs(text), ms, text);
  assert.equal(timeoutFlagMs(undefined), undefined);
});

test('negative, malformed and over-long values are refused, naming the flag', () => {
  for (const bad of ['soon', '', '-1s', '1x', '1 s'])
    assert.throws(() => parseDurationMs(bad), { message: `invalid duration ${JSON.stringify(bad)}` }, bad);
  assert.throws(() => timeoutFlagMs('5 seconds'), {
    message:
      '--timeout: invalid duration "5 seconds": use a duration such as 10s, 500ms or 1m30s, or a number of seconds',
  });
  assert.throws(() => timeoutFlagMs('25h'), { message: '--timeout: "25h" is longer than a day' });
});
