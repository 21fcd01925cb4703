import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeRound, type Observed } from './expectations.js';
import type { OpRecord } from './chaos-events.js';

const obs = (entries: [string, Observed][]) => new Map(entries);
const op = (n: number, o: OpRecord['op'], target: string, outcome: OpRecord['outcome']): OpRecord => ({
  n,
  op: o,
  target,
  outcome,
});

test('a completed create that is missing afterwards is lost; a completed delete that is back is resurrected', () => {
  const j = judgeRound(
    obs([['cell:c01', { exists: true, ready: true }]]),
    [op(0, 'cell.create', 'cell:c02', 'ok'), op(1, 'cell.delete', 'cell:c01', 'ok')],
    obs([['cell:c01', { exists: true, ready: true }]]),
  );
  assert.deepEqual(j.lost, ['cell:c02']);
  assert.deepEqual(j.resurrected, ['cell:c01']);
});

test('an operation in flight at the crash (or failed) may go either way', () => {
  for (const after of [true, false]) {
    const j = judgeRound(
      obs([['cell:c01', { exists: true, ready: false }]]),
      [op(0, 'cell.delete', 'cell:c01', 'inflight')],
      obs([['cell:c01', { exists: after, ready: false }]]),
    );
    assert.deepEqual(j, { lost: [], resurrected: [], wrongState: [] });
  }
  const j = judgeRound(
    obs([]),
    [op(0, 'cell.create', 'cell:c03', 'failed')],
    obs([['cell:c03', { exists: true, ready: false }]]),
  );
  assert.deepEqual(j.resurrected, []);
});

test('a later accepted create reopens a completed delete', () => {
  const j = judgeRound(
    obs([['cell:c01', { exists: true, ready: true }]]),
    [op(0, 'cell.delete', 'cell:c01', 'ok'), op(1, 'cell.create', 'cell:c01', 'inflight')],
    obs([['cell:c01', { exists: true, ready: false }]]),
  );
  assert.deepEqual(j, { lost: [], resurrected: [], wrongState: [] });
});

test('untouched resources keep existence and run state; completed start/stop decide the run state', () => {
  const before = obs([
    ['cell:c01', { exists: true, ready: true }],
    ['cell:c02', { exists: true, ready: false }],
    ['cell:c03', { exists: true, ready: true }],
  ]);
  const j = judgeRound(
    before,
    [op(0, 'cell.start', 'cell:c02', 'ok'), op(1, 'cell.stop', 'cell:c03', 'ok')],
    obs([
      ['cell:c01', { exists: true, ready: false }],
      ['cell:c02', { exists: true, ready: false }],
      ['cell:c03', { exists: true, ready: true }],
    ]),
  );
  assert.deepEqual(j.wrongState, [
    'cell:c01: Ready expected',
    'cell:c02: Ready expected',
    'cell:c03: not Ready expected',
  ]);
  assert.deepEqual(j.lost, []);
});

test('a new cell is created stopped; a space delete cascades to its stack', () => {
  const j = judgeRound(
    obs([
      ['cell:c04', { exists: false }],
      ['space:x', { exists: true }],
      ['stack:x/y', { exists: true }],
    ]),
    [op(0, 'cell.create', 'cell:c04', 'ok'), op(1, 'space.delete', 'space:x', 'ok')],
    obs([
      ['cell:c04', { exists: true, ready: true }],
      ['stack:x/y', { exists: true }],
    ]),
  );
  assert.deepEqual(j.resurrected, ['stack:x/y']);
  assert.deepEqual(j.wrongState, ['cell:c04: not Ready expected']);
});

test('volumes: a created one must stay, a deleted one must not return, a space delete keeps a Retain one', () => {
  const j = judgeRound(
    obs([['volume:vol-keep', { exists: true }]]),
    [
      op(0, 'volume.create', 'volume:vol-realm', 'ok'),
      op(1, 'space.delete', 'space:x', 'ok'),
      op(2, 'volume.delete', 'volume:vol-gone', 'ok'),
    ],
    obs([
      ['volume:vol-keep', { exists: false }],
      ['volume:vol-gone', { exists: true }],
    ]),
  );
  assert.deepEqual(j.lost, ['volume:vol-keep', 'volume:vol-realm']);
  assert.deepEqual(j.resurrected, ['volume:vol-gone']);
});

test('images: a completed pull must leave the record; one back after a delete was pulled by a cell, not resurrected', () => {
  const img = 'image:127.0.0.1:5000/chaos/pulled:1';
  const lost = judgeRound(
    obs([[img, { exists: false }]]),
    [op(0, 'image.pull', img, 'ok')],
    obs([[img, { exists: false }]]),
  );
  assert.deepEqual(lost.lost, [img]);
  const back = judgeRound(
    obs([[img, { exists: true }]]),
    [op(0, 'image.delete', img, 'ok'), op(1, 'cell.create', 'cell:c05', 'ok')],
    obs([[img, { exists: true }]]),
  );
  assert.deepEqual(back.resurrected, []);
  const untouched = judgeRound(obs([[img, { exists: true }]]), [], obs([[img, { exists: false }]]));
  assert.deepEqual(untouched.lost, [img]);
});

test('a registry login set or removed is decided like any other resource', () => {
  const t = 'credential:default';
  const before = new Map([[t, { exists: false }]]);
  const set: OpRecord = { n: 0, op: 'credential.set', target: t, outcome: 'ok' };
  assert.deepEqual(judgeRound(before, [set], new Map([[t, { exists: false }]])).lost, [t]);
  const removed: OpRecord = { n: 1, op: 'credential.delete', target: t, outcome: 'ok' };
  assert.deepEqual(judgeRound(before, [set, removed], new Map([[t, { exists: true }]])).resurrected, [t]);
  const inflight: OpRecord = { ...removed, outcome: 'inflight' };
  const j = judgeRound(before, [set, inflight], new Map([[t, { exists: true }]]));
  assert.deepEqual([j.lost, j.resurrected], [[], []]);
});
