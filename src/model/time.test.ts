import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTimestamp, timestampFromDate, timestampToDate, zeroTime } from './time.js';

describe('timestamps', () => {
  const cases: [string, string | undefined | null][] = [
    ['2026-04-21T12:00:03.123456789Z', '2026-04-21T12:00:03.123456789Z'],
    ['2026-04-21T12:00:03.120000000Z', '2026-04-21T12:00:03.12Z'],
    ['2026-04-21T12:00:03.000Z', '2026-04-21T12:00:03Z'],
    ['2026-04-21T14:00:03.5+02:00', '2026-04-21T12:00:03.5Z'],
    ['2026-04-21T00:30:00-01:00', '2026-04-21T01:30:00Z'],
    ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00Z'],
    ['2026-04-21t12:00:03z', '2026-04-21T12:00:03Z'],
    [zeroTime, undefined],
    ['0001-01-01T00:00:00.000000000Z', undefined],
    ['2026-02-30T00:00:00Z', null],
    ['2026-04-21', null],
    ['yesterday', null],
    ['2026-04-21T25:00:00Z', null],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${String(want)}`, () => assert.equal(parseTimestamp(input), want));
  }

  it('timestampFromDate keeps milliseconds as nanoseconds', () => {
    assert.equal(
      timestampFromDate(new Date(Date.UTC(2026, 3, 21, 12, 0, 3, 120))),
      '2026-04-21T12:00:03.12Z',
    );
    assert.equal(timestampFromDate(new Date(Date.UTC(2026, 3, 21, 12, 0, 3))), '2026-04-21T12:00:03Z');
  });

  it('timestampToDate of unset is the zero time', () => {
    assert.equal(timestampToDate(undefined).toISOString(), '0001-01-01T00:00:00.000Z');
    assert.equal(timestampToDate('2026-04-21T12:00:03.123456789Z').toISOString(), '2026-04-21T12:00:03.123Z');
  });
});
