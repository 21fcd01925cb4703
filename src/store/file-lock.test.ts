import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { acquireFileLock, withFileLock, type FileLock } from './file-lock.js';
import { StoreError } from './store-errors.js';

const fileLockModule = pathToFileURL(fileURLToPath(new URL('./file-lock.js', import.meta.url))).href;

/**
 * Starts a separate node process that takes the lock, prints "locked", and releases it when it
 * reads "release" on stdin (or never, when the test kills it).
 */
async function lockInChild(path: string, mode: 'shared' | 'exclusive'): Promise<ChildProcess> {
  const code = `
    import { acquireFileLock } from ${JSON.stringify(fileLockModule)};
    const lock = await acquireFileLock(${JSON.stringify(path)}, ${JSON.stringify(mode)}, { create: true });
    process.stdout.write('locked\\n');
    process.stdin.once('data', async () => { await lock.release(); process.stdout.write('released\\n'); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await waitForLine(child, 'locked');
  return child;
}

function waitForLine(child: ChildProcess, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer) => {
      buf += chunk.toString();
      if (buf.split('\n').includes(line)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before printing ${line}`)));
  });
}

const isTimeout = (err: unknown) => err instanceof StoreError && err.code === 'STORE_LOCK_TIMEOUT';

describe('file locks (flock)', () => {
  let root: string;
  const children: ChildProcess[] = [];
  before(async () => {
    root = await mkdtemp(join(tmpdir(), `kukeon-store-lock-${process.pid}-`));
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
    assert.equal(existsSync(root), false);
  });

  it('returns undefined and creates nothing when probing a missing lock file', async () => {
    const path = join(root, 'missing.lock');
    assert.equal(await acquireFileLock(path, 'shared'), undefined);
    assert.equal(existsSync(path), false);
  });

  it('excludes two exclusive holders in one process (separate open file descriptions)', async () => {
    const path = join(root, 'same-process.lock');
    const first = (await acquireFileLock(path, 'exclusive', { create: true })) as FileLock;
    await assert.rejects(acquireFileLock(path, 'exclusive', { create: true, timeoutMs: 50 }), isTimeout);
    await first.release();
    const second = await acquireFileLock(path, 'exclusive', { create: true, timeoutMs: 50 });
    await second?.release();
  });

  it('lets readers share and makes a writer wait for them', async () => {
    const path = join(root, 'rw.lock');
    const r1 = (await acquireFileLock(path, 'shared', { create: true })) as FileLock;
    const r2 = (await acquireFileLock(path, 'shared', { create: true, timeoutMs: 50 })) as FileLock;
    await assert.rejects(acquireFileLock(path, 'exclusive', { create: true, timeoutMs: 50 }), isTimeout);
    const order: string[] = [];
    const writer = acquireFileLock(path, 'exclusive', { create: true }).then((l) => {
      order.push('writer');
      return l;
    });
    await new Promise((r) => setTimeout(r, 20));
    order.push('readers-release');
    await r1.release();
    await r2.release();
    await (await writer)?.release();
    assert.deepEqual(order, ['readers-release', 'writer']);
  });

  it('withFileLock releases when the body throws', async () => {
    const path = join(root, 'throws.lock');
    await assert.rejects(
      withFileLock(path, 'exclusive', { create: true }, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    const again = await acquireFileLock(path, 'exclusive', { create: true, timeoutMs: 50 });
    await again?.release();
    await again?.release(); // idempotent
  });

  it('excludes another process until it releases', async () => {
    const path = join(root, 'cross.lock');
    const child = await lockInChild(path, 'exclusive');
    children.push(child);
    await assert.rejects(acquireFileLock(path, 'exclusive', { create: true, timeoutMs: 100 }), isTimeout);
    await assert.rejects(acquireFileLock(path, 'shared', { create: true, timeoutMs: 100 }), isTimeout);
    const waiting = acquireFileLock(path, 'exclusive', { create: true, timeoutMs: 60_000 }); // generous: a loaded child is slow
    const exited = once(child, 'exit'); // before the child can exit
    child.stdin?.write('release\n');
    const lock = await waiting;
    assert.ok(lock);
    await lock.release();
    await exited;
  });

  it('shares a shared lock with another process', async () => {
    const path = join(root, 'cross-shared.lock');
    const child = await lockInChild(path, 'shared');
    children.push(child);
    const lock = await acquireFileLock(path, 'shared', { create: true, timeoutMs: 100 });
    assert.ok(lock);
    await lock.release();
    const exited = once(child, 'exit');
    child.stdin?.write('release\n');
    await exited;
  });

  it('is released by the kernel when the holding process is SIGKILLed', async () => {
    const path = join(root, 'killed.lock');
    const child = await lockInChild(path, 'exclusive');
    children.push(child);
    await assert.rejects(acquireFileLock(path, 'exclusive', { create: true, timeoutMs: 100 }), isTimeout);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    // timeoutMs 0 tries once: the lock must be free right after the holder died (no wait, and no
    // wall-clock bound that a loaded machine could miss).
    const lock = await acquireFileLock(path, 'exclusive', { create: true, timeoutMs: 0 });
    assert.ok(lock, 'lock should be free right after the holder died');
    await lock.release();
  });

  it('never hands out a lock on a file that was unlinked while waiting', async () => {
    const path = join(root, 'unlinked.lock');
    const holder = (await acquireFileLock(path, 'exclusive', { create: true })) as FileLock;
    const waiter = acquireFileLock(path, 'exclusive', { timeoutMs: 60_000 }); // create: false
    await new Promise((r) => setTimeout(r, 20));
    await unlink(path); // what a deleter does while holding the lock
    await holder.release();
    assert.equal(await waiter, undefined, 'waiter must notice the file is gone, not lock the orphan');
  });
});
