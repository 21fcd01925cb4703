import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deleteSecretData,
  listSecretInfos,
  readSecretData,
  removeSecretSubtree,
  secretFilePath,
  statSecret,
  writeSecretData,
} from './secret-store.js';

function withRoot(fn: (root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), `kukeon-secret-store-${process.pid}-`));
    try {
      await fn(join(dir, 'secrets'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'a secret is one 0600 file under 0700 directories; absent levels are `_`, so names never meet scopes',
  withRoot(async (root) => {
    assert.equal(await writeSecretData(root, { name: 'web', realm: 'r' }, 'realm-level'), true);
    assert.equal(await writeSecretData(root, { name: 'tok', realm: 'r', space: 'web' }, 'space-level'), true);
    assert.equal(secretFilePath(root, { name: 'web', realm: 'r' }), join(root, 'r', '_', '_', '_', 'web'));
    assert.equal(
      secretFilePath(root, { name: 'tok', realm: 'r', space: 'web' }),
      join(root, 'r', 'web', '_', '_', 'tok'),
    );
    assert.equal(statSync(root).mode & 0o777, 0o700);
    assert.equal(statSync(join(root, 'r', 'web')).mode & 0o777, 0o700);
    assert.equal(statSync(secretFilePath(root, { name: 'web', realm: 'r' })).mode & 0o777, 0o600);
    assert.equal(readFileSync(secretFilePath(root, { name: 'web', realm: 'r' }), 'utf8'), 'realm-level');
    assert.equal(readSecretData(root, { name: 'tok', realm: 'r', space: 'web' })?.data, 'space-level');
    assert.equal(readSecretData(root, { name: 'tok', realm: 'r' }), undefined);
  }),
);

test(
  'an update replaces the data atomically, keeps the creation time and changes the revision',
  withRoot(async (root) => {
    const c = { name: 'api', realm: 'r', space: 's', stack: 't', cell: 'c' };
    await writeSecretData(root, c, 'one');
    const first = (await statSecret(root, c))!;
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await writeSecretData(root, c, 'second'), false);
    const second = (await statSecret(root, c))!;
    assert.equal(second.sizeBytes, 6);
    assert.equal(second.createdAt.getTime(), first.createdAt.getTime());
    assert.notEqual(second.revision, first.revision);
    assert.equal(readSecretData(root, c)?.revision, second.revision);
    assert.deepEqual(readdirSync(join(root, 'r', 's', 't', 'c')), ['api'], 'no temp file left');
  }),
);

test(
  'listing narrows by scope (a level includes its children); delete and subtree removal prune empty directories',
  withRoot(async (root) => {
    await writeSecretData(root, { name: 'a', realm: 'r' }, 'x');
    await writeSecretData(root, { name: 'b', realm: 'r', space: 's' }, 'x');
    await writeSecretData(root, { name: 'c', realm: 'r', space: 's', stack: 't' }, 'x');
    await writeSecretData(root, { name: 'd', realm: 'q' }, 'x');
    const names = async (f: object) => (await listSecretInfos(root, f)).map((s) => s.name);
    assert.deepEqual((await names({})).sort(), ['a', 'b', 'c', 'd']);
    assert.deepEqual((await names({ realm: 'r' })).sort(), ['a', 'b', 'c']);
    assert.deepEqual((await names({ realm: 'r', space: 's' })).sort(), ['b', 'c']);
    assert.deepEqual(await names({ realm: 'r', space: 's', stack: 't' }), ['c']);
    assert.equal(await deleteSecretData(root, { name: 'c', realm: 'r', space: 's', stack: 't' }), true);
    assert.equal(await deleteSecretData(root, { name: 'c', realm: 'r', space: 's', stack: 't' }), false);
    assert.deepEqual(readdirSync(join(root, 'r', 's')), ['_'], 'the stack directory was pruned');
    await removeSecretSubtree(root, ['r']);
    assert.deepEqual(readdirSync(root), ['q']);
    await removeSecretSubtree(root, ['q']);
    assert.deepEqual(readdirSync(root), []);
  }),
);
