import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DocumentStore } from './document-store.js';
import { StoreError } from './store-errors.js';

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; generation?: number; labels?: Record<string, string> };
  spec: Record<string, unknown>;
  status: { state: string; createdAt?: string; updatedAt?: string; readyAt?: string };
}

const realmDoc = (
  name: string,
  spec: Record<string, unknown> = {},
  generation?: number,
  state = 'Creating',
): Doc => ({
  apiVersion: 'v1beta1',
  kind: 'Realm',
  metadata: { name, ...(generation === undefined ? {} : { generation }) },
  spec,
  status: { state },
});

const hasCode = (code: string, path?: string) => (err: unknown) => {
  assert.ok(err instanceof StoreError, String(err));
  assert.equal(err.code, code);
  if (path !== undefined) {
    assert.equal(err.path, path);
    assert.ok(err.message.includes(path), `message names the file: ${err.message}`);
  }
  return true;
};

describe('DocumentStore', () => {
  let root: string;
  let clock: Date;
  let store: DocumentStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), `kukeon-store-doc-${process.pid}-`));
    clock = new Date('2026-04-21T12:00:00Z');
    store = DocumentStore.forRunPath(root, { now: () => clock });
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
    assert.equal(existsSync(root), false);
  });

  it('lays out scopes under <runPath>/data as docs/store.md says', () => {
    assert.equal(store.documentPath({ realm: 'r' }), join(root, 'data', 'r', 'metadata.json'));
    assert.equal(
      store.documentPath({ realm: 'r', space: 's', stack: 't', cell: 'c' }),
      join(root, 'data', 'r', 's', 't', 'c', 'metadata.json'),
    );
  });

  it('reports a missing document as STORE_NOT_FOUND without creating a sidecar or directory', async () => {
    const path = store.documentPath({ realm: 'ghost' });
    await assert.rejects(store.read({ realm: 'ghost' }), hasCode('STORE_NOT_FOUND', path));
    assert.equal(await store.tryRead({ realm: 'ghost' }), undefined);
    assert.equal(existsSync(join(root, 'data', 'ghost')), false);
  });

  it('writes indented JSON with a trailing newline, 0644, in 02750 dirs, with a sidecar', async () => {
    const written = await store.write({ realm: 'fmt', space: 'sp' }, { a: 1, b: [true] });
    assert.equal(await readFile(written.path, 'utf8'), '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}\n');
    assert.equal((await stat(written.path)).mode & 0o7777, 0o644);
    assert.equal((await stat(written.path + '.lock')).mode & 0o7777, 0o644);
    assert.equal((await stat(join(root, 'data', 'fmt'))).mode & 0o7777, 0o2750);
    assert.equal((await stat(join(root, 'data', 'fmt', 'sp'))).mode & 0o7777, 0o2750);
    const read = await store.read<{ a: number }>({ realm: 'fmt', space: 'sp' });
    assert.deepEqual(read.doc, { a: 1, b: [true] });
    assert.ok(read.bytes.equals(written.bytes));
    assert.deepEqual((await readdir(join(root, 'data', 'fmt', 'sp'))).sort(), [
      'metadata.json',
      'metadata.json.lock',
    ]);
  });

  it('creates the sidecar when reading a legacy document that has none', async () => {
    const dir = join(root, 'data', 'legacy');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'metadata.json'), '{"kind":"Realm"}\n');
    assert.deepEqual((await store.read({ realm: 'legacy' })).doc, { kind: 'Realm' });
    assert.equal(existsSync(join(dir, 'metadata.json.lock')), true);
  });

  it('reports truncated, empty and non-object files as STORE_CORRUPT naming the file, and never overwrites them', async () => {
    const cases: [string, string][] = [
      ['truncated', '{\n  "apiVersion": "v1beta1",\n  "kind": "Rea'],
      ['empty', ''],
      ['array', '[1,2]\n'],
      ['scalar', '42\n'],
    ];
    for (const [name, content] of cases) {
      const dir = join(root, 'data', `corrupt-${name}`);
      const path = join(dir, 'metadata.json');
      await mkdir(dir, { recursive: true });
      await writeFile(path, content);
      await assert.rejects(store.read({ realm: `corrupt-${name}` }), hasCode('STORE_CORRUPT', path));
      await assert.rejects(store.tryRead({ realm: `corrupt-${name}` }), hasCode('STORE_CORRUPT', path));
      await assert.rejects(
        store.writeGenerational({ realm: `corrupt-${name}` }, realmDoc(`corrupt-${name}`)),
        hasCode('STORE_CORRUPT', path),
      );
      await assert.rejects(
        store.write({ realm: `corrupt-${name}` }, { x: 1 }, null),
        hasCode('STORE_STALE', path),
      );
      assert.equal(await readFile(path, 'utf8'), content, 'corrupt file left untouched');
    }
  });

  it('applies the generation protocol: 1 on create, bump iff spec changes, stamps', async () => {
    const scope = { realm: 'gen' };
    const created = await store.writeGenerational(scope, realmDoc('gen', { a: 1 }));
    assert.equal(created.doc.metadata.generation, 1);
    assert.equal(created.doc.status.createdAt, '2026-04-21T12:00:00Z');
    assert.equal(created.doc.status.updatedAt, '2026-04-21T12:00:00Z');

    clock = new Date('2026-04-21T12:00:01Z');
    const same = await store.writeGenerational(scope, realmDoc('gen', { a: 1 }, 1, 'Ready'));
    assert.equal(same.doc.metadata.generation, 1);
    assert.equal(same.doc.status.createdAt, '2026-04-21T12:00:00Z');
    assert.equal(same.doc.status.readyAt, '2026-04-21T12:00:01Z');

    const changed = await store.writeGenerational(scope, realmDoc('gen', { a: 2 }, 1, 'Ready'));
    assert.equal(changed.doc.metadata.generation, 2);
    assert.deepEqual((await store.read<Doc>(scope)).doc, changed.doc);
  });

  it('rejects a write built from an outdated copy (generation) as STORE_STALE and keeps the disk', async () => {
    const scope = { realm: 'stale' };
    await store.writeGenerational(scope, realmDoc('stale', { v: 1 }));
    await store.writeGenerational(scope, realmDoc('stale', { v: 2 }, 1)); // disk now generation 2
    const before = await readFile(store.documentPath(scope));
    await assert.rejects(
      store.writeGenerational(scope, realmDoc('stale', { v: 3 }, 1)),
      hasCode('STORE_STALE', store.documentPath(scope)),
    );
    assert.ok((await readFile(store.documentPath(scope))).equals(before));
    // generation 0 = "constructed, not read": no staleness check.
    assert.equal(
      (await store.writeGenerational(scope, realmDoc('stale', { v: 3 }, 0))).doc.metadata.generation,
      3,
    );
  });

  it('compare-and-swap: write only when the bytes are still those observed', async () => {
    const scope = { realm: 'cas' };
    const first = await store.writeGenerational(scope, realmDoc('cas', { v: 1 }));
    const observed = (await store.read<Doc>(scope)).bytes;
    assert.ok(observed.equals(first.bytes));
    // Someone else writes in between (a status-only change: same generation).
    clock = new Date('2026-04-21T12:00:05Z');
    await store.writeGenerational(scope, { ...first.doc, status: { ...first.doc.status, state: 'Ready' } });
    await assert.rejects(
      store.writeGenerational(
        scope,
        { ...first.doc, status: { ...first.doc.status, state: 'Failed' } },
        { observed },
      ),
      hasCode('STORE_STALE'),
    );
    const current = await store.read<Doc>(scope);
    assert.equal(current.doc.status.state, 'Ready');
    await store.writeGenerational(scope, { ...current.doc, spec: { v: 9 } }, { observed: current.bytes });
    // Raw writes: null = must not exist, bytes = must match.
    await assert.rejects(store.write(scope, { x: 1 }, null), hasCode('STORE_STALE'));
    await assert.rejects(store.write(scope, { x: 1 }, current.bytes), hasCode('STORE_STALE'));
    await assert.rejects(
      store.write({ realm: 'cas-new' }, { x: 1 }, Buffer.from('{}')),
      hasCode('STORE_STALE'),
    );
    await store.write({ realm: 'cas-new' }, { x: 1 }, null);
  });

  it('serialises concurrent generational writes from many async tasks without losing one', async () => {
    const scope = { realm: 'race' };
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.writeGenerational(scope, realmDoc('race', { i }, 0))),
    );
    // Each write changed the spec relative to the one before it: 1 for the create + 19 bumps.
    assert.equal((await store.read<Doc>(scope)).doc.metadata.generation, 20);
    assert.deepEqual(
      (await readdir(join(root, 'data', 'race'))).sort(),
      ['metadata.json', 'metadata.json.lock'],
      'no temp files left',
    );
  });

  it('stays consistent under racing writes, deletes and reads of one deep scope', async () => {
    const cell = { realm: 'churn', space: 's', stack: 't', cell: 'c' };
    const ops = Array.from({ length: 120 }, (_, i) => {
      if (i % 3 === 0) return store.delete(cell);
      if (i % 3 === 1) return store.write(cell, { i });
      return store.tryRead<{ i: number }>(cell);
    });
    await Promise.all(ops); // no ENOENT from a directory pruned under a writer, no corrupt read
    const dir = store.scopeDir(cell);
    const final = await store.tryRead<{ i: number }>(cell);
    if (final === undefined) {
      assert.equal(existsSync(join(dir, 'metadata.json.lock')), false, 'no orphan sidecar');
    } else {
      assert.equal(typeof final.doc.i, 'number');
      assert.deepEqual((await readdir(dir)).sort(), ['metadata.json', 'metadata.json.lock']);
    }
    await store.removeScope({ realm: 'churn' });
  });

  it('delete removes the file, the sidecar and empty directories up to the data root', async () => {
    const cell = { realm: 'del', space: 's', stack: 't', cell: 'c' };
    await store.write({ realm: 'del' }, { kind: 'Realm' });
    await store.write(cell, { kind: 'Cell' });
    await mkdir(join(store.scopeDir({ realm: 'del', space: 's' }), 'secrets'));
    assert.equal(await store.delete(cell), true);
    // t and c were left empty and are gone; s still holds secrets/, del still holds metadata.
    assert.equal(existsSync(store.scopeDir({ realm: 'del', space: 's', stack: 't' })), false);
    assert.deepEqual(await readdir(store.scopeDir({ realm: 'del', space: 's' })), ['secrets']);
    assert.equal(await store.delete(cell), false, 'deleting a missing document succeeds');

    assert.equal(await store.delete({ realm: 'del', space: 's' }), false);
    assert.equal(await store.delete({ realm: 'del' }), true);
    assert.equal(existsSync(join(root, 'data', 'del', 'metadata.json')), false);
    assert.equal(existsSync(join(root, 'data', 'del', 'metadata.json.lock')), false);
    assert.equal(existsSync(join(root, 'data')), true, 'the data root itself stays');
  });

  it('delete with an expectation refuses a changed document', async () => {
    const scope = { realm: 'del-cas' };
    const w = await store.write(scope, { v: 1 });
    await store.write(scope, { v: 2 });
    await assert.rejects(store.delete(scope, w.bytes), hasCode('STORE_STALE'));
    assert.equal(await store.exists(scope), true);
  });

  it('removeScope removes a whole subtree', async () => {
    await store.write({ realm: 'rm', space: 's' }, { v: 1 });
    await store.write({ realm: 'rm', space: 's', stack: 't' }, { v: 1 });
    await mkdir(join(store.scopeDir({ realm: 'rm', space: 's' }), 'configs'));
    await store.removeScope({ realm: 'rm', space: 's' });
    assert.equal(existsSync(store.scopeDir({ realm: 'rm', space: 's' })), false);
    assert.equal(existsSync(store.scopeDir({ realm: 'rm' })), false, 'empty realm dir pruned');
  });

  it('lists child scopes that have a metadata.json, skipping reserved, dot and bare dirs', async () => {
    const realm = { realm: 'list' };
    await store.write(realm, { kind: 'Realm' });
    await store.write({ realm: 'list', space: 'b' }, { kind: 'Space', n: 'b' });
    await store.write({ realm: 'list', space: 'a' }, { kind: 'Space', n: 'a' });
    const dir = store.scopeDir(realm);
    for (const reserved of ['secrets', 'blueprints', 'configs', 'volumes', 'volume-meta']) {
      await mkdir(join(dir, reserved));
      await writeFile(join(dir, reserved, 'metadata.json'), '{}'); // even with a metadata.json
    }
    await mkdir(join(dir, '.hidden'));
    await writeFile(join(dir, '.hidden', 'metadata.json'), '{}');
    await mkdir(join(dir, 'bare'));
    await writeFile(join(dir, 'file-not-dir'), '{}');
    await mkdir(join(dir, 'broken'));
    await writeFile(join(dir, 'broken', 'metadata.json'), '{"trunc');
    assert.deepEqual(await store.listChildren(realm), ['a', 'b', 'broken']);
    assert.deepEqual(await store.listChildren({ realm: 'no-such-realm' }), []);
    assert.ok((await store.listChildren()).includes('list'));

    const docs = await store.listDocuments<{ n: string }>(realm);
    assert.deepEqual(
      docs.filter((d) => d.doc).map((d) => d.doc?.n),
      ['a', 'b'],
    );
    const broken = docs.find((d) => d.name === 'broken');
    assert.equal(broken?.error?.code, 'STORE_CORRUPT');
    assert.equal(broken?.error?.path, join(dir, 'broken', 'metadata.json'));
  });

  it('sweeps only old temp files left by a crash, anywhere in the tree', async () => {
    await store.write({ realm: 'sweep', space: 's' }, { v: 1 });
    const dir = store.scopeDir({ realm: 'sweep', space: 's' });
    const old = join(dir, '.meta-dead.tmp');
    const young = join(dir, '.meta-live.tmp');
    const foreign = join(dir, '.secret-x.tmp');
    // A user's file in a volume that happens to look like ours is data, never swept.
    await mkdir(join(dir, 'volumes', 'data'), { recursive: true });
    const userData = join(dir, 'volumes', 'data', '.meta-dead.tmp');
    for (const f of [old, young, foreign, userData]) await writeFile(f, '{"torn');
    const longAgo = new Date(Date.now() - 3_600_000);
    for (const f of [old, foreign, userData]) await utimes(f, longAgo, longAgo);
    assert.deepEqual(await store.sweepTempFiles(60_000), [old]);
    assert.equal(existsSync(young), true);
    assert.equal(existsSync(foreign), true, "other writers' temp files are theirs to sweep");
    assert.equal(existsSync(userData), true, 'volume data is not walked');
    assert.deepEqual((await store.read({ realm: 'sweep', space: 's' })).doc, { v: 1 });
  });

  it('wraps other read failures as STORE_READ_FAILED naming the file', async () => {
    await writeFile(join(root, 'data', 'plainfile'), 'not a directory');
    await assert.rejects(
      store.read({ realm: 'plainfile' }),
      hasCode('STORE_READ_FAILED', join(root, 'data', 'plainfile', 'metadata.json')),
    );
  });

  it('refuses unsafe scope names before touching the disk', async () => {
    for (const scope of [
      { realm: '..' },
      { realm: 'a/b' },
      { realm: '' },
      { realm: 'r', space: 'secrets' },
    ]) {
      await assert.rejects(store.write(scope, {}), hasCode('STORE_INVALID_PATH'));
      await assert.rejects(store.read(scope), hasCode('STORE_INVALID_PATH'));
    }
    assert.equal(existsSync(join(root, 'a')), false);
  });
});
