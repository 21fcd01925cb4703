import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { KeyedMutex } from './keyed-mutex.js';

describe('KeyedMutex', () => {
  it('serialises tasks of one key in arrival order', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const task = (name: string, ms: number) =>
      m.run(['r', 's', 'st', 'c'], async () => {
        log.push(`${name}:start`);
        await sleep(ms);
        log.push(`${name}:end`);
      });
    await Promise.all([task('a', 20), task('b', 1), task('c', 5)]);
    assert.deepEqual(log, ['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
  });

  it('runs tasks of different keys concurrently', async () => {
    const m = new KeyedMutex();
    let inside = 0;
    let maxInside = 0;
    const task = (key: string) =>
      m.run(key, async () => {
        maxInside = Math.max(maxInside, ++inside);
        await sleep(10);
        inside--;
      });
    await Promise.all([task('a'), task('b'), task('c')]);
    assert.equal(maxInside, 3);
  });

  it('releases on throw and forgets unused keys', async () => {
    const m = new KeyedMutex();
    await assert.rejects(
      m.run('k', () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(m.size, 0);
    assert.equal(await m.run('k', () => 42), 42);
    assert.equal(m.size, 0);
  });

  it('trims segments and treats a released key as free; release is idempotent', async () => {
    const m = new KeyedMutex();
    const release = await m.acquire([' r ', 'c']);
    assert.equal(m.isLocked(['r', 'c']), true);
    let second = false;
    const waiting = m.acquire(['r', 'c']).then((rel) => {
      second = true;
      return rel;
    });
    await sleep(5);
    assert.equal(second, false);
    release();
    release();
    (await waiting)();
    assert.equal(second, true);
    assert.equal(m.size, 0);
  });
});
