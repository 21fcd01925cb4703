import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';

import { describeFailure, runHostChecked, runHostCommand } from './host-command.js';

/** Children of this process that are zombies (ended, not reaped). */
async function zombieChildren(): Promise<number[]> {
  const zombies: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, the last ')' ends it.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' && Number(ppid) === process.pid) zombies.push(Number(name));
  }
  return zombies;
}

const openFds = async (): Promise<number> => (await readdir('/proc/self/fd')).length;

describe('runHostCommand (posix_spawn through the native binding)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kukeon-host-command-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the exit code, stdout and stderr', async () => {
    const r = await runHostCommand('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual(r, { code: 3, signal: null, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    assert.equal((await runHostCommand('true', [])).code, 0);
  });

  it('passes the arguments as they are, without a shell', async () => {
    const r = await runHostCommand('printf', ['%s|', 'a b', '$HOME', "'q'", '']);
    assert.equal(r.stdout, "a b|$HOME|'q'||");
  });

  it('reports a child killed by a signal as code 128 with the signal', async () => {
    const r = await runHostCommand('sh', ['-c', 'kill -USR1 $$']);
    assert.equal(r.code, 128);
    assert.equal(r.signal, 'SIGUSR1');
    assert.equal(r.timedOut, false);
  });

  it('writes the input to stdin and closes it; no input closes stdin at once', async () => {
    assert.equal((await runHostCommand('cat', [], { input: 'hello\nworld' })).stdout, 'hello\nworld');
    const big = 'x'.repeat(300_000);
    assert.equal((await runHostCommand('wc', ['-c'], { input: big })).stdout.trim(), '300000');
    assert.equal((await runHostCommand('cat', [])).stdout, '');
  });

  it('a child that exits without reading its input is a result, not an error (EPIPE)', async () => {
    const r = await runHostCommand('sh', ['-c', 'exit 5'], { input: 'y'.repeat(1_000_000) });
    assert.equal(r.code, 5);
  });

  it('reads stdout and stderr larger than a pipe buffer at the same time', async () => {
    const r = await runHostCommand('sh', [
      '-c',
      'head -c 300000 /dev/zero | tr "\\0" a; head -c 200000 /dev/zero | tr "\\0" b >&2; echo; echo done',
    ]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${'a'.repeat(300_000)}\ndone\n`);
    assert.equal(r.stderr, 'b'.repeat(200_000));
  });

  it('kills the child with SIGKILL at the timeout', async () => {
    const t0 = Date.now();
    const r = await runHostCommand('sleep', ['30'], { timeoutMs: 100 });
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(Date.now() - t0 < 20_000);
  });

  it('a timeout ends the wait although a grandchild holds the pipes open', async () => {
    const r = await runHostCommand('sh', ['-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 200 });
    assert.equal(r.timedOut, true);
    // The orphaned `sleep` (init reaps it) is not to outlive the test.
    process.kill(Number(r.stdout.trim()), 'SIGKILL');
  });

  it('reaps a child that closed its pipes before it ended', async () => {
    const r = await runHostCommand('sh', ['-c', 'exec >&- 2>&-; sleep 0.3; exit 7']);
    assert.equal(r.code, 7);
  });

  it('a command that cannot start rejects as Node spawn does (ENOENT, EACCES)', async () => {
    await assert.rejects(runHostCommand('kukeon-no-such-tool', ['a']), (err: NodeJS.ErrnoException) => {
      assert.equal(err.message, 'spawn kukeon-no-such-tool ENOENT');
      assert.equal(err.code, 'ENOENT');
      assert.equal(err.errno, -2);
      assert.equal(err.syscall, 'spawn kukeon-no-such-tool');
      return true;
    });
    await assert.rejects(runHostCommand(join(dir, 'missing'), []), { code: 'ENOENT' });
    const script = join(dir, 'not-executable');
    await writeFile(script, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    await assert.rejects(runHostCommand(script, []), { code: 'EACCES' });
  });

  it('searches the PATH of the environment it is given, and passes only that environment', async () => {
    const tool = join(dir, 'kukeon-test-tool');
    await writeFile(tool, '#!/bin/sh\necho "tool $KUKEON_X ${HOME:-nohome}"\n');
    await chmod(tool, 0o755);
    const r = await runHostCommand('kukeon-test-tool', [], {
      env: { PATH: `/nonexistent:${dir}`, KUKEON_X: '1' },
    });
    assert.equal(r.stdout, 'tool 1 nohome\n');
    await assert.rejects(runHostCommand('kukeon-test-tool', []), { code: 'ENOENT' });
  });

  it('starts the child with default signal dispositions and an empty mask', async () => {
    // Node ignores SIGPIPE; an ignored signal would stay ignored across exec. glibc's posix_spawn
    // leaves its two internal signals (32, 33: thread cancellation, setxid) ignored, which glibc
    // programs reinstall at start and others never use: the signals 1..31 and SIGRTMIN.. count.
    const status = (await runHostCommand('cat', ['/proc/self/status'])).stdout;
    const mask = (name: string): bigint =>
      BigInt(`0x${new RegExp(`^${name}:\\s+([0-9a-f]+)$`, 'm').exec(status)?.[1]}`);
    const internal = (1n << 31n) | (1n << 32n);
    assert.equal(mask('SigIgn') & ~internal, 0n);
    assert.equal(mask('SigBlk'), 0n);
  });

  it('runs many commands at once, beside Node-spawned children, leaving no zombie and no fd', async () => {
    const fds = await openFds();
    const node = promisify(execFile);
    const results = await Promise.all([
      ...Array.from({ length: 200 }, (_, i) => runHostCommand('sh', ['-c', `echo ${i}; exit ${i % 7}`])),
      // libuv reaps only its own children: neither side may take the other's.
      ...Array.from({ length: 10 }, () => node('sh', ['-c', 'exit 0']).then(() => undefined)),
    ]);
    results.forEach((r, i) => {
      if (r) assert.deepEqual([r.code, r.stdout], [i % 7, `${i}\n`]);
    });
    assert.deepEqual(await zombieChildren(), []);
    // Sockets close their fds on the next turns of the loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await openFds(), fds);
  });

  it('describeFailure and runHostChecked say how the command ended', async () => {
    assert.equal(await runHostChecked('echo', ['ok']), 'ok\n');
    await assert.rejects(runHostChecked('sh', ['-c', 'echo bad >&2; exit 2']), {
      message: 'sh -c echo bad >&2; exit 2 exited 2: bad',
    });
    const base = { code: 128, stdout: '', stderr: 'x', timedOut: false };
    assert.equal(describeFailure('a', ['b'], { ...base, signal: 'SIGKILL' }), 'a b killed by SIGKILL: x');
    assert.equal(
      describeFailure('a', ['b'], { ...base, signal: 'SIGKILL', timedOut: true }),
      'a b timed out',
    );
  });
});
