import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from './file-lock.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `kukeon-lock-${process.pid}-`));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('holds the lock file (with our pid) only while fn runs, also when fn throws', () =>
  withDir(async (dir) => {
    const lock = join(dir, 'l');
    const seen = await withFileLock(lock, () => readFile(lock, 'utf8'));
    assert.equal(seen, String(process.pid));
    await assert.rejects(access(lock));
    await assert.rejects(
      withFileLock(lock, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    await assert.rejects(access(lock));
  }));

test('a lock held by a live process is waited for, then times out', () =>
  withDir(async (dir) => {
    const lock = join(dir, 'l');
    await writeFile(lock, String(process.ppid)); // alive: our parent
    const started = Date.now();
    await assert.rejects(
      withFileLock(lock, async () => 'never', 150),
      /timed out/,
    );
    assert.ok(Date.now() - started >= 150);
    assert.equal(await readFile(lock, 'utf8'), String(process.ppid), 'a live owner is never broken');
  }));

test('waiters run one after another', () =>
  withDir(async (dir) => {
    const lock = join(dir, 'l');
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        withFileLock(lock, async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        }),
      ),
    );
    assert.equal(maxInside, 1);
  }));
