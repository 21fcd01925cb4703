import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hasCode } from '../errors.js';
import type { Logger } from '../log.js';
import { acquireFileLock } from '../store/file-lock.js';
import { SubnetAllocator } from './subnet-allocator.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `kukeon-subnet-${process.pid}-`));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('first space gets 10.88.0.0/24, second 10.88.1.0/24; state file per space', () =>
  withDir(async (dir) => {
    const a = new SubnetAllocator({ dataDir: dir, pool: '10.88.0.0/16' });
    assert.equal(await a.allocate('default', 'default'), '10.88.0.0/24');
    assert.equal(await a.allocate('default', 'blog'), '10.88.1.0/24');
    assert.equal(await a.allocate('default', 'default'), '10.88.0.0/24', 'idempotent');
    const path = join(dir, 'default', 'blog', 'network.json');
    assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { version: 'v1', subnetCIDR: '10.88.1.0/24' });
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'default', 'blog'))).mode & 0o777, 0o750);
    assert.equal(await a.current('default', 'blog'), '10.88.1.0/24');
    assert.equal(await a.current('default', 'none'), undefined);
  }));

test('a freed subnet is reused (lowest free first)', () =>
  withDir(async (dir) => {
    const a = new SubnetAllocator({ dataDir: dir, pool: '10.88.0.0/16' });
    for (const s of ['s0', 's1', 's2']) await a.allocate('r', s);
    await a.release('r', 's1');
    await a.release('r', 's1'); // idempotent
    assert.equal(await a.current('r', 's1'), undefined);
    assert.equal(await a.allocate('other', 'new'), '10.88.1.0/24');
    assert.equal(await a.allocate('other', 'newer'), '10.88.3.0/24');
  }));

test('concurrent allocations in one process never share a subnet (also across allocator objects)', () =>
  withDir(async (dir) => {
    const a = new SubnetAllocator({ dataDir: dir, pool: '10.88.0.0/16' });
    const b = new SubnetAllocator({ dataDir: dir, pool: '10.88.0.0/16' });
    const jobs = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).allocate(`r${i % 3}`, `s${i}`));
    // the same space asked for twice at once gets one answer
    jobs.push(a.allocate('r0', 's0'), b.allocate('r0', 's0'));
    const results = await Promise.all(jobs);
    assert.equal(results[40], results[0]);
    assert.equal(results[41], results[0]);
    const distinct = new Set(results.slice(0, 40));
    assert.equal(distinct.size, 40);
    for (let i = 0; i < 40; i++) assert.ok(distinct.has(`10.88.${i}.0/24`));
  }));

test('concurrent allocations from several processes never share a subnet', () =>
  withDir(async (dir) => {
    const script = join(dir, 'child.mjs');
    const moduleUrl = new URL('./subnet-allocator.js', import.meta.url).href;
    await writeFile(
      script,
      `import { SubnetAllocator } from ${JSON.stringify(moduleUrl)};
       const a = new SubnetAllocator({ dataDir: process.argv[2], pool: '10.88.0.0/16', lockTimeoutMs: 120_000 }); // loaded machine: wait long
       // start together so the allocations really overlap
       await new Promise((r) => setTimeout(r, Number(process.argv[4]) - Date.now()));
       const out = await Promise.all(Array.from({ length: 20 }, (_, i) => a.allocate('p' + process.argv[3], 's' + i)));
       console.log(JSON.stringify(out));`,
    );
    const run = promisify(execFile);
    const startAt = String(Date.now() + 1500);
    const outs = await Promise.all(
      [1, 2, 3].map((n) => run(process.execPath, [script, join(dir, 'data'), String(n), startAt])),
    );
    const all = outs.flatMap((o) => JSON.parse(o.stdout) as string[]);
    assert.equal(all.length, 60);
    assert.equal(new Set(all).size, 60, `duplicates in ${all.join(' ')}`);
    // The flock is released: another exclusive lock is granted at once.
    const lock = await acquireFileLock(join(dir, 'data', '.subnet-allocator.lock'), 'exclusive', {
      timeoutMs: 1,
    });
    await lock?.release();
  }));

test('a holder killed while it held the lock does not block the next allocation', () =>
  withDir(async (dir) => {
    const lockUrl = new URL('../store/file-lock.js', import.meta.url).href;
    const child = spawnSync(process.execPath, [
      '--input-type=module',
      '-e',
      `import { acquireFileLock } from ${JSON.stringify(lockUrl)};
       await acquireFileLock(${JSON.stringify(join(dir, '.subnet-allocator.lock'))}, 'exclusive', { create: true });
       process.kill(process.pid, 'SIGKILL');`,
    ]);
    assert.equal(child.signal, 'SIGKILL');
    const a = new SubnetAllocator({ dataDir: dir, pool: '10.88.0.0/16', lockTimeoutMs: 2000 });
    assert.equal(await a.allocate('r', 's'), '10.88.0.0/24');
  }));

test('exhaustion is a typed error with a clear message', () =>
  withDir(async (dir) => {
    const a = new SubnetAllocator({ dataDir: dir, pool: '192.168.4.0/22' });
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await a.allocate('r', `s${i}`));
    assert.deepEqual(got, ['192.168.4.0/24', '192.168.5.0/24', '192.168.6.0/24', '192.168.7.0/24']);
    await assert.rejects(
      a.allocate('r', 'one-too-many'),
      (e: Error) =>
        hasCode(e, 'SUBNET_EXHAUSTED') && /192\.168\.4\.0\/22/.test(e.message) && /all 4/.test(e.message),
    );
    await assert.rejects(access(join(dir, 'r', 'one-too-many', 'network.json')));
  }));

test('corrupt files of other spaces are skipped and logged; own corrupt file is an error', () =>
  withDir(async (dir) => {
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => warnings.push(o), debug: () => undefined } as unknown as Logger;
    const a = new SubnetAllocator({ dataDir: dir, pool: '10.88.0.0/16', logger });
    const put = async (realm: string, space: string, text: string) => {
      await mkdir(join(dir, realm, space), { recursive: true });
      await writeFile(join(dir, realm, space, 'network.json'), text);
    };
    await put('r', 'garbage', '{not json');
    await put('r', 'wrongversion', '{"version":"v2","subnetCIDR":"10.88.0.0/24"}');
    await put('r', 'notslash24', '{"version":"v1","subnetCIDR":"10.88.0.0/23"}');
    await put('r', 'outside', '{"version":"v1","subnetCIDR":"10.99.0.0/24"}');
    await put('r', 'valid', '{"version":"v1","subnetCIDR":"10.88.0.0/24"}');
    assert.equal(await a.allocate('r', 'fresh'), '10.88.1.0/24');
    assert.equal(warnings.length, 3);
    await assert.rejects(a.allocate('r', 'garbage'), (e) => hasCode(e, 'SUBNET_STATE_CORRUPT'));
    await assert.rejects(a.current('r', 'wrongversion'), (e) => hasCode(e, 'SUBNET_STATE_CORRUPT'));
    assert.equal(
      await a.allocate('r', 'outside'),
      '10.99.0.0/24',
      'a recorded subnet is kept even outside the pool',
    );
  }));

test('pool must be IPv4 and shorter than /24', () => {
  for (const pool of [
    '10.88.0.0/24',
    '10.88.0.0/25',
    '10.88.0.1/16',
    'fd00::/8',
    '10.88.0.0',
    '300.0.0.0/8',
  ]) {
    assert.throws(
      () => new SubnetAllocator({ dataDir: '/nonexistent', pool }),
      (e) => hasCode(e, 'INVALID_SUBNET_POOL'),
      pool,
    );
  }
  assert.doesNotThrow(() => new SubnetAllocator({ dataDir: '/nonexistent', pool: '10.0.0.0/8' }));
});

test('names with "_" or "/" cannot escape the data directory', () => {
  const a = new SubnetAllocator({ dataDir: '/d', pool: '10.88.0.0/16' });
  assert.throws(
    () => a.statePath('..', 'x/y'),
    (e) => hasCode(e, 'INVALID_NAME'),
  );
  assert.equal(a.statePath('r', 's'), '/d/r/s/network.json');
});

test('a /24 the host uses is skipped; with every free one taken by the host the error says so', () =>
  withDir(async (dir) => {
    const seen: string[] = [];
    const taken = new Map([
      ['10.88.0.0/24', 'address 10.88.0.1/16 on dummy0'],
      ['10.88.1.0/24', 'route 10.88.1.0/24 dev tun0'],
    ]);
    const debug: unknown[] = [];
    const logger = { debug: (o: unknown) => debug.push(o), warn() {}, info() {} } as unknown as Logger;
    const a = new SubnetAllocator({
      dataDir: dir,
      pool: '10.88.0.0/22',
      logger,
      hostConflicts: async () => (s) => (seen.push(s), taken.get(s)),
    });
    assert.equal(await a.allocate('r', 'a'), '10.88.2.0/24');
    assert.deepEqual(seen, ['10.88.0.0/24', '10.88.1.0/24', '10.88.2.0/24']);
    assert.deepEqual(
      debug
        .filter((d) => (d as { overlaps?: string }).overlaps)
        .map((d) => (d as { overlaps: string }).overlaps),
      ['address 10.88.0.1/16 on dummy0', 'route 10.88.1.0/24 dev tun0'],
    );
    assert.equal(await a.allocate('r', 'b'), '10.88.3.0/24');
    await assert.rejects(a.allocate('r', 'c'), (err: Error) => {
      assert.ok(hasCode(err, 'SUBNET_EXHAUSTED'));
      assert.equal(
        err.message,
        'no free /24 left in subnet pool 10.88.0.0/22 (2 are allocated to spaces, 2 overlap addresses or routes of the host ' +
          '(10.88.0.0/24 overlaps address 10.88.0.1/16 on dummy0)); delete unused spaces or configure another or a larger pool (subnetPool)',
      );
      return true;
    });
  }));
