import { connect, type Socket } from 'node:net';
import { KukeonError } from '../errors.js';
import { JsonObjectSplitter } from '../protocol/json-object-splitter.js';
import { SERVICE_NAME, encodeFrame } from '../protocol/wire.js';
import {
  callTimeoutError,
  clientErrorCodes,
  connectionLostError,
  dialError,
} from './daemon-client-errors.js';
import { isObject, replyOutcome } from './reply-outcome.js';

export interface DaemonClientOptions {
  /** The daemon's unix socket (see `socketPathFromHost`). */
  socketPath: string;
  /** Dial timeout; the original uses 5 s. */
  connectTimeoutMs?: number;
  /** Default per-call timeout; 0 waits for as long as the daemon works (the original's behaviour). */
  callTimeoutMs?: number;
  /** Largest reply accepted (list replies can be big). */
  maxReplyBytes?: number;
  /**
   * The client closes a connection idle this long, before the daemon's own idle timeout (120 s)
   * can: a daemon-side close could race a request being sent and fail it with `unexpected EOF`.
   */
  idleCloseMs?: number;
}

export interface CallOptions {
  /** Overrides the client's default call timeout for this call. */
  timeoutMs?: number;
}

/** `Ping`'s reply. */
export interface PingReply {
  OK: boolean;
  Version: string;
}

interface PendingCall {
  method: string;
  resolve: (reply: Record<string, unknown>) => void;
  reject: (err: unknown) => void;
  timer?: NodeJS.Timeout;
  /** The connection the call went out on: only its loss fails the call. */
  socket: Socket;
}

/**
 * A kukeonv1 client: one lazily dialled connection for the whole process, any number of
 * concurrent calls matched by id, typed errors. An idle connection does not keep the process
 * alive and is closed after `idleCloseMs`; a closed connection is redialled on the next call.
 * Only node built-ins are imported: this is on `kuke`'s start-up path.
 */
export class DaemonClient {
  readonly socketPath: string;
  private readonly connectTimeoutMs: number;
  private readonly callTimeoutMs: number;
  private readonly maxReplyBytes: number;
  private readonly idleCloseMs: number;
  private idleTimer: NodeJS.Timeout | undefined;
  private socket: Socket | undefined;
  private dialing: Promise<Socket> | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, PendingCall>();

  constructor(options: DaemonClientOptions) {
    this.socketPath = options.socketPath;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 0;
    this.maxReplyBytes = options.maxReplyBytes ?? 256 * 1024 * 1024;
    this.idleCloseMs = options.idleCloseMs ?? 60_000;
  }

  /**
   * Calls `KukeonV1.<method>` (a name with a dot is used as is) and resolves with the reply
   * object. Rejects with a DaemonReplyError (the daemon's code and message) when `Err` is set.
   */
  async call<R extends object = Record<string, unknown>>(
    method: string,
    args: object = {},
    options: CallOptions = {},
  ): Promise<R> {
    const serviceMethod = method.includes('.') ? method : `${SERVICE_NAME}.${method}`;
    const frame = (id: number): string => encodeFrame({ method: serviceMethod, params: [args], id });
    const socket = await this.connection();
    const id = this.nextId++;
    const text = frame(id);
    return new Promise<R>((resolve, reject) => {
      const entry: PendingCall = {
        method: serviceMethod,
        resolve: resolve as PendingCall['resolve'],
        reject,
        socket,
      };
      const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
      if (timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          this.updateRef();
          reject(callTimeoutError(serviceMethod, timeoutMs));
        }, timeoutMs);
      }
      this.pending.set(id, entry);
      this.updateRef();
      socket.write(text);
    });
  }

  ping(options: CallOptions = {}): Promise<PingReply> {
    return this.call<PingReply>('Ping', {}, options);
  }

  /** Closes the connection; calls still waiting fail with `unexpected EOF`. */
  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async connection(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return this.socket;
    this.dialing ??= this.dial().finally(() => {
      this.dialing = undefined;
    });
    return this.dialing;
  }

  private dial(): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ path: this.socketPath });
      const timer = setTimeout(() => {
        socket.destroy();
        const err: NodeJS.ErrnoException = new Error('i/o timeout');
        err.code = 'ETIMEDOUT';
        reject(dialError(this.socketPath, err));
      }, this.connectTimeoutMs);
      const onError = (err: NodeJS.ErrnoException): void => {
        clearTimeout(timer);
        reject(dialError(this.socketPath, err));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        this.adopt(socket);
        resolve(socket);
      });
    });
  }

  private adopt(socket: Socket): void {
    this.socket = socket;
    const splitter = new JsonObjectSplitter({ maxObjectBytes: this.maxReplyBytes, maxDepth: 10_000 });
    let lastError: unknown;
    let held: Buffer[] = [];
    let heldBytes = 0;
    socket.on('data', (data: Buffer) => {
      let chunk = data;
      // Fast path: a reply is usually alone on the wire, so JSON.parse of the whole reply beats
      // the splitter's byte walk (a 380 KB cell list: ≈ 2.5 vs 9 ms). Chunks are held until one
      // ends like a reply does (newline, or `}` for peers that send none); if the held bytes do
      // not parse as one value (several replies, a `}` inside a reply, bad JSON) — or do not
      // start like a reply — they go through the splitter, which then carries on as before.
      if (!splitter.inObject && splitter.bufferedBytes === 0 && (held.length > 0 || chunk[0] === 0x7b)) {
        held.push(chunk);
        heldBytes += chunk.length;
        const last = chunk[chunk.length - 1];
        if (last !== 0x0a && last !== 0x7d && heldBytes <= this.maxReplyBytes) return;
        chunk = held.length === 1 ? held[0] : Buffer.concat(held, heldBytes);
        held = [];
        heldBytes = 0;
        if (chunk.length <= this.maxReplyBytes) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(chunk.toString('utf8'));
          } catch {
            parsed = undefined;
          }
          if (parsed !== undefined) {
            this.onResponse(parsed, socket);
            return;
          }
        }
      }
      const { objects, error } = splitter.push(chunk);
      for (const bytes of objects) this.onReply(bytes, socket);
      if (error)
        this.abandon(
          socket,
          new KukeonError(clientErrorCodes.protocol, `bad reply from kukeond: ${error.message}`),
        );
    });
    socket.on('error', (err) => {
      lastError = err;
    });
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      // Only this connection's calls: a call made right after close() is already on a new one.
      this.failAll(socket, connectionLostError(lastError));
    });
    this.updateRef();
  }

  private onReply(bytes: Buffer, socket: Socket): void {
    let response: unknown;
    try {
      response = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      this.abandon(
        socket,
        new KukeonError(clientErrorCodes.protocol, `bad reply from kukeond: ${(err as Error).message}`),
      );
      return;
    }
    this.onResponse(response, socket);
  }

  private onResponse(response: unknown, socket: Socket): void {
    if (!isObject(response)) return;
    const id = response.id;
    const call = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (call === undefined) {
      // A reply without a matching call (late reply after a timeout, or a stream-level error).
      if (typeof response.error === 'string' && response.id === null) {
        this.abandon(socket, new KukeonError(clientErrorCodes.transport, response.error));
      }
      return;
    }
    this.pending.delete(id as number);
    clearTimeout(call.timer);
    this.updateRef();
    const outcome = replyOutcome(response);
    if ('error' in outcome) call.reject(outcome.error);
    else call.resolve(outcome.result);
  }

  private abandon(socket: Socket, err: KukeonError): void {
    this.failAll(socket, err);
    socket.destroy();
  }

  private failAll(socket: Socket, err: unknown): void {
    for (const [id, call] of this.pending) {
      if (call.socket !== socket) continue;
      this.pending.delete(id);
      clearTimeout(call.timer);
      call.reject(err);
    }
    this.updateRef();
  }

  /** Only a connection with calls in flight keeps the process alive; an idle one closes itself. */
  private updateRef(): void {
    clearTimeout(this.idleTimer);
    const socket = this.socket;
    if (!socket) return;
    if (this.pending.size > 0) {
      socket.ref();
      return;
    }
    socket.unref();
    this.idleTimer = setTimeout(() => {
      if (this.socket === socket && this.pending.size === 0) this.close();
    }, this.idleCloseMs);
    this.idleTimer.unref();
  }
}
