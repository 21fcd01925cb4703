import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { silentLogger } from '../../log.js';
import { parseRecords, timesPath } from '../../store/log-time-index.js';
import { LogTimeRecorder } from './log-time-recorder.js';
import { waitUntil } from '../../../test/helpers/wait-until.js';

const dir = mkdtempSync(join(tmpdir(), `kukeond-logtimes-${process.pid}-`));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(existsSync(dir), false);
});

const recorders: LogTimeRecorder[] = [];
afterEach(() => {
  for (const r of recorders.splice(0)) r.close();
});
/** No coalescing in tests: each change is one record. */
const recorder = () => {
  const r = new LogTimeRecorder({ logger: silentLogger, index: { minIntervalMs: 0 } });
  recorders.push(r);
  return r;
};

let n = 0;
/** A container-like directory with its output file. */
function logFile(content = ''): string {
  const d = join(dir, `c${n++}`);
  mkdirSync(d);
  const p = join(d, 'log');
  writeFileSync(p, content);
  return p;
}
const sizes = (log: string): number[] => {
  try {
    return parseRecords(readFileSync(timesPath(log), 'utf8')).map((r) => r.size);
  } catch {
    return [];
  }
};
const last = (a: number[]) => a[a.length - 1];

test('records the size when watching starts and after each append, with times in order', async () => {
  const log = logFile('hello\n');
  const r = recorder();
  const before = Date.now();
  r.sync([log]);
  assert.deepEqual(r.paths(), [log]);
  assert.deepEqual(sizes(log), [6]);
  appendFileSync(log, 'world\n');
  await waitUntil('the append recorded', () => last(sizes(log)) === 12);
  appendFileSync(log, '!\n');
  await waitUntil('the next append recorded', () => last(sizes(log)) === 14);
  const recs = parseRecords(readFileSync(timesPath(log), 'utf8'));
  assert.ok(recs[0].atMs >= before);
  for (let i = 1; i < recs.length; i++) assert.ok(recs[i].atMs >= recs[i - 1].atMs);
  assert.deepEqual(
    [...new Set(recs.map((x) => x.size))],
    recs.map((x) => x.size),
    'no repeated sizes',
  );
});

test('sync watches exactly the listed files; a missing one is picked up by a later sync', async () => {
  const a = logFile('a');
  const b = logFile('b');
  const missing = join(dir, `c${n++}`, 'log');
  const r = recorder();
  r.sync([a, missing]);
  assert.deepEqual(r.paths(), [a]);
  r.sync([b, missing]);
  assert.deepEqual(r.paths(), [b]);
  mkdirSync(join(missing, '..'));
  writeFileSync(missing, 'now\n');
  r.sync([b, missing]);
  assert.deepEqual(r.paths(), [b, missing].sort());
  assert.deepEqual(sizes(missing), [4]);
  // `a` is no longer watched: its appends are not recorded, while `b`'s are.
  appendFileSync(a, 'more');
  appendFileSync(b, 'more');
  await waitUntil('b recorded', () => last(sizes(b)) === 5);
  assert.deepEqual(sizes(a), [1]);
  r.close();
  assert.deepEqual(r.paths(), []);
});

test('copy-and-truncate starts the index over', async () => {
  const log = logFile('0123456789\n');
  const r = recorder();
  r.sync([log]);
  truncateSync(log, 0);
  await waitUntil('the truncation noticed', () => sizes(log).length === 1 && sizes(log)[0] === 0);
  appendFileSync(log, 'x\n');
  await waitUntil('the append after it', () => last(sizes(log)) === 2);
  assert.deepEqual(sizes(log), [0, 2]);
});

test('a file replaced by a new one: the new one is watched and its index starts over', async () => {
  const log = logFile('old old old\n');
  const r = recorder();
  r.sync([log]);
  renameSync(log, `${log}.1`);
  writeFileSync(log, 'new\n');
  // The rename drops the old file; the next sync (or an event on the new file) watches the new.
  await waitUntil('the old file dropped', () => r.paths().length === 0 || sizes(log)[0] === 4);
  r.sync([log]);
  await waitUntil('the new file indexed', () => sizes(log)[0] === 4);
  appendFileSync(log, 'more\n');
  await waitUntil('an append to the new file', () => last(sizes(log)) === 9);
  assert.deepEqual(sizes(log), [4, 9]);
});

test('a deleted cell directory is dropped quietly and nothing is recreated in it', async () => {
  const log = logFile('bye\n');
  const cellDir = join(log, '..');
  const r = recorder();
  r.sync([log]);
  rmSync(cellDir, { recursive: true });
  await waitUntil('the file dropped', () => r.paths().length === 0);
  assert.deepEqual(r.pending(), [], 'no directory to wait in');
  assert.equal(existsSync(cellDir), false);
  r.sync([log]); // still listed (the daemon has not caught up): nothing to watch, no error
  assert.deepEqual(r.paths(), []);
  assert.equal(existsSync(cellDir), false);
});

test('a listed file that does not exist yet is watched as soon as it appears', async () => {
  const d = join(dir, `c${n++}`);
  mkdirSync(d);
  const log = join(d, 'log');
  writeFileSync(timesPath(log), '1 999\n'); // left by an earlier file at this path
  const r = recorder();
  r.sync([log]);
  assert.deepEqual([r.paths(), r.pending()], [[], [log]]);
  writeFileSync(log, 'first\n');
  await waitUntil('the new file watched', () => r.paths().length === 1);
  await waitUntil('its index started over', () => sizes(log).length === 1 && sizes(log)[0] === 6);
  assert.deepEqual(r.pending(), []);
  appendFileSync(log, 'second\n');
  await waitUntil('an append recorded', () => last(sizes(log)) === 13);
  // Deleted while listed (a container recreated): waited for again, then watched again.
  rmSync(log);
  await waitUntil('dropped and waited for', () => r.paths().length === 0 && r.pending().length === 1);
  writeFileSync(log, 'again\n');
  await waitUntil('watched again', () => r.paths().length === 1 && sizes(log)[0] === 6);
  assert.deepEqual(sizes(log), [6]);
  r.sync([]);
  assert.deepEqual([r.paths(), r.pending()], [[], []]);
});
