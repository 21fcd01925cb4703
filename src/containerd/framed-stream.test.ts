import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BytesPieces } from './bytes-pieces.js';
import { fromGrpcError, isFailedPrecondition, isUnavailable } from './errors.js';
import { FramedConnection, FramedDuplex, GRPC_FRAME_HEADER } from './framed-stream.js';
import { decodeOptions, methodTypes } from './proto-registry.js';

interface Seen {
  path: string;
  headers: http2.IncomingHttpHeaders;
  requests: Array<{ action: string; offset: number; data: Buffer }>;
}

/**
 * A Content.Write stand-in on a unix socket: answers each request with its action and the offset
 * after its data, then ends with `status` (in the trailers, or alone in the headers).
 */
async function server(status: { code: number; message?: string; only?: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), 'framed-'));
  const socket = join(dir, 's.sock');
  const { request, response } = methodTypes('content', 'Write');
  const seen: Seen[] = [];
  const srv = http2.createServer();
  srv.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    const s: Seen = { path: String(headers[':path']), headers, requests: [] };
    seen.push(s);
    const trailers = {
      'grpc-status': String(status.code),
      ...(status.message ? { 'grpc-message': encodeURIComponent(status.message) } : {}),
    };
    if (status.only) {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', ...trailers },
        { endStream: true },
      );
      return;
    }
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    let buf = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= GRPC_FRAME_HEADER && buf.length >= GRPC_FRAME_HEADER + buf.readUInt32BE(1)) {
        const len = buf.readUInt32BE(1);
        const req = request.toObject(
          request.decode(buf.subarray(GRPC_FRAME_HEADER, GRPC_FRAME_HEADER + len)),
          {
            ...decodeOptions,
            bytes: Buffer,
          },
        ) as { action: string; offset: number; data: Buffer };
        buf = buf.subarray(GRPC_FRAME_HEADER + len);
        s.requests.push(req);
        const msg = response
          .encode(response.fromObject({ action: req.action, offset: req.offset + req.data.length }))
          .finish();
        const frame = Buffer.alloc(GRPC_FRAME_HEADER + msg.length);
        frame.writeUInt32BE(msg.length, 1);
        frame.set(msg, GRPC_FRAME_HEADER);
        stream.write(frame);
      }
    });
    stream.on('end', () => stream.end());
  });
  await new Promise<void>((resolve) => srv.listen(socket, resolve));
  return {
    socket,
    seen,
    close: async () => {
      await new Promise((resolve) => srv.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('framed stream: requests framed from the caller’s buffer, answers in order, headers carry the scope', async () => {
  const srv = await server({ code: 0 });
  const conn = new FramedConnection(srv.socket);
  try {
    const call = new FramedDuplex<{ action: string; offset: number }>(conn, 'content', 'Write', {
      'containerd-namespace': 'ns1',
      'containerd-lease': 'l1',
    });
    const into = Buffer.alloc(64 * 1024);
    const data = new BytesPieces([Buffer.from('hello '), Buffer.from('world')]);
    data.into = into;
    call.write({ action: 'STAT', ref: 'r' });
    call.write({ action: 'WRITE', ref: 'r', offset: 0, data });
    call.write({ action: 'WRITE', ref: 'r', offset: 11, data: Buffer.alloc(3, 1) });
    assert.deepEqual(await call.next(), {
      done: false,
      value: { action: 'STAT', offset: 0, total: 0, digest: '', started_at: null, updated_at: null },
    });
    assert.equal((await call.next()).value?.offset, 11);
    assert.equal((await call.next()).value?.offset, 14);
    call.end();
    assert.deepEqual(await call.next(), { done: true, value: undefined });
    const [s] = srv.seen;
    assert.equal(s.path, '/containerd.services.content.v1.Content/Write');
    assert.equal(s.headers['containerd-namespace'], 'ns1');
    assert.equal(s.headers['containerd-lease'], 'l1');
    assert.equal(s.requests[1].data.toString(), 'hello world');
    // The WRITE went out from the buffer it was encoded into: frame header first, then the message.
    assert.equal(into.readUInt32BE(1) > 11, true);
    assert.equal(into.subarray(0, 64).includes(Buffer.from('hello world')), true);
  } finally {
    conn.close();
    await srv.close();
  }
});

test('framed stream: an error status (in the trailers, or headers only) maps like any gRPC error', async () => {
  for (const only of [false, true]) {
    const srv = await server({ code: 9, message: 'unexpected commit digest sha256:ab: 100% wrong', only });
    const conn = new FramedConnection(srv.socket);
    try {
      const call = new FramedDuplex(conn, 'content', 'Write', { 'containerd-namespace': 'ns1' });
      call.write({ action: 'STAT', ref: 'r' });
      if (!only) await call.next();
      call.end();
      const err = await call.next().then(
        () => assert.fail('expected an error'),
        (e: unknown) => fromGrpcError(e, 'content.Write'),
      );
      assert.equal(isFailedPrecondition(err), true, String(err));
      assert.match(err.message, /unexpected commit digest sha256:ab: 100% wrong/);
    } finally {
      conn.close();
      await srv.close();
    }
  }
});

test('framed stream: no containerd at the socket is UNAVAILABLE', async () => {
  const conn = new FramedConnection(join(tmpdir(), `framed-missing-${process.pid}.sock`));
  try {
    const call = new FramedDuplex(conn, 'content', 'Write', { 'containerd-namespace': 'ns1' });
    call.write({ action: 'STAT', ref: 'r' });
    const err = await call.next().then(
      () => assert.fail('expected an error'),
      (e: unknown) => fromGrpcError(e, 'content.Write'),
    );
    assert.equal(isUnavailable(err), true, String(err));
  } finally {
    conn.close();
  }
});
