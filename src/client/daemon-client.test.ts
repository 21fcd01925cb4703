import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '../errors.js';
import { DaemonReplyError } from '../protocol/error-envelope.js';
import { DaemonClient } from './daemon-client.js';
import { waitUntil } from '../../test/helpers/wait-until.js';

/** A raw fake daemon: the test decides what goes on the wire. */
async function fakeDaemon(
  onRequest: (req: { method: string; params: unknown[]; id: number }, socket: Socket) => void,
): Promise<{ path: string; server: Server; dir: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), `kukeon-client-${process.pid}-`));
  const path = join(dir, 'd.sock');
  const server = createServer((socket) => {
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onRequest(JSON.parse(buf.slice(0, nl)), socket);
        buf = buf.slice(nl + 1);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(path, r));
  return {
    path,
    server,
    dir,
    close: async () => {
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const execFileAsync = promisify(execFile);

const reply = (socket: Socket, id: number, result: unknown, error: string | null = null) =>
  socket.write(JSON.stringify({ id, result, error }) + '\n');

test('sends Go jsonrpc requests and matches out-of-order replies by id', async (t) => {
  const held: [number, Socket][] = [];
  const seen: unknown[] = [];
  const d = await fakeDaemon((req, socket) => {
    seen.push(req);
    held.push([req.id, socket]);
    // Answer all three at once, in reverse order, in one write without newlines.
    if (held.length === 3) {
      socket.write(
        held
          .reverse()
          .map(([id]) => JSON.stringify({ id, result: { N: id, Err: null }, error: null }))
          .join(''),
      );
    }
  });
  t.after(() => d.close());
  const c = new DaemonClient({ socketPath: d.path });
  const results = await Promise.all([c.call('Echo', { A: 1 }), c.call('KukeonV1.Echo', {}), c.call('Echo')]);
  assert.deepEqual(
    results.map((r) => r.N),
    [0, 1, 2],
  );
  assert.deepEqual(seen[0], { method: 'KukeonV1.Echo', params: [{ A: 1 }], id: 0 });
  assert.deepEqual(seen[2], { method: 'KukeonV1.Echo', params: [{}], id: 2 });
  c.close();
});

test('Err becomes a DaemonReplyError with the mapped code; error becomes RPC_TRANSPORT', async (t) => {
  const d = await fakeDaemon((req, socket) => {
    if (req.method === 'KukeonV1.Missing')
      reply(socket, req.id, null, "rpc: can't find method KukeonV1.Missing");
    else
      reply(socket, req.id, {
        Result: { Cell: null },
        Err: { Kind: 'CellNotFound', Message: 'cell "x" not found' },
      });
  });
  t.after(() => d.close());
  const c = new DaemonClient({ socketPath: d.path });
  await assert.rejects(c.call('GetCell'), (err: unknown) => {
    assert.ok(err instanceof DaemonReplyError);
    assert.ok(hasCode(err, 'CELL_NOT_FOUND'));
    assert.equal(err.message, 'cell "x" not found');
    assert.deepEqual(err.reply.Result, { Cell: null });
    return true;
  });
  await assert.rejects(c.call('Missing'), (err: unknown) => {
    assert.ok(hasCode(err, 'RPC_TRANSPORT'));
    assert.equal((err as Error).message, "rpc: can't find method KukeonV1.Missing");
    return true;
  });
  c.close();
});

test('a call times out alone; the connection keeps serving others', async (t) => {
  const d = await fakeDaemon((req, socket) => {
    if (req.method !== 'KukeonV1.Hang') reply(socket, req.id, { Err: null, OK: true });
  });
  t.after(() => d.close());
  const c = new DaemonClient({ socketPath: d.path, callTimeoutMs: 5_000 });
  await assert.rejects(c.call('Hang', {}, { timeoutMs: 100 }), (err: unknown) => {
    assert.ok(hasCode(err, 'RPC_TIMEOUT'));
    assert.match((err as Error).message, /KukeonV1\.Hang within 100ms/);
    return true;
  });
  assert.deepEqual(await c.call('Ping'), { Err: null, OK: true });
  c.close();
});

test('the daemon going away mid-call gives unexpected EOF; the next call redials', async (t) => {
  let n = 0;
  const d = await fakeDaemon((req, socket) => {
    if (n++ === 0) socket.destroy();
    else reply(socket, req.id, { Err: null, Second: true });
  });
  t.after(() => d.close());
  const c = new DaemonClient({ socketPath: d.path });
  await assert.rejects(c.call('Ping'), (err: unknown) => {
    assert.ok(hasCode(err, 'DAEMON_CONNECTION_LOST'));
    assert.equal((err as Error).message, 'unexpected EOF');
    return true;
  });
  assert.deepEqual(await c.call('Ping'), { Err: null, Second: true });
  c.close();
});

test('a garbage reply stream fails pending calls with RPC_PROTOCOL', async (t) => {
  const d = await fakeDaemon((_req, socket) => socket.write('not json'));
  t.after(() => d.close());
  const c = new DaemonClient({ socketPath: d.path });
  await assert.rejects(c.call('Ping'), (err: unknown) => hasCode(err, 'RPC_PROTOCOL'));
  c.close();
});

test('missing socket and refused connection: daemon not running, with the spec text', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `kukeon-client-${process.pid}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = join(dir, 'none.sock');
  await assert.rejects(new DaemonClient({ socketPath: missing }).ping(), (err: unknown) => {
    assert.ok(hasCode(err, 'DAEMON_NOT_RUNNING'));
    assert.equal(
      (err as Error).message,
      `dial kukeond at ${missing}: dial unix ${missing}: connect: no such file or directory`,
    );
    return true;
  });
  // A plain file is not a socket: connect(2) says ECONNREFUSED, like a socket with no listener.
  const notListening = join(dir, 'file.sock');
  writeFileSync(notListening, '');
  await assert.rejects(new DaemonClient({ socketPath: notListening }).ping(), (err: unknown) => {
    assert.ok(hasCode(err, 'DAEMON_NOT_RUNNING'));
    assert.match((err as Error).message, /connect: connection refused$/);
    return true;
  });
  assert.ok(existsSync(notListening));
});

test('an idle connection does not keep the process alive', async (t) => {
  const d = await fakeDaemon((req, socket) => reply(socket, req.id, { Err: null, OK: true }));
  t.after(() => d.close());
  const clientModule = new URL('./daemon-client.js', import.meta.url).href;
  // The child makes a call and never closes the client: it must still exit on its own.
  const script = `import { DaemonClient } from ${JSON.stringify(clientModule)};
    const c = new DaemonClient({ socketPath: ${JSON.stringify(d.path)} });
    console.log(JSON.stringify(await c.ping()));`;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
    timeout: 60_000, // only bounds a child that never exits; a loaded machine starts node slowly
  });
  assert.deepEqual(JSON.parse(stdout), { Err: null, OK: true });
});

test('the client closes an idle connection itself and redials on the next call', async (t) => {
  let connections = 0;
  const d = await fakeDaemon((req, socket) => reply(socket, req.id, { Err: null }));
  d.server.on('connection', () => connections++);
  t.after(() => d.close());
  const c = new DaemonClient({ socketPath: d.path, idleCloseMs: 100 });
  await c.ping();
  await c.ping();
  assert.equal(connections, 1, 'one connection for back-to-back calls');
  // Waits for the idle close rather than a fixed time: under load the idle timer fires late.
  await waitUntil(
    'the idle connection closed',
    () => (c as unknown as { socket?: Socket }).socket === undefined,
  );
  await c.ping();
  assert.equal(connections, 2);
  c.close();
});

test("a closed connection's late close event fails only its own calls, not one on the next connection", async (t) => {
  let requests = 0;
  let answer: () => void = () => undefined;
  const d = await fakeDaemon((req, socket) => {
    if (requests++ === 0) reply(socket, req.id, { Err: null, OK: true });
    else answer = () => reply(socket, req.id, { Err: null, OK: true });
  });
  const c = new DaemonClient({ socketPath: d.path });
  t.after(() => {
    c.close(); // first: the server's close waits for its connections
    return d.close();
  });
  const internals = c as unknown as { socket?: Socket; pending: Map<number, unknown> };
  await c.ping();
  const old = internals.socket as Socket;
  c.close();
  const next = c.ping();
  await waitUntil(
    'the call pending on a new connection',
    () => requests === 2 && internals.pending.size === 1 && internals.socket !== old,
  );
  old.emit('close', false); // what a loaded machine may deliver only now
  answer();
  assert.deepEqual(await next, { Err: null, OK: true });
});

test('a large reply arriving in pieces, one cut right after a `}` inside it, parses once whole', async (t) => {
  const big = Array.from({ length: 3000 }, (_, i) => ({ name: `cell-${i}`, labels: { n: String(i) } }));
  const d = await fakeDaemon((req, socket) => {
    const text = JSON.stringify({ id: req.id, result: { Cells: big, Err: null }, error: null }) + '\n';
    const cut = text.indexOf('}') + 1; // ends the first piece like a whole reply would
    const pieces = [text.slice(0, cut), text.slice(cut, text.length / 2), text.slice(text.length / 2)];
    let i = 0;
    const next = (): void => {
      socket.write(pieces[i++]);
      if (i < pieces.length) setTimeout(next, 5);
    };
    next();
  });
  t.after(() => d.close());
  const c = new DaemonClient({ socketPath: d.path });
  const r = await c.call<{ Cells: typeof big }>('ListCells', {});
  assert.deepEqual(r.Cells, big);
  // The connection still serves the next call.
  assert.equal((await c.call<{ Cells: typeof big }>('ListCells', {})).Cells.length, 3000);
  c.close();
});
