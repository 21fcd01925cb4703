import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PullBoard } from './pull-board.js';

const cell = { realm: 'r', space: 's', stack: 't', name: 'c' };
const progress = (bytesDone: number, phase: 'write' | 'unpack' | 'done' = 'write') => ({
  phase,
  bytesDone,
  bytesTotal: 100,
  layersDone: 0,
  layersTotal: 2,
});

test('a pull is listed from its first report, byte counts wake followers at most every 200 ms, the outcome always', async () => {
  let now = 1000;
  const board = new PullBoard(() => now);
  const start = board.lastVersion;
  board.report(cell, 'img', progress(0));
  const first = board.list(start);
  assert.deepEqual(
    first.map((p) => [p.Image, p.State, p.Cell]),
    [['img', 'pulling', 's/t/c']],
  );
  const v1 = board.lastVersion;
  board.report(cell, 'img', progress(10));
  assert.equal(board.lastVersion, v1, 'too soon for a byte count');
  now += 250;
  board.report(cell, 'img', progress(50));
  assert.equal(board.list(v1)[0].BytesDone, 50);
  const v2 = board.lastVersion;
  board.report(cell, 'img', progress(100, 'unpack'));
  assert.ok(board.lastVersion > v2, 'a phase change always counts');
  const waiting = board.wait(board.lastVersion, 10_000);
  board.report(cell, 'img', progress(100, 'done'), { digest: 'sha256:abc', bytes: 100 });
  await waiting;
  const [done] = board.list(v2);
  assert.equal(done.State, 'pulled');
  assert.equal(done.Digest, 'sha256:abc');
  // A later pull of the same image starts a fresh entry.
  board.report(cell, 'img', progress(0));
  assert.equal(board.list(0)[0].State, 'pulling');
  board.report(cell, 'img', progress(0), { error: 'manifest unknown: img' });
  assert.equal(board.list(0)[0].Error, 'manifest unknown: img');
});

test('a pull without a cell (PullImage) is listed with an empty Cell, under its realm', () => {
  const board = new PullBoard();
  board.report({ realm: 'r' }, 'img', progress(0));
  assert.deepEqual(
    board.list(0).map((p) => [p.Realm, p.Image, p.Cell]),
    [['r', 'img', '']],
  );
  assert.deepEqual(board.list(0, ['other']), []);
});
