import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { blockingCall } from './blocking-call.js';
import { DaemonReplyError } from '../protocol/error-envelope.js';

const options = { connectTimeoutMs: 5_000, maxReplyBytes: 1 << 20 };

/**
 * A peer in another process (the call blocks this one): answers each request by the method's
 * name — a result, an application error, a transport error, or a close without a reply.
 */
const peer = `
const net = require('node:net');
net.createServer((s) => {
  let buf = '';
  s.on('data', (d) => {
    buf += d;
    if (!buf.endsWith('\\n')) return;
    const req = JSON.parse(buf);
    const m = req.method.split('.')[1];
    const reply = (o) => s.end(JSON.stringify({ id: req.id, ...o }) + '\\n');
    if (m === 'Ping') reply({ result: { OK: true, Version: 'x', Echo: req.params[0], Err: null }, error: null });
    else if (m === 'GetCell') reply({ result: { Err: { Kind: 'NotFound', Message: 'no such cell', Code: 'CELL_NOT_FOUND' } }, error: null });
    else if (m === 'ListCells') reply({ result: null, error: "rpc: can't find method KukeonV1.ListCells" });
    else s.destroy();
  });
}).listen(process.argv[1], () => process.stdout.write('ready\\n'));
`;

describe('blockingCall: one blocking round trip through the native binding', () => {
  let dir: string;
  let socket: string;
  let server: ChildProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kukeon-blocking-call-'));
    socket = join(dir, 's.sock');
    server = spawn(process.execPath, ['-e', peer, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => server.stdout!.once('data', resolve));
  });

  after(() => {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the DaemonClient frame and resolves with the result', async () => {
    assert.deepEqual(await blockingCall(socket, 'Ping', { A: 1 }, options), {
      OK: true,
      Version: 'x',
      Echo: { A: 1 },
      Err: null,
    });
  });

  it("rejects with the daemon's application error and with a transport error", async () => {
    await assert.rejects(blockingCall(socket, 'GetCell', {}, options), (err: unknown) => {
      assert.ok(err instanceof DaemonReplyError);
      assert.equal(err.code, 'CELL_NOT_FOUND');
      assert.equal(err.message, 'no such cell');
      return true;
    });
    await assert.rejects(blockingCall(socket, 'ListCells', {}, options), {
      code: 'RPC_TRANSPORT',
      message: "rpc: can't find method KukeonV1.ListCells",
    });
  });

  it('a peer that closes without a reply: unexpected EOF, as the DaemonClient', async () => {
    await assert.rejects(blockingCall(socket, 'ListRealms', {}, options), {
      code: 'DAEMON_CONNECTION_LOST',
      message: 'unexpected EOF',
    });
  });

  it('leaves to the DaemonClient: other methods, a failed connect, a JS SIGINT handler', async () => {
    assert.equal(await blockingCall(socket, 'ApplyDocuments', {}, options), undefined);
    assert.equal(await blockingCall(socket, 'ListEvents', {}, options), undefined);
    assert.equal(existsSync(join(dir, 'none.sock')), false);
    assert.equal(await blockingCall(join(dir, 'none.sock'), 'Ping', {}, options), undefined);
    const onInt = (): void => {};
    process.on('SIGINT', onInt);
    try {
      assert.equal(await blockingCall(socket, 'Ping', {}, options), undefined);
    } finally {
      process.off('SIGINT', onInt);
    }
  });
});
