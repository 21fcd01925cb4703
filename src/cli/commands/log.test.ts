import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, test } from 'node:test';
import { FakeApi, runCli } from '../fake-api.test-helper.js';
import { timesPath } from '../../store/log-time-index.js';
import { log, parseSince, parseTail, type LogOptions } from './log.js';
import { waitUntil } from '../../../test/helpers/wait-until.js';

const dir = mkdtempSync(join(tmpdir(), `kuke-log-${process.pid}-`));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(existsSync(dir), false);
});

/** LogContainer answers `path`; with --container no GetCell is needed. */
const apiFor = (path: string) =>
  new FakeApi({ LogContainer: () => ({ Result: { HostLogPath: path, HostCapturePath: '' } }) });

const running = new Set<AbortController>();
afterEach(() => {
  for (const ac of running) ac.abort();
  running.clear();
});

/** `log()` with captured output, following until `stop()`. */
function start(path: string, o: Partial<LogOptions> = {}, nowMs = Date.now()) {
  let out = '';
  let err = '';
  const ac = new AbortController();
  running.add(ac);
  const api = apiFor(path);
  const ctx = {
    api: () => api.factory('promotable'),
    out: { write: (s: string) => (out += s) },
    err: { write: (s: string) => (err += s) },
    now: () => new Date(nowMs),
  } as never;
  const done = log(ctx, {
    cell: 'web',
    container: 'main',
    realm: 'default',
    space: 'default',
    stack: 'default',
    follow: true,
    pollMs: 30_000,
    signal: ac.signal,
    ...o,
  });
  return {
    out: () => out,
    err: () => err,
    done,
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}

test('--tail with -f: the last lines, then what is appended', async () => {
  const path = join(dir, 'tail-follow');
  writeFileSync(path, 'a\nb\nc\nd\n');
  const f = start(path, { tail: '2' });
  await waitUntil('the last two lines', () => f.out() === 'c\nd\n');
  appendFileSync(path, 'e\n');
  await waitUntil('the appended line', () => f.out() === 'c\nd\ne\n');
  await f.stop();
});

test('without -f: --tail, --tail 0, and the whole file', async () => {
  const path = join(dir, 'plain');
  writeFileSync(path, 'one\ntwo\nthree');
  const api = apiFor(path);
  const run = (...a: string[]) => runCli(['log', 'web', '--container', 'main', ...a], { api });
  assert.deepEqual(await run(), { code: 0, stdout: 'one\ntwo\nthree', stderr: '' });
  assert.deepEqual(await run('--tail', '2'), { code: 0, stdout: 'two\nthree', stderr: '' });
  assert.deepEqual(await run('--tail', '0'), { code: 0, stdout: '', stderr: '' });
});

test('flag errors come before any RPC', async () => {
  const api = apiFor(join(dir, 'unused'));
  const run = (...a: string[]) => runCli(['log', 'web', '--container', 'main', ...a], { api });
  assert.deepEqual(await run('--tail', 'x'), {
    code: 1,
    stdout: '',
    stderr: 'Error: invalid --tail "x": want a number of lines (0 or more)\n',
  });
  assert.deepEqual(await run('--since', 'yesterday'), {
    code: 1,
    stdout: '',
    stderr:
      'Error: invalid --since "yesterday": want a duration (10m, 1h30m) or an RFC 3339 time (2026-11-28T10:00:00Z)\n',
  });
  assert.deepEqual(api.methods(), []);
});

test('parseSince and parseTail', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  assert.equal(parseSince('10m', now), now - 600_000);
  assert.equal(parseSince('1h30m', now), now - 5_400_000);
  assert.equal(parseSince('0', now), now);
  assert.equal(parseSince('2026-11-28T10:00:00Z', now), Date.parse('2026-11-28T10:00:00Z'));
  assert.equal(parseSince('2026-11-28T10:00:00.5+02:00', now), Date.parse('2026-11-28T08:00:00.500Z'));
  for (const bad of ['-5m', '10', '2026-11-28', '2026-11-28T10:00:00', 'soon'])
    assert.throws(() => parseSince(bad, now), { code: 'CLI_USAGE' }, bad);
  assert.equal(parseTail('3'), 3);
  assert.equal(parseTail(0), 0);
  assert.equal(parseTail(undefined), undefined);
  for (const bad of ['-1', '1.5', '', 'NaN', -2]) assert.throws(() => parseTail(bad), { code: 'CLI_USAGE' });
});

test('--since prints from the time index offset; -f then follows', async () => {
  const path = join(dir, 'since');
  writeFileSync(path, 'old\nolder\nnew\n');
  // "old\nolder\n" (10 bytes) was there at t=1000 s; everything at t=2000 s.
  writeFileSync(timesPath(path), '1000000 4\n1500000 10\n2000000 14\n');
  const now = 1_600_000;
  utimesSync(path, now / 1000, now / 1000);
  const f = start(path, { since: '1m' }, now); // since 1 540 000: after the 10-byte record
  await waitUntil('output since the record', () => f.out() === 'new\n');
  appendFileSync(path, 'newest\n');
  await waitUntil('the appended line', () => f.out() === 'new\nnewest\n');
  await f.stop();
  assert.equal(f.err(), '');
});

test('--since without an index prints everything and says so once on stderr', async () => {
  const path = join(dir, 'no-index');
  writeFileSync(path, 'x\ny\n');
  const r = await runCli(['log', 'web', '--container', 'main', '--since', '5m'], { api: apiFor(path) });
  assert.deepEqual(r, {
    code: 0,
    stdout: 'x\ny\n',
    stderr: `no time index for ${path} (${path}.times); --since prints the whole log\n`,
  });
});

test('--since combined with --tail: the later of the two starts', async () => {
  const path = join(dir, 'since-tail');
  writeFileSync(path, 'a\nb\nc\nd\n');
  writeFileSync(timesPath(path), `${Date.now() - 3_600_000} 2\n`);
  const api = apiFor(path);
  const run = (...a: string[]) => runCli(['log', 'web', '--container', 'main', ...a], { api });
  assert.equal((await run('--since', '10m', '--tail', '1')).stdout, 'd\n');
  assert.equal((await run('--since', '10m', '--tail', '9')).stdout, 'b\nc\nd\n');
});

test('-f on a file that does not exist yet waits for it; without -f it is the spec error', async () => {
  const path = join(dir, 'appears');
  const r = await runCli(['log', 'web', '--container', 'main'], { api: apiFor(path) });
  assert.equal(
    r.stderr,
    `Error: cell "web" container "main" has no log file at ${path} (the runtime shim has not opened it yet — try again after the container produces output)\n`,
  );
  const f = start(path);
  await waitUntil('the waiting note', () => f.err() !== '');
  assert.equal(f.err(), `cell "web" container "main" has no log file at ${path} yet; waiting for it\n`);
  writeFileSync(path, 'started\n');
  await waitUntil('the file content', () => f.out() === 'started\n');
  await f.stop();
});

test('a multi-byte character split across reads reaches a text output whole', async () => {
  const path = join(dir, 'utf8');
  const snow = Buffer.from('☃', 'utf8');
  writeFileSync(path, snow.subarray(0, 2));
  const f = start(path);
  await sleep(20);
  appendFileSync(path, Buffer.concat([snow.subarray(2), Buffer.from('\n')]));
  await waitUntil('the character', () => f.out() === '☃\n');
  await f.stop();
});

test('raw bytes go to an output that takes them (writeBytes), unchanged', async () => {
  const path = join(dir, 'raw');
  const bytes = Buffer.from([0x61, 0xff, 0xfe, 0x1b, 0x5b, 0x6d, 0x0a]); // not UTF-8
  writeFileSync(path, bytes);
  const got: Buffer[] = [];
  const api = apiFor(path);
  const ctx = {
    api: () => api.factory('promotable'),
    out: { write: () => assert.fail('text write'), writeBytes: (b: Buffer) => got.push(Buffer.from(b)) },
    err: { write: () => {} },
    now: () => new Date(),
  } as never;
  await log(ctx, {
    cell: 'web',
    container: 'main',
    realm: 'default',
    space: 'default',
    stack: 'default',
    follow: false,
  });
  assert.deepEqual(Buffer.concat(got), bytes);
});
