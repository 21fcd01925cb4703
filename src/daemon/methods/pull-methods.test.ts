import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PullBoard } from '../events/pull-board.js';
import { pullHandlers } from './pull-methods.js';

const progress = { phase: 'write' as const, bytesDone: 0, bytesTotal: 10, layersDone: 0, layersTotal: 1 };

test('ListPulls with Realms lists only those realms; without, every realm; empty, none', async () => {
  const board = new PullBoard();
  const { ListPulls } = pullHandlers(board);
  board.report({ realm: 'a', space: 's', stack: 't', name: 'c' }, 'img-a', progress);
  board.report({ realm: 'b' }, 'img-b', progress);
  const images = async (args: Parameters<typeof ListPulls>[0]) =>
    (await ListPulls(args)).Pulls.map((p) => `${p.Realm}:${p.Image}:${p.Cell}`);
  assert.deepEqual(await images({}), ['a:img-a:s/t/c', 'b:img-b:']);
  assert.deepEqual(await images({ Realms: ['a'] }), ['a:img-a:s/t/c']);
  assert.deepEqual(await images({ Realms: ['b', 'z'] }), ['b:img-b:']);
  assert.deepEqual(await images({ Realms: [] }), []);
  assert.equal((await ListPulls({ Realms: ['z'] })).Version, board.lastVersion);
});

test("a long poll for one realm is not answered by another realm's change, but by its own", async () => {
  const board = new PullBoard();
  const { ListPulls } = pullHandlers(board);
  const after = board.lastVersion;
  let answered = false;
  const waiting = ListPulls({ Realms: ['a'], AfterVersion: after, WaitMs: 10_000 }).then((r) => {
    answered = true;
    return r;
  });
  board.report({ realm: 'b' }, 'img-b', progress);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(answered, false, "realm b's pull must not answer realm a's follower");
  board.report({ realm: 'a' }, 'img-a', progress);
  const r = await waiting;
  assert.deepEqual(
    r.Pulls.map((p) => p.Image),
    ['img-a'],
  );
  assert.equal(r.Version, board.lastVersion);
  // Nothing of the realm changes: the poll ends at its deadline, empty, at the current version.
  // (The board's timers do not hold a process open; the daemon's socket does, this timer here.)
  const keepAlive = setTimeout(() => {}, 10_000);
  const t0 = Date.now();
  const idle = await ListPulls({ Realms: ['a'], AfterVersion: r.Version, WaitMs: 100 });
  clearTimeout(keepAlive);
  assert.deepEqual(idle.Pulls, []);
  assert.ok(Date.now() - t0 >= 90);
});
