import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { IntentJournal } from './journal.js';
import { StoreError } from './store-errors.js';

describe('IntentJournal', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), `kukeon-store-journal-${process.pid}-`));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
    assert.equal(existsSync(root), false);
  });

  let n = 0;
  const fresh = (now?: () => Date) => IntentJournal.forRunPath(join(root, `run${n++}`), { now });

  it('records an intent durably as one 0600 file and lists it', async () => {
    const j = fresh(() => new Date('2026-04-21T12:00:00Z'));
    const intent = await j.record({
      op: 'create',
      kind: 'Cell',
      key: 'main/default/web/blog',
      desired: 'present',
      payload: { image: 'busybox' },
    });
    assert.equal(intent.startedAt, '2026-04-21T12:00:00.000Z');
    assert.match(intent.id, /^[0-9a-f]{12}-[0-9a-f]{5}-[0-9a-f]{8}$/);
    const file = j.fileFor('Cell', 'main/default/web/blog');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await j.list(), { intents: [intent], corrupt: [] });
    assert.deepEqual(await j.get('Cell', 'main/default/web/blog'), intent);
    assert.equal(await j.get('Cell', 'main/default/web/other'), undefined);
  });

  it('lets the latest intent for a resource supersede earlier ones', async () => {
    const j = fresh();
    const create = await j.record({ op: 'create', kind: 'Cell', key: 'r/s/t/c', desired: 'present' });
    const del = await j.record({ op: 'delete', kind: 'Cell', key: 'r/s/t/c', desired: 'absent' });
    const { intents } = await j.list();
    assert.deepEqual(intents, [del]);
    // The superseded operation finishing late must not wipe the newer intent.
    assert.equal(await j.clear(create), false);
    assert.deepEqual((await j.list()).intents, [del]);
    assert.equal(await j.clear(del), true);
    assert.deepEqual(await j.list(), { intents: [], corrupt: [] });
    assert.deepEqual(await readdir(j.dir), [], 'clear removes the entry and its lock sidecar');
    assert.equal(await j.clear(del), false);
  });

  it('updates the payload of the pending intent only while it is still the current one', async () => {
    const j = fresh();
    const first = await j.record({
      op: 'create',
      kind: 'Cell',
      key: 'r/s/t/u',
      desired: 'present',
      payload: { done: [] as string[] },
    });
    const updated = await j.update(first, { done: ['namespace'] });
    assert.equal(updated.id, first.id);
    assert.deepEqual((await j.get('Cell', 'r/s/t/u'))?.payload, { done: ['namespace'] });
    const isStale = (err: unknown) => err instanceof StoreError && err.code === 'STORE_STALE';
    const second = await j.record({ op: 'delete', kind: 'Cell', key: 'r/s/t/u', desired: 'absent' });
    await assert.rejects(j.update(first, { done: ['late'] }), isStale);
    assert.deepEqual(await j.get('Cell', 'r/s/t/u'), second);
    await j.clear(second);
    await assert.rejects(j.update(second, {}), isStale);
  });

  it('keeps concurrent intents for different resources, oldest first', async () => {
    let t = Date.parse('2026-04-21T12:00:00Z');
    const j = fresh(() => new Date((t += 1000)));
    const recorded = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        j.record({ op: 'start', kind: 'Cell', key: `r/s/t/c${i}`, desired: 'present' }),
      ),
    );
    const { intents, corrupt } = await j.list();
    assert.equal(corrupt.length, 0);
    assert.equal(intents.length, 25);
    const byTime = [...recorded].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    assert.deepEqual(intents, byTime);
    // Each resource has its own lock sidecar (a dot name, never listed as an intent).
    assert.equal((await readdir(j.dir)).filter((n) => n.startsWith('.') && n.endsWith('.lock')).length, 25);
  });

  it('keeps keys distinct however they are spelled', async () => {
    const j = fresh();
    const keys = ['a/b', 'a+b', 'a%2Fb', 'a b', 'ü/x', 'a.b'];
    for (const key of keys) await j.record({ op: 'x', kind: 'Space', key, desired: 'present' });
    const { intents } = await j.list();
    assert.deepEqual(intents.map((i) => i.key).sort(), [...keys].sort());
    await assert.rejects(
      j.record({ op: 'x', kind: 'Space', key: 'a/../b', desired: 'present' }),
      (err: unknown) => err instanceof StoreError && err.code === 'STORE_INVALID_PATH',
    );
    await assert.rejects(
      j.record({ op: 'x', kind: 'Space', key: 'a', desired: 'maybe' as 'present' }),
      TypeError,
    );
  });

  it('reports torn, tampered and foreign files as corrupt without hiding the good ones', async () => {
    const j = fresh();
    const good = await j.record({ op: 'create', kind: 'Cell', key: 'r/s/t/good', desired: 'present' });
    const mk = async (key: string) => {
      await j.record({ op: 'create', kind: 'Cell', key, desired: 'present', payload: { n: 1 } });
      return j.fileFor('Cell', key);
    };
    const torn = await mk('r/s/t/torn');
    const full = await readFile(torn, 'utf8');
    await writeFile(torn, full.slice(0, full.length / 2));
    const empty = await mk('r/s/t/empty');
    await writeFile(empty, '');
    const tampered = await mk('r/s/t/tampered');
    await writeFile(tampered, (await readFile(tampered, 'utf8')).replace('"n":1', '"n":2'));
    const version = await mk('r/s/t/version');
    await writeFile(version, (await readFile(version, 'utf8')).replace('"v":1', '"v":9'));
    const moved = await mk('r/s/t/moved');
    await writeFile(j.fileFor('Cell', 'r/s/t/elsewhere'), await readFile(moved));

    const { intents, corrupt } = await j.list();
    assert.deepEqual(intents.map((i) => i.key).sort(), ['r/s/t/good', 'r/s/t/moved']);
    assert.deepEqual(
      corrupt.map((c) => c.file).sort(),
      [torn, empty, tampered, version, j.fileFor('Cell', 'r/s/t/elsewhere')].sort(),
    );
    for (const c of corrupt) {
      assert.equal(c.error.code, 'STORE_CORRUPT');
      assert.ok(c.error.message.includes(c.file), c.error.message);
    }
    await assert.rejects(j.get('Cell', 'r/s/t/tampered'), (err: unknown) => {
      return err instanceof StoreError && err.code === 'STORE_CORRUPT' && err.path === tampered;
    });
    // A new intent replaces a corrupt one; discard removes what recovery gave up on.
    await j.record({ op: 'delete', kind: 'Cell', key: 'r/s/t/torn', desired: 'absent' });
    for (const c of corrupt) if (c.file !== torn) await j.discard(c.file);
    const after = await j.list();
    assert.equal(after.corrupt.length, 0);
    assert.deepEqual(after.intents.map((i) => i.key).sort(), ['r/s/t/good', 'r/s/t/moved', 'r/s/t/torn']);
    assert.equal(await j.clear(good), true);
    await assert.rejects(j.discard('/etc/passwd'), TypeError);
  });

  it('clear refuses to act on a corrupt file (the runner must decide)', async () => {
    const j = fresh();
    const i = await j.record({ op: 'stop', kind: 'Cell', key: 'r/s/t/c', desired: 'present' });
    await writeFile(j.fileFor('Cell', 'r/s/t/c'), '{"v":1');
    await assert.rejects(
      j.clear(i),
      (err: unknown) => err instanceof StoreError && err.code === 'STORE_CORRUPT',
    );
  });

  it('lists nothing for a journal that was never written, and sweeps only old temp files', async () => {
    const j = fresh();
    assert.deepEqual(await j.list(), { intents: [], corrupt: [] });
    assert.equal(await j.sweepTempFiles(), 0);
    await j.record({ op: 'x', kind: 'K', key: 'k', desired: 'absent' });
    const oldTmp = join(j.dir, '.intent-old.tmp');
    const youngTmp = join(j.dir, '.intent-young.tmp');
    await writeFile(oldTmp, '{"v":1,');
    await writeFile(youngTmp, '{"v":1,');
    const longAgo = new Date(Date.now() - 3_600_000);
    await utimes(oldTmp, longAgo, longAgo);
    assert.equal((await j.list()).corrupt.length, 0, 'temp files are not entries');
    assert.equal(await j.sweepTempFiles(60_000), 1);
    assert.equal(existsSync(oldTmp), false);
    assert.equal(existsSync(youngTmp), true);
  });
});
