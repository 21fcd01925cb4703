import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { atomicWriteFile, ensureDir, isTempName } from './atomic-write.js';

describe('atomicWriteFile', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), `kukeon-store-aw-${process.pid}-`));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
    assert.equal(existsSync(root), false);
  });

  it('creates missing parents with the exact setgid mode and the file with the exact mode', async () => {
    const old = process.umask(0o077); // a strict umask must not leak into the modes
    try {
      const file = join(root, 'a', 'b', 'doc.json');
      await atomicWriteFile(file, '{"x":1}\n', { mode: 0o644, dirMode: 0o2750 });
      assert.equal(await readFile(file, 'utf8'), '{"x":1}\n');
      assert.equal((await stat(file)).mode & 0o7777, 0o644);
      assert.equal((await stat(join(root, 'a'))).mode & 0o7777, 0o2750);
      assert.equal((await stat(join(root, 'a', 'b'))).mode & 0o7777, 0o2750);
    } finally {
      process.umask(old);
    }
  });

  it('replaces an existing file and leaves no temp file behind', async () => {
    const file = join(root, 'replace.json');
    await writeFile(file, 'old');
    await atomicWriteFile(file, 'new', { tmpPrefix: '.meta-' });
    assert.equal(await readFile(file, 'utf8'), 'new');
    assert.deepEqual((await readdir(root)).filter(isTempName), []);
  });

  it('does not chmod a directory that already existed', async () => {
    const dir = join(root, 'existing');
    await mkdir(dir, { mode: 0o755 });
    await atomicWriteFile(join(dir, 'f'), 'x', { dirMode: 0o2750 });
    assert.equal((await stat(dir)).mode & 0o7777, 0o755);
  });

  it('on a failed rename keeps the target intact and removes its temp file', async () => {
    const dir = join(root, 'fail');
    const target = join(dir, 'target');
    await mkdir(join(target, 'child'), { recursive: true }); // rename(file, non-empty dir) fails
    await assert.rejects(atomicWriteFile(target, 'data'), (err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      assert.ok(['EISDIR', 'ENOTEMPTY', 'EEXIST'].includes(code), code);
      return true;
    });
    assert.deepEqual(await readdir(dir), ['target']);
    assert.deepEqual(await readdir(target), ['child']);
  });

  it('ensureDir is idempotent', async () => {
    const dir = join(root, 'x', 'y');
    await ensureDir(dir);
    await ensureDir(dir);
    assert.equal((await stat(dir)).isDirectory(), true);
  });

  it('recognises temp names', () => {
    assert.equal(isTempName('.meta-abc.tmp'), true);
    assert.equal(isTempName('metadata.json'), false);
    assert.equal(isTempName('.meta-abc'), false);
  });
});
