import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PullInfo } from '../../protocol/method-types.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { pullLines, withPullProgress } from './pull-lines.js';

const info = (over: Partial<PullInfo>): PullInfo => ({
  Realm: 'r',
  Image: 'reg:5000/app:1',
  Cell: 's/t/c',
  State: 'pulling',
  BytesDone: 0,
  BytesTotal: 2048,
  LayersDone: 0,
  LayersTotal: 1,
  Version: 1,
  ...over,
});

test('plain lines: pulling once, then pulled with size and digest (also when only the end was seen)', () => {
  let out = '';
  const lines = pullLines({ write: (t) => void (out += t) });
  lines.show(info({}));
  lines.show(info({ BytesDone: 1024 }));
  lines.show(info({ State: 'pulled', Digest: 'sha256:d' }));
  lines.show(info({ Image: 'b', State: 'failed', Error: 'manifest unknown: b' }));
  assert.equal(
    out,
    'pulling reg:5000/app:1…\npulled reg:5000/app:1 (2.0 KiB, sha256:d)\npulling b…\nfailed to pull b: manifest unknown: b\n',
  );
});

test('withPullProgress follows the board while the call runs, catches up at its end, and stays out of the way without a board', async () => {
  const board: PullInfo[][] = [
    [],
    [info({ Version: 2 })],
    [info({ State: 'pulled', Digest: 'sha256:d', Version: 3 })],
  ];
  let release!: () => void;
  const applied = new Promise<void>((r) => (release = r));
  let calls = 0;
  const api = {
    mode: 'daemon',
    call: async (method: string, args: { AfterVersion?: number }) => {
      assert.equal(method, 'ListPulls');
      calls++;
      if (calls === 1) return { Pulls: [], Version: 1 };
      if (calls === 2) return { Pulls: board[1], Version: 2 };
      if (calls === 3) {
        // The follower's next long poll: answered only after the command finished.
        await applied;
        return { Pulls: [], Version: 2 };
      }
      assert.equal(args.AfterVersion, 2);
      return { Pulls: board[2], Version: 3 };
    },
  } as unknown as KukeonApi;
  let out = '';
  const result = await withPullProgress(
    api,
    async () => pullLines({ write: (t) => void (out += t) }),
    async () => {
      while (calls < 3) await new Promise((r) => setImmediate(r));
      release();
      return 'applied';
    },
  );
  assert.equal(result, 'applied');
  assert.equal(out, 'pulling reg:5000/app:1…\npulled reg:5000/app:1 (2.0 KiB, sha256:d)\n');
  const old = { mode: 'daemon', call: () => Promise.reject(new Error('unknown method ListPulls')) };
  assert.equal(
    await withPullProgress(
      old as unknown as KukeonApi,
      async () => pullLines({ write: () => {} }),
      async () => 7,
    ),
    7,
  );
});

/** A daemon whose pull board stays empty; `seen` gets the realms of every ListPulls call. */
function emptyBoard(seen: (realms: string[] | undefined) => void): KukeonApi {
  return {
    mode: 'daemon',
    call: async (_method: string, args: { Realms?: string[]; WaitMs?: number }) => {
      seen(args.Realms);
      if (args.WaitMs) await new Promise((r) => setTimeout(r, 20));
      return { Pulls: [], Version: 1 };
    },
  } as unknown as KukeonApi;
}

test('withPullProgress asks only for the given realms, in every ListPulls call', async () => {
  const seen: unknown[] = [];
  const api = emptyBoard((realms) => seen.push(realms));
  await withPullProgress(
    api,
    async () => pullLines({ write: () => {} }),
    () => new Promise((r) => setTimeout(r, 5)),
    ['a'],
  );
  assert.ok(seen.length >= 2);
  for (const r of seen) assert.deepEqual(r, ['a']);
});

test('withPullProgress with realms still to be found: the call starts first, the board is then followed for those realms', async () => {
  const seen: { realms: unknown; started: boolean }[] = [];
  let started = false;
  const api = emptyBoard((realms) => seen.push({ realms, started }));
  await withPullProgress(
    api,
    async () => pullLines({ write: () => {} }),
    () => {
      started = true;
      return new Promise((r) => setTimeout(r, 5));
    },
    async () => {
      assert.ok(started, 'the realms are looked for while the call runs');
      return ['a'];
    },
  );
  assert.deepEqual(seen[0], { realms: undefined, started: false }, 'the version is taken before the call');
  assert.ok(seen.length >= 2);
  for (const s of seen.slice(1)) assert.deepEqual(s.realms, ['a']);
});
