import http2 from 'node:http2';
import { connect } from 'node:net';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { serializeMessage } from './bytes-pieces.js';
import { decodeOptions, methodTypes, type ServiceName } from './proto-registry.js';

/** Bytes before each gRPC message on the wire: a compressed flag, then the length (u32, big-endian). */
export const GRPC_FRAME_HEADER = 5;

/** A gRPC error as grpc-js shapes it, so fromGrpcError maps it like any other call's. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${GrpcStatus[code]}: ${details}`), {
    code,
    details,
    metadata: new Metadata(),
  });
}

/**
 * The HTTP/2 connection the framed streams of one client share: opened on first use, replaced
 * once it fails or containerd says GOAWAY, holding the event loop only while a stream is open.
 */
export class FramedConnection {
  private session?: http2.ClientHttp2Session;
  private readonly open = new Map<http2.ClientHttp2Session, number>();

  constructor(private readonly socket: string) {}

  request(path: string, headers: Record<string, string>): http2.ClientHttp2Stream {
    let s = this.session;
    if (!s || s.closed || s.destroyed) {
      const fresh = http2.connect('http://localhost', { createConnection: () => connect(this.socket) });
      // A failed connection fails its streams (their 'error'), which is where it is reported.
      fresh.on('error', () => undefined);
      const drop = (): void => {
        if (this.session === fresh) this.session = undefined;
      };
      fresh.on('close', drop);
      fresh.on('goaway', drop);
      fresh.unref();
      this.session = s = fresh;
    }
    const session = s;
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    const n = this.open.get(session) ?? 0;
    if (n === 0) session.ref();
    this.open.set(session, n + 1);
    stream.once('close', () => {
      const left = (this.open.get(session) ?? 1) - 1;
      if (left > 0) this.open.set(session, left);
      else {
        this.open.delete(session);
        if (!session.destroyed) session.unref();
      }
    });
    return stream;
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}

/**
 * A bidi gRPC stream on node:http2 whose requests are framed by us, into buffers the caller may
 * reuse: grpc-js copies every message into a new frame, and for a pull's 1 MiB WRITEs those
 * frames, alive until containerd reads them, were what made V8 run most of its full collections
 * (docs/bench.md, Pull). Only Content.Write uses it; every other call goes through grpc-js.
 * Requests and responses in the order sent; the iterator yields each response, and ends with the
 * call's status (an error unless OK).
 */
export class FramedDuplex<Res> {
  private readonly request: protobuf.Type;
  private readonly response: protobuf.Type;
  private readonly stream: http2.ClientHttp2Stream;
  private readonly responses: Res[] = [];
  private readonly waiting: Array<{ resolve: (r: IteratorResult<Res>) => void; reject: (e: Error) => void }> =
    [];
  private partial: Buffer = Buffer.alloc(0);
  private status?: { error?: Error };

  constructor(conn: FramedConnection, service: ServiceName, method: string, headers: Record<string, string>) {
    const types = methodTypes(service, method);
    this.request = types.request;
    this.response = types.response;
    this.stream = conn.request(types.path, headers);
    this.stream.on('data', (chunk: Buffer) => this.onData(chunk));
    // A call that fails at once answers with headers only ("trailers-only"), its status in them.
    this.stream.on('response', (h) => this.onStatus(h));
    this.stream.on('trailers', (h) => this.onStatus(h));
    this.stream.on('error', (err: Error) =>
      this.settle({ error: grpcError(GrpcStatus.UNAVAILABLE, err.message) }),
    );
    this.stream.on('close', () =>
      this.settle({
        error: grpcError(GrpcStatus.UNAVAILABLE, `stream closed without a status (${this.stream.rstCode})`),
      }),
    );
  }

  /** Sends one request; its encoding goes into `value`'s BytesPieces `into` buffer when it fits. */
  write(value: object): void {
    const frame = serializeMessage(this.request, value, GRPC_FRAME_HEADER);
    frame[0] = 0;
    frame.writeUInt32BE(frame.length - GRPC_FRAME_HEADER, 1);
    this.stream.write(frame);
  }

  next(): Promise<IteratorResult<Res>> {
    const r = this.responses.shift();
    if (r !== undefined) return Promise.resolve({ done: false, value: r });
    if (this.status) {
      return this.status.error
        ? Promise.reject(this.status.error)
        : Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** No more requests; the responses still to come can be read. */
  end(): void {
    this.stream.end();
  }

  cancel(): void {
    this.settle({ error: grpcError(GrpcStatus.CANCELLED, 'cancelled') });
    if (!this.stream.destroyed) this.stream.close(http2.constants.NGHTTP2_CANCEL);
  }

  private onData(chunk: Buffer): void {
    let buf = this.partial.length ? Buffer.concat([this.partial, chunk]) : chunk;
    while (buf.length >= GRPC_FRAME_HEADER) {
      const len = buf.readUInt32BE(1);
      if (buf.length < GRPC_FRAME_HEADER + len) break;
      const msg = buf.subarray(GRPC_FRAME_HEADER, GRPC_FRAME_HEADER + len);
      buf = buf.subarray(GRPC_FRAME_HEADER + len);
      const value = this.response.toObject(this.response.decode(msg), decodeOptions) as Res;
      const w = this.waiting.shift();
      if (w) w.resolve({ done: false, value });
      else this.responses.push(value);
    }
    // Kept as a copy: the chunk's memory belongs to the stream.
    this.partial = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
  }

  private onStatus(headers: http2.IncomingHttpHeaders): void {
    const raw = headers['grpc-status'];
    if (raw === undefined) {
      const http = Number(headers[':status'] ?? 200);
      if (http !== 200) this.settle({ error: grpcError(GrpcStatus.UNKNOWN, `HTTP status ${http}`) });
      return;
    }
    const code = Number(raw);
    const message = headers['grpc-message'];
    const details = typeof message === 'string' ? decodeURIComponent(message) : '';
    this.settle(code === GrpcStatus.OK ? {} : { error: grpcError(code, details) });
  }

  private settle(status: { error?: Error }): void {
    if (this.status) return;
    this.status = status;
    for (const w of this.waiting.splice(0)) {
      if (status.error) w.reject(status.error);
      else w.resolve({ done: true, value: undefined });
    }
  }
}
