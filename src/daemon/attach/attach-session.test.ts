/**
 * The daemon's attach path without containerd: real FIFOs (the test plays the shim), a real
 * TerminalSessions, serveAttach on a real unix socket and the real client (openAttach). Only
 * containerd's two calls (Wait, ResizePty) are recorded by a stand-in.
 */
import assert from 'node:assert/strict';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkfifo } from 'kukeon-native';
import { openAttach } from '../../client/attach-client.js';
import type { ContainerdClient } from '../../containerd/index.js';
import { KukeonError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import { terminalFiles } from '../../runner/cell/terminal-files.js';
import { parseRecords, timesPath } from '../../store/log-time-index.js';
import type { TerminalTask } from '../../runner/terminal-host.js';
import { ATTACH_MAGIC } from '../../protocol/attach-frames.js';
import { serveAttach } from './attach-connection.js';
import { TerminalSessions } from './terminal-sessions.js';

const dir = mkdtempSync(join(tmpdir(), `kukeon-attach-${process.pid}-`));
const socketPath = join(dir, 'd.sock');
const resizes: { width: number; height: number }[] = [];
const containerd = {
  tasks: {
    wait: async () => ({ exit_status: 7, exited_at: null }),
    resizePty: async (_ns: string, _id: string, size: { width: number; height: number }) => {
      resizes.push(size);
    },
  },
} as unknown as ContainerdClient;

const files = terminalFiles(join(dir, 'main'));
const task: TerminalTask = { namespace: 'ns', containerdId: 'cid', files };
let sessions: TerminalSessions;
let server: Server;
/** The "shim": a writer on the stdout FIFO and a reader on the stdin FIFO. */
let shimOut: number;
let shimIn: Socket;
let typed = '';

const request = { realm: 'r', space: 's', stack: 't', cell: 'c', container: 'main', cols: 80, rows: 24 };

async function until(what: string, check: () => boolean): Promise<void> {
  const ok = () => {
    try {
      return check();
    } catch {
      return false;
    }
  };
  // A generous bound: on a loaded machine the session's pipes and timers run late.
  for (const t0 = Date.now(); Date.now() - t0 < 30_000 && !ok();) await sleep(25);
  assert.ok(check(), what);
}

before(async () => {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(files.dir, { recursive: true });
  mkfifo(files.stdin, 0o600);
  mkfifo(files.stdout, 0o600);
  writeFileSync(files.capture, 'earlier line\n');
  shimOut = openSync(files.stdout, constants.O_RDWR | constants.O_NONBLOCK);
  shimIn = new Socket({
    fd: openSync(files.stdin, constants.O_RDONLY | constants.O_NONBLOCK),
    readable: true,
    writable: false,
  });
  shimIn.on('data', (d: Buffer) => (typed += d.toString()));
  sessions = new TerminalSessions({ containerd, logger: silentLogger, scrollbackBytes: 1024 });
  server = createServer((s) =>
    s.once('data', (first: Buffer) =>
      serveAttach(s, first, {
        sessions,
        logger: silentLogger,
        resolve: async (r) => {
          if (r.container !== 'main')
            throw new KukeonError('ATTACH_NOT_SUPPORTED', `container "${r.container}" is not attachable`);
          return task;
        },
      }),
    ),
  );
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

after(() => {
  sessions.closeAll();
  server.close();
  shimIn.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('attach sessions over real FIFOs', () => {
  it('refuses with the resolver error, code and text kept', async () => {
    await assert.rejects(
      openAttach(socketPath, { ...request, container: 'other' }, () => undefined),
      (err) => {
        assert.ok(err instanceof KukeonError);
        assert.equal(err.code, 'ATTACH_NOT_SUPPORTED');
        assert.match(err.message, /container "other" is not attachable/);
        return true;
      },
    );
    assert.equal(sessions.size, 0);
  });

  it('replays the capture tail, streams output, carries input and resizes', async () => {
    let seenA = '';
    let seenB = '';
    const a = await openAttach(socketPath, request, (c) => (seenA += c.toString()));
    const b = await openAttach(
      socketPath,
      { ...request, cols: 100, rows: 30 },
      (c) => (seenB += c.toString()),
    );
    await until('scrollback replayed from the capture file', () => seenA.startsWith('earlier line\n'));
    writeFileSync(shimOut, 'live output\n');
    await until(
      'output reaches both clients',
      () => seenA.includes('live output') && seenB.includes('live output'),
    );
    a.write(Buffer.from('typed by a\r'));
    b.write(Buffer.from('typed by b\r'));
    await until(
      'input reaches the stdin FIFO',
      () => typed.includes('typed by a\r') && typed.includes('typed by b\r'),
    );
    b.resize(132, 43);
    await until('resize forwarded', () => resizes.some((r) => r.width === 132 && r.height === 43));
    assert.deepEqual(resizes.slice(0, 2), [
      { width: 80, height: 24 },
      { width: 100, height: 30 },
    ]);
    assert.equal(readFileSync(files.capture, 'utf8'), 'earlier line\nlive output\n');
    // The capture is timed for `kuke log --since`: the newest record covers the whole file.
    await until('the capture time index has caught up', () => {
      const records = parseRecords(readFileSync(timesPath(files.capture), 'utf8'));
      return records.at(-1)?.size === 'earlier line\nlive output\n'.length;
    });
    // A detach leaves the session (and the other client) as they were.
    a.detach();
    assert.deepEqual(await a.ended, { kind: 'detached' });
    writeFileSync(shimOut, 'after a left\n');
    await until('b still served', () => seenB.includes('after a left'));
    assert.equal(sessions.size, 1);

    // The shim closing its end (the workload exited) ends every client with the exit status.
    closeSync(shimOut);
    assert.deepEqual(await b.ended, { kind: 'exited', exitStatus: 7 });
    await until('the ended session leaves the table', () => sessions.size === 0);
  });

  it('drops a connection that does not speak the protocol', async () => {
    const s = new Socket();
    await new Promise<void>((resolve) => s.connect(socketPath, resolve));
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    s.on('error', () => undefined);
    s.write(ATTACH_MAGIC.replace('1', '9') + '{}\n');
    await closed;
  });
});
