import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DaemonClient } from '../../src/client/daemon-client.js';
import { DaemonReplyError } from '../../src/protocol/error-envelope.js';
import { MethodRegistry } from '../../src/daemon/rpc/method-registry.js';
import { DaemonServer } from '../../src/daemon/server/daemon-server.js';
import { KukeonError, hasCode } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';

const execFileAsync = promisify(execFile);
const distRoot = new URL('../../', import.meta.url).href;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), `kukeon-rpc-${process.pid}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An empty group file, so a real `kukeon` group on this host cannot change the expected mode. */
function noGroups(dir: string): string {
  const file = join(dir, 'group');
  writeFileSync(file, 'root:x:0:\n');
  return file;
}

function testRegistry(): MethodRegistry {
  return new MethodRegistry()
    .register('Ping', () => ({ OK: true, Version: 'test' }))
    .register('Sleep', async (args: { Ms: number }) => {
      await new Promise((r) => setTimeout(r, args.Ms));
      return { Slept: args.Ms };
    })
    .register('Greet', (args: { Name: string }) => ({ Greeting: `hello ${args.Name}` }), {
      parseArgs: (raw) => {
        const name = (raw as { Name?: unknown }).Name;
        if (typeof name !== 'string' || name === '') throw new Error('Name must be a non-empty string');
        return { Name: name };
      },
    })
    .register('Broken', () => ({ Size: BigInt(1) }))
    .register('GetCell', (args: { Name: string }) => {
      throw new KukeonError('CELL_NOT_FOUND', `cell "${args.Name}" not found`);
    });
}

/** The same server in a child process (for pid-file ownership and signal tests). */
function childServerScript(socketPath: string, groupFile: string): string {
  return `
    import { DaemonServer } from '${distRoot}src/daemon/server/daemon-server.js';
    import { installShutdownSignals } from '${distRoot}src/daemon/server/shutdown-signals.js';
    import { MethodRegistry } from '${distRoot}src/daemon/rpc/method-registry.js';
    import { createLogger } from '${distRoot}src/log.js';
    const logger = createLogger({ level: 'info', name: 'kukeond' });
    const registry = new MethodRegistry()
      .register('Ping', () => ({ OK: true, Version: 'child' }))
      .register('Sleep', async (a) => { await new Promise((r) => setTimeout(r, a.Ms)); return { Slept: a.Ms }; });
    const server = new DaemonServer({ socketPath: ${JSON.stringify(socketPath)}, groupFile: ${JSON.stringify(groupFile)},
      registry, logger, drainTimeoutMs: 10000 });
    installShutdownSignals(server, logger);
    await server.start();
  `;
}

function spawnChildServer(
  socketPath: string,
  groupFile: string,
): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', childServerScript(socketPath, groupFile)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function waitFor(
  cond: () => boolean,
  ms: number,
  what: string,
  daemon?: { child: ChildProcess; output: () => string },
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline || daemon?.child.exitCode != null) {
      const detail = daemon ? ` (daemon exit ${daemon.child.exitCode}, output: ${daemon.output()})` : '';
      throw new Error(`timed out waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Raw wire exchange: writes `chunks` with small pauses, collects `count` reply objects. */
async function rawExchange(
  path: string,
  chunks: string[],
  count: number,
): Promise<Record<string, unknown>[]> {
  const socket = connect({ path });
  await new Promise((r) => socket.once('connect', r));
  const replies: Record<string, unknown>[] = [];
  let buf = '';
  const done = new Promise<void>((resolve, reject) => {
    socket.on('data', (d) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        replies.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
      if (replies.length >= count) resolve();
    });
    socket.on('error', reject);
  });
  for (const c of chunks) {
    socket.write(c);
    await new Promise((r) => setTimeout(r, 5));
  }
  await done;
  socket.destroy();
  return replies;
}

test('round trip through a real socket: replies, out of order, transport errors, Err envelope', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'kukeond.sock');
  const server = new DaemonServer({
    socketPath,
    registry: testRegistry(),
    logger: silentLogger,
    groupFile: noGroups(dir),
  });
  await server.start();
  t.after(() => server.stop());

  // Wire level: two requests split at awkward places, no newline between them.
  const wire =
    '{"method":"KukeonV1.Sleep","params":[{"Ms":150}],"id":1}{"method":"KukeonV1.Ping","params":[{}],"id":2}' +
    '{"method":"KukeonV1.Foo","params":[{}],"id":3}{"method":"KukeonV1.Greet","params":[{"Name":7}],"id":4}' +
    '{"method":"KukeonV1.GetCell","params":[{"Name":"web"}],"id":5}';
  const replies = await rawExchange(socketPath, [wire.slice(0, 17), wire.slice(17, 70), wire.slice(70)], 5);
  assert.equal(replies[4].id, 1, 'the slow request, sent first, is answered last');
  replies.sort((a, b) => (a.id as number) - (b.id as number));
  assert.deepEqual(replies[1], { id: 2, result: { OK: true, Version: 'test', Err: null }, error: null });
  assert.deepEqual(replies[2], { id: 3, result: null, error: "rpc: can't find method KukeonV1.Foo" });
  assert.deepEqual(replies[3], {
    id: 4,
    result: null,
    error: 'rpc: bad params for KukeonV1.Greet: Name must be a non-empty string',
  });
  assert.deepEqual(replies[4], {
    id: 5,
    result: { Err: { Kind: 'CellNotFound', Message: 'cell "web" not found', Code: 'CELL_NOT_FOUND' } },
    error: null,
  });
  assert.deepEqual(replies[0], { id: 1, result: { Slept: 150, Err: null }, error: null });

  // Client level: the same, typed.
  const client = new DaemonClient({ socketPath });
  t.after(() => client.close());
  const order: string[] = [];
  await Promise.all([
    client.call('Sleep', { Ms: 150 }).then(() => order.push('sleep')),
    client.ping().then((r) => order.push(`ping ${r.Version}`)),
  ]);
  assert.deepEqual(order, ['ping test', 'sleep']);
  assert.deepEqual(await client.call('Greet', { Name: 'kuke' }), { Greeting: 'hello kuke', Err: null });
  await assert.rejects(client.call('Foo'), (err: unknown) => {
    assert.ok(hasCode(err, 'RPC_TRANSPORT'));
    assert.equal((err as Error).message, "rpc: can't find method KukeonV1.Foo");
    return true;
  });
  await assert.rejects(client.call('Greet', {}), /rpc: bad params for KukeonV1.Greet/);
  // A reply the daemon cannot encode still answers its caller, and the connection stays usable.
  await assert.rejects(client.call('Broken'), (err: unknown) => {
    assert.ok(hasCode(err, 'RPC_TRANSPORT'));
    assert.match((err as Error).message, /^rpc: reply cannot be encoded: .*BigInt/);
    return true;
  });
  assert.equal((await client.ping()).OK, true);
  await assert.rejects(client.call('GetCell', { Name: 'db' }), (err: unknown) => {
    assert.ok(err instanceof DaemonReplyError);
    assert.ok(hasCode(err, 'CELL_NOT_FOUND'));
    assert.equal(err.kind, 'CellNotFound');
    assert.equal(err.message, 'cell "db" not found');
    return true;
  });
  // Many concurrent calls on one connection are all matched to their callers.
  const many = await Promise.all(
    Array.from({ length: 200 }, (_, i) => client.call<{ Slept: number }>('Sleep', { Ms: i % 7 })),
  );
  assert.deepEqual(
    many.map((r) => r.Slept),
    Array.from({ length: 200 }, (_, i) => i % 7),
  );
});

test('socket 0600 by default; only the socket and the pid file appear; stop removes both', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'kukeond.sock');
  const server = new DaemonServer({
    socketPath,
    registry: testRegistry(),
    logger: silentLogger,
    groupFile: noGroups(dir),
  });
  t.after(() => server.stop());
  const info = await server.start();
  assert.equal(info.mode, 0o600);
  const st = statSync(socketPath);
  assert.ok(st.isSocket());
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(readFileSync(join(dir, 'kukeond.pid'), 'utf8'), `${process.pid}\n`);
  assert.deepEqual(readdirSync(dir).sort(), ['group', 'kukeond.pid', 'kukeond.sock']);
  await server.stop();
  assert.deepEqual(readdirSync(dir), ['group']);
});

test('a second daemon refuses a live socket and leaves the first untouched', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'kukeond.sock');
  const groupFile = noGroups(dir);
  const first = spawnChildServer(socketPath, groupFile);
  t.after(() => first.child.kill('SIGKILL'));
  await waitFor(() => existsSync(join(dir, 'kukeond.pid')), 20_000, 'first daemon', first);
  const inoBefore = statSync(socketPath).ino;

  const second = new DaemonServer({ socketPath, registry: testRegistry(), logger: silentLogger, groupFile });
  await assert.rejects(second.start(), (err: unknown) => {
    assert.ok(hasCode(err, 'DAEMON_ALREADY_RUNNING'));
    assert.match((err as Error).message, /kukeond is already running on .* \(version child\)/);
    return true;
  });
  assert.equal(statSync(socketPath).ino, inoBefore);
  assert.equal(readFileSync(join(dir, 'kukeond.pid'), 'utf8'), `${first.child.pid}\n`);
  assert.deepEqual(readdirSync(dir).sort(), ['group', 'kukeond.pid', 'kukeond.sock'], 'no private dir left');
  const client = new DaemonClient({ socketPath });
  assert.equal((await client.ping()).Version, 'child');
  client.close();
  first.child.kill('SIGTERM');
  assert.equal(await exited(first.child), 0);
});

test('a socket path beyond the unix limit is refused clearly', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'x'.repeat(110 - dir.length), 'kukeond.sock');
  const server = new DaemonServer({
    socketPath,
    registry: testRegistry(),
    logger: silentLogger,
    groupFile: noGroups(dir),
  });
  await assert.rejects(server.start(), (err: unknown) => hasCode(err, 'DAEMON_SOCKET_PATH_TOO_LONG'));
  assert.deepEqual(readdirSync(dir), ['group']);
});

test('a stale socket (SIGKILLed daemon) is replaced; a non-socket file is refused', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'kukeond.sock');
  const groupFile = noGroups(dir);
  const dead = spawnChildServer(socketPath, groupFile);
  await waitFor(() => existsSync(join(dir, 'kukeond.pid')), 20_000, 'daemon to die', dead);
  dead.child.kill('SIGKILL');
  await exited(dead.child);
  // Inode numbers are reused after an unlink, change times are not.
  const staleCtime = statSync(socketPath, { bigint: true }).ctimeNs;
  await assert.rejects(new DaemonClient({ socketPath }).ping(), (err: unknown) =>
    hasCode(err, 'DAEMON_NOT_RUNNING'),
  );

  const server = new DaemonServer({ socketPath, registry: testRegistry(), logger: silentLogger, groupFile });
  t.after(() => server.stop());
  await server.start();
  assert.notEqual(statSync(socketPath, { bigint: true }).ctimeNs, staleCtime);
  assert.equal(readFileSync(join(dir, 'kukeond.pid'), 'utf8'), `${process.pid}\n`);
  const client = new DaemonClient({ socketPath });
  assert.equal((await client.ping()).Version, 'test');
  client.close();
  await server.stop();

  writeFileSync(socketPath, 'not a socket');
  const blocked = new DaemonServer({ socketPath, registry: testRegistry(), logger: silentLogger, groupFile });
  await assert.rejects(blocked.start(), (err: unknown) => hasCode(err, 'DAEMON_SOCKET_PATH_OCCUPIED'));
  assert.equal(readFileSync(socketPath, 'utf8'), 'not a socket');
});

test('readiness: whenever the socket path exists, the daemon accepts', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'kukeond.sock');
  const daemon = spawnChildServer(socketPath, noGroups(dir));
  t.after(() => daemon.child.kill('SIGKILL'));
  await waitFor(() => existsSync(socketPath), 20_000, 'socket', daemon);
  // First sight of the socket: the very first connect must succeed (no ECONNREFUSED window).
  const client = new DaemonClient({ socketPath, connectTimeoutMs: 1000 });
  assert.equal((await client.ping()).OK, true);
  client.close();
  daemon.child.kill('SIGTERM');
  assert.equal(await exited(daemon.child), 0);
});

test('SIGTERM drains: a slow in-flight request completes, then socket and pid file are gone', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'kukeond.sock');
  const daemon = spawnChildServer(socketPath, noGroups(dir));
  t.after(() => daemon.child.kill('SIGKILL'));
  await waitFor(() => existsSync(join(dir, 'kukeond.pid')), 20_000, 'daemon', daemon);
  const client = new DaemonClient({ socketPath });
  const started = Date.now();
  const slow = client.call<{ Slept: number }>('Sleep', { Ms: 3000 });
  await new Promise((r) => setTimeout(r, 200));
  daemon.child.kill('SIGTERM');
  // Shutdown unpublishes the socket at once, while the request is still running.
  await waitFor(() => !existsSync(socketPath), 2500, 'socket removal');
  assert.equal(daemon.child.exitCode, null, 'daemon still draining');
  // A request racing the shutdown on the open connection is refused clearly.
  await assert.rejects(client.ping(), /rpc: server is shutting down/);
  assert.deepEqual(await slow, { Slept: 3000, Err: null });
  assert.ok(Date.now() - started >= 3000);
  assert.equal(await exited(daemon.child), 0);
  assert.deepEqual(readdirSync(dir), ['group']);
  const logs = daemon.output();
  for (const msg of [
    'kukeond listening',
    'received shutdown signal',
    'draining in-flight requests',
    'kukeond stopped',
  ]) {
    assert.ok(logs.includes(`"msg":"${msg}"`), `log has ${msg}:\n${logs}`);
  }
  client.close();
});

const notRoot = process.getuid?.() !== 0 ? 'needs root: groupadd and spawning as other uids' : false;

test(
  'socket group: 0660 to the group; a non-member uid gets EACCES, a member is served',
  { skip: notRoot },
  async (t) => {
    const group = `kkt${process.pid}`;
    execFileSync('groupadd', [group]);
    t.after(() => {
      execFileSync('groupdel', [group]);
      assert.ok(!readFileSync('/etc/group', 'utf8').includes(`${group}:`), 'temporary group removed');
    });
    const gid = Number(
      readFileSync('/etc/group', 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${group}:`))!
        .split(':')[2],
    );
    const dir = tempDir(t);
    chmodSync(dir, 0o755); // so the test uids can reach the socket at all
    const socketPath = join(dir, 'kukeond.sock');
    const server = new DaemonServer({
      socketPath,
      registry: testRegistry(),
      logger: silentLogger,
      socketGroup: group,
    });
    const info = await server.start();
    t.after(() => server.stop());
    assert.equal(info.gid, gid);
    const st = statSync(socketPath);
    assert.equal(st.mode & 0o777, 0o660);
    assert.equal(st.gid, gid);
    assert.equal(st.uid, process.getuid!());

    // The other uids may not be able to read this checkout (a clone under a 0700 directory): give
    // them the client as one bundled file beside the socket, which they can reach.
    const clientFile = join(dir, 'daemon-client.mjs');
    buildSync({
      entryPoints: [fileURLToPath(new URL('src/client/daemon-client.js', distRoot))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: clientFile,
      logLevel: 'silent',
    });
    chmodSync(clientFile, 0o644);
    const script = `
    import { DaemonClient } from '${clientFile}';
    const c = new DaemonClient({ socketPath: ${JSON.stringify(socketPath)} });
    try { const r = await c.ping(); console.log(JSON.stringify({ ok: r.OK })); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
    c.close();`;
    const runAs = async (uid: number, gid: number) =>
      JSON.parse(
        (
          await execFileAsync(process.execPath, ['--input-type=module', '-e', script], {
            uid,
            gid,
            timeout: 10_000,
          })
        ).stdout,
      );
    const outsider = await runAs(65534, 65534);
    assert.equal(outsider.code, 'DAEMON_PERMISSION_DENIED');
    assert.equal(
      outsider.message,
      `dial kukeond at ${socketPath}: permission denied — add yourself to the kukeon group (sudo usermod -aG kukeon $USER), then log out and back in: dial unix ${socketPath}: connect: permission denied`,
    );
    assert.deepEqual(await runAs(65534, gid), { ok: true });

    // The explicit --socket-gid form gives the same result without a group lookup.
    await server.stop();
    const explicit = new DaemonServer({
      socketPath,
      registry: testRegistry(),
      logger: silentLogger,
      socketGid: gid,
      groupFile: noGroups(dir),
    });
    await explicit.start();
    t.after(() => explicit.stop());
    assert.equal(statSync(socketPath).mode & 0o777, 0o660);
    assert.equal(statSync(socketPath).gid, gid);
    assert.deepEqual(await runAs(65534, gid), { ok: true });
  },
);

test('idle connections are closed by the server and the client redials transparently', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'kukeond.sock');
  const server = new DaemonServer({
    socketPath,
    registry: testRegistry(),
    logger: silentLogger,
    groupFile: noGroups(dir),
    limits: { idleTimeoutMs: 150 },
  });
  t.after(() => server.stop());
  await server.start();
  const client = new DaemonClient({ socketPath });
  t.after(() => client.close());
  await client.ping();
  assert.equal(server.connectionCount, 1);
  // A running request is not idle, however long it takes.
  assert.deepEqual(await client.call('Sleep', { Ms: 400 }), { Slept: 400, Err: null });
  await waitFor(() => server.connectionCount === 0, 5000, 'idle close');
  assert.equal((await client.ping()).OK, true);
  assert.equal(server.connectionCount, 1);
});

test('connections beyond maxConnections are refused; the others keep working', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'kukeond.sock');
  const server = new DaemonServer({
    socketPath,
    registry: testRegistry(),
    logger: silentLogger,
    groupFile: noGroups(dir),
    limits: { maxConnections: 2 },
  });
  t.after(() => server.stop());
  await server.start();
  const clients = [0, 1, 2].map(() => new DaemonClient({ socketPath }));
  t.after(() => clients.forEach((c) => c.close()));
  await clients[0].ping();
  await clients[1].ping();
  await assert.rejects(clients[2].ping(), (err: unknown) => hasCode(err, 'DAEMON_CONNECTION_LOST'));
  assert.equal((await clients[0].ping()).OK, true);
  clients[1].close();
  await waitFor(() => server.connectionCount === 1, 5000, 'slot freed');
  assert.equal((await clients[2].ping()).OK, true);
});

test('shutdown gives up on requests that outlive the drain timeout', async (t) => {
  const dir = tempDir(t);
  const socketPath = join(dir, 'kukeond.sock');
  const server = new DaemonServer({
    socketPath,
    registry: testRegistry(),
    logger: silentLogger,
    groupFile: noGroups(dir),
    drainTimeoutMs: 200,
  });
  await server.start();
  const client = new DaemonClient({ socketPath });
  t.after(() => client.close());
  const stuck = client.call('Sleep', { Ms: 10_000 }).then(
    () => 'answered',
    (err: unknown) => err,
  );
  await waitFor(() => server.pendingRequests === 1, 5000, 'request running');
  const t0 = Date.now();
  await server.stop();
  assert.ok(Date.now() - t0 < 5000, 'stop is bounded by the drain timeout, not the 10 s request');
  assert.ok(hasCode(await stuck, 'DAEMON_CONNECTION_LOST'));
  assert.deepEqual(readdirSync(dir), ['group']);
});
