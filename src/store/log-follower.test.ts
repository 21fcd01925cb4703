import assert from 'node:assert/strict';
import {
  appendFileSync,
  closeSync,
  copyFileSync,
  existsSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, test } from 'node:test';
import { copyRange, followFile, tailOffset } from './log-follower.js';
import { waitUntil } from '../../test/helpers/wait-until.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), `kuke-follow-${process.pid}-`));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(existsSync(dir), false);
});

/** Follows still running when a test ends (it failed): stopped so the process can exit. */
const running = new Set<() => Promise<void>>();
afterEach(async () => {
  for (const stop of running) await stop();
});

/** A follow of `path` whose output is collected as bytes. */
function follow(
  path: string,
  o: { pollMs?: number; chunkBytes?: number; fd?: number; offset?: number } = {},
) {
  const chunks: Buffer[] = [];
  const ac = new AbortController();
  const done = followFile({
    path,
    sink: (b) => {
      chunks.push(Buffer.from(b));
    },
    signal: ac.signal,
    ...o,
  });
  const bytes = () => Buffer.concat(chunks);
  const stop = async () => {
    running.delete(stop);
    ac.abort();
    await done;
  };
  running.add(stop);
  return {
    bytes,
    text: () => bytes().toString('utf8'),
    stop,
  };
}

/** A poll period no test waits for: what arrives came through inotify. */
const NEVER = 30_000;

function withFile(name: string, content: string | Buffer): { path: string; fd: number } {
  const path = join(dir, name);
  writeFileSync(path, content);
  return { path, fd: openSync(path, 'r') };
}

test('tailOffset: the last n lines, reading backwards across chunk boundaries', () => {
  const cases: [string, number, string][] = [
    ['a\nb\nc\n', 2, 'b\nc\n'],
    ['a\nb\nc', 2, 'b\nc'],
    ['a\nb\nc\n', 5, 'a\nb\nc\n'],
    ['a\nb\nc\n', 0, ''],
    ['\n\n\n', 2, '\n\n'],
    ['', 3, ''],
    ['only\n', 1, 'only\n'],
    ['long line one\nlong line two\n', 1, 'long line two\n'],
  ];
  for (const [content, n, want] of cases) {
    const { fd } = withFile('tail', content);
    try {
      const size = Buffer.byteLength(content);
      for (const chunk of [1, 2, 3, 64 * 1024]) {
        const off = tailOffset(fd, size, n, chunk);
        assert.equal(
          Buffer.from(content).subarray(off).toString(),
          want,
          `${JSON.stringify(content)} n=${n} chunk=${chunk}`,
        );
      }
    } finally {
      closeSync(fd);
    }
  }
});

test('copyRange: bounded chunks, exact bytes', async () => {
  const content = Buffer.from([...Array(1000).keys()].map((i) => i % 256));
  const { fd } = withFile('copy', content);
  const got: Buffer[] = [];
  try {
    const end = await copyRange(fd, 10, 990, (b) => void got.push(Buffer.from(b)), 7);
    assert.equal(end, 990);
  } finally {
    closeSync(fd);
  }
  assert.ok(got.every((b) => b.length <= 7));
  assert.deepEqual(Buffer.concat(got), content.subarray(10, 990));
});

test('follow is event-driven: with a 30 s poll an appended line still arrives', async () => {
  const { path, fd } = withFile('event', 'first\n');
  const f = follow(path, { fd, offset: 0, pollMs: NEVER });
  await waitUntil('the existing content', () => f.text() === 'first\n');
  appendFileSync(path, 'second\n');
  await waitUntil('the appended line', () => f.text() === 'first\nsecond\n');
  appendFileSync(path, 'third\n');
  await waitUntil('another line', () => f.text() === 'first\nsecond\nthird\n');
  await f.stop();
  assert.throws(() => fstatSync(fd), { code: 'EBADF' }, 'the follower closed its descriptor');
});

test('copy-and-truncate: the follower continues from the start of the truncated file', async () => {
  const { path, fd } = withFile('rot', 'one\ntwo\nthree\n');
  const f = follow(path, { fd, offset: 0, pollMs: NEVER });
  await waitUntil('the first lines', () => f.text() === 'one\ntwo\nthree\n');
  copyFileSync(path, `${path}.1`); // logrotate copytruncate
  truncateSync(path, 0);
  appendFileSync(path, 'four\n');
  await waitUntil('the line after the truncation', () => f.text() === 'one\ntwo\nthree\nfour\n');
  appendFileSync(path, 'five\n');
  await waitUntil('a further line', () => f.text().endsWith('four\nfive\n'));
  await f.stop();
  assert.equal(f.text(), 'one\ntwo\nthree\nfour\nfive\n');
});

test('rename and recreate: the old file is drained, then the new one is read from its start', async () => {
  const { path, fd } = withFile('ren', 'old1\n');
  const f = follow(path, { fd, offset: 0, pollMs: NEVER });
  await waitUntil('the first line', () => f.text() === 'old1\n');
  renameSync(path, `${path}.1`);
  appendFileSync(`${path}.1`, 'old2\n'); // the writer had the old file open still
  writeFileSync(path, 'new1\n');
  await waitUntil('the new file', () => f.text() === 'old1\nold2\nnew1\n');
  appendFileSync(path, 'new2\n');
  await waitUntil('a line appended to the new file', () => f.text() === 'old1\nold2\nnew1\nnew2\n');
  await f.stop();
});

test('a file that does not exist yet is waited for (directory watch)', async () => {
  const path = join(dir, 'later');
  const f = follow(path, { pollMs: NEVER });
  await sleep(20);
  assert.equal(f.text(), '');
  writeFileSync(path, 'hello\n');
  await waitUntil('the file once created', () => f.text() === 'hello\n');
  appendFileSync(path, 'more\n');
  await waitUntil('an appended line', () => f.text() === 'hello\nmore\n');
  await f.stop();
});

test('a file whose directory does not exist yet is found by the poll', async () => {
  const sub = join(dir, 'not-yet');
  const path = join(sub, 'log');
  const f = follow(path, { pollMs: 20 });
  mkdirSync(sub);
  writeFileSync(path, 'up\n');
  await waitUntil('the file in the new directory', () => f.text() === 'up\n');
  appendFileSync(path, 'and more\n');
  await waitUntil('an appended line', () => f.text() === 'up\nand more\n');
  await f.stop();
});

test('a multi-byte character split across writes and chunks passes through intact', async () => {
  const euro = Buffer.from('€', 'utf8'); // e2 82 ac
  const { path, fd } = withFile('utf', Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)]));
  const f = follow(path, { fd, offset: 0, pollMs: NEVER, chunkBytes: 1 });
  await waitUntil('the first bytes', () => f.bytes().length === 2);
  appendFileSync(path, Buffer.concat([euro.subarray(1), Buffer.from('\x1b[31mred\x1b[0m\n')]));
  const want = Buffer.concat([Buffer.from('a'), euro, Buffer.from('\x1b[31mred\x1b[0m\n')]);
  await waitUntil('the rest', () => f.bytes().length === want.length);
  await f.stop();
  assert.deepEqual(f.bytes(), want);
});

test('stopping ends the follow promptly even while nothing is written', async () => {
  const { path, fd } = withFile('idle', '');
  const f = follow(path, { fd, pollMs: NEVER });
  await sleep(10);
  await f.stop();
  assert.throws(() => fstatSync(fd), { code: 'EBADF' });
});
