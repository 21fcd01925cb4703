import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAge } from './age.js';

const now = new Date('2026-01-10T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

test('largest whole unit', () => {
  assert.equal(formatAge(ago(5_000), now), '5s');
  assert.equal(formatAge(ago(59_999), now), '59s');
  assert.equal(formatAge(ago(60_000), now), '1m');
  assert.equal(formatAge(ago(3_599_000), now), '59m');
  assert.equal(formatAge(ago(3_600_000), now), '1h');
  assert.equal(formatAge(ago(86_399_000), now), '23h');
  assert.equal(formatAge(ago(86_400_000), now), '1d');
  assert.equal(formatAge(ago(10 * 86_400_000 + 5), now), '10d');
});

test('unset, zero time and garbage are "-"; the future counts as 0s', () => {
  assert.equal(formatAge(undefined, now), '-');
  assert.equal(formatAge('', now), '-');
  assert.equal(formatAge('0001-01-01T00:00:00Z', now), '-');
  assert.equal(formatAge('yesterday', now), '-');
  assert.equal(formatAge(new Date(now.getTime() + 60_000).toISOString(), now), '0s');
});
