import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LogTimeIndex, offsetSince, parseRecords, timesPath } from './log-time-index.js';
import { waitUntil } from '../../test/helpers/wait-until.js';

const dir = mkdtempSync(join(tmpdir(), `kukeon-times-${process.pid}-`));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(existsSync(dir), false);
});

let n = 0;
const fresh = () => join(dir, `log${n++}`);
const records = (log: string) => parseRecords(readFileSync(timesPath(log), 'utf8'));

test('the index file is `<log>.times`, one `<ms> <size>` line per record', () => {
  const log = fresh();
  const index = new LogTimeIndex(log);
  index.record(12, 1_000);
  index.close();
  assert.equal(timesPath(log), `${log}.times`);
  assert.equal(readFileSync(`${log}.times`, 'utf8'), '1000 12\n');
});

test('coalescing: at most one record per window; the newest size of a window is kept', () => {
  const log = fresh();
  const index = new LogTimeIndex(log, { minIntervalMs: 100 });
  index.record(10, 1_000);
  index.record(20, 1_010);
  index.record(30, 1_050);
  assert.deepEqual(records(log), [{ atMs: 1_000, size: 10 }], 'the window holds the later sizes back');
  index.record(40, 1_100); // a window later: written at once, the held-back record is superseded
  index.record(40, 1_300); // no new output: nothing to note
  index.record(50, 1_320);
  index.flush();
  assert.deepEqual(records(log), [
    { atMs: 1_000, size: 10 },
    { atMs: 1_100, size: 40 },
    { atMs: 1_320, size: 50 },
  ]);
  index.close();
});

test('a held-back record is written by a timer, and by close()', async () => {
  const log = fresh();
  const index = new LogTimeIndex(log, { minIntervalMs: 50 });
  const t = Date.now();
  index.record(1, t);
  index.record(2, t + 1);
  await waitUntil('the held-back record written', () => records(log).length >= 2);
  assert.deepEqual(records(log), [
    { atMs: t, size: 1 },
    { atMs: t + 1, size: 2 },
  ]);
  index.record(3, t + 2);
  index.close();
  assert.equal(records(log).length, 3);
  const other = fresh();
  const discarding = new LogTimeIndex(other, { minIntervalMs: 1000 });
  discarding.record(1, 5);
  discarding.record(2, 6);
  discarding.close(false);
  assert.deepEqual(records(other), [{ atMs: 5, size: 1 }]);
});

test('a smaller size (copy-and-truncate) starts the index over; reset() does the same', () => {
  const log = fresh();
  const index = new LogTimeIndex(log, { minIntervalMs: 0 });
  index.record(100, 1);
  index.record(200, 2);
  index.record(5, 3);
  assert.deepEqual(records(log), [{ atMs: 3, size: 5 }]);
  index.record(9, 4);
  index.reset(9, 5);
  assert.deepEqual(records(log), [{ atMs: 5, size: 9 }]);
  index.close();
});

test('a new writer continues an existing index and still sees a truncation', () => {
  const log = fresh();
  const a = new LogTimeIndex(log, { minIntervalMs: 0 });
  a.record(100, 1);
  a.close();
  const b = new LogTimeIndex(log, { minIntervalMs: 0 });
  b.record(100, 2); // same size as the last record: nothing new
  b.record(150, 3);
  assert.deepEqual(records(log), [
    { atMs: 1, size: 100 },
    { atMs: 3, size: 150 },
  ]);
  const c = new LogTimeIndex(log, { minIntervalMs: 0 });
  c.record(7, 4);
  assert.deepEqual(records(log), [{ atMs: 4, size: 7 }]);
});

test('bounded: past maxBytes the older half is dropped, whole lines only', () => {
  const log = fresh();
  const index = new LogTimeIndex(log, { minIntervalMs: 0, maxBytes: 300 });
  for (let i = 1; i <= 200; i++) index.record(i * 10, 1_000_000 + i);
  index.close();
  const text = readFileSync(timesPath(log), 'utf8');
  assert.ok(statSync(timesPath(log)).size <= 300, `${statSync(timesPath(log)).size} bytes`);
  const got = parseRecords(text);
  assert.equal(text, got.map((r) => `${r.atMs} ${r.size}\n`).join(''), 'only whole records');
  assert.deepEqual(got[got.length - 1], { atMs: 1_000_200, size: 2000 });
  assert.ok(got.length >= 5, `${got.length} records kept`);
  for (let i = 1; i < got.length; i++) assert.equal(got[i].atMs, got[i - 1].atMs + 1, 'consecutive');
});

test('the writer tolerates its directory being removed', () => {
  const sub = join(dir, 'cell');
  mkdirSync(sub);
  const log = join(sub, 'log');
  const index = new LogTimeIndex(log, { minIntervalMs: 0 });
  index.record(1, 1);
  rmSync(sub, { recursive: true });
  index.record(2, 2);
  index.record(1, 3);
  index.close();
  assert.equal(existsSync(sub), false);
});

test('offsetSince', () => {
  const log = fresh();
  assert.deepEqual(offsetSince(log, 0), { offset: 0, indexed: false }, 'no log');
  writeFileSync(log, 'x'.repeat(40));
  assert.deepEqual(offsetSince(log, 0), { offset: 0, indexed: false }, 'no index');
  // A torn last line (a crash mid-append) is ignored.
  writeFileSync(timesPath(log), '1000 10\n2000 20\n3000 30\n40');
  const recent = Date.now() / 1000;
  utimesSync(log, recent, recent);
  const at = (since: number) => offsetSince(log, since).offset;
  assert.equal(at(500), 0, 'every record is newer: nothing says what was there before');
  assert.equal(at(1000), 10, 'a record at exactly since');
  assert.equal(at(2500), 20, 'the last record before since');
  assert.equal(at(1_000_000), 30, 'the last record, the file written to since');
  assert.equal(offsetSince(log, 2500).indexed, true);
  // The file was last modified long before since: nothing was written since, print nothing.
  utimesSync(log, 4, 4);
  assert.equal(at(1_000_000), 40);
  assert.equal(at(2500), 20);
  // A record beyond the file (a truncation the index has not seen yet).
  writeFileSync(timesPath(log), '1000 100\n');
  utimesSync(log, recent, recent);
  assert.equal(at(5000), 0);
});
