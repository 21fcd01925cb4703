import type { Socket } from 'node:net';
import type { Logger } from '../../log.js';
import type { KeyedMutex } from '../../store/keyed-mutex.js';
import { JsonObjectSplitter } from '../../protocol/json-object-splitter.js';
import type { MethodRegistry } from './method-registry.js';
import { dispatchRequest } from './request-dispatcher.js';
import type { RpcLimits } from './rpc-limits.js';
import { encodeFrame, transportErrorText, type RpcResponse } from '../../protocol/wire.js';

/** Bytes of incomplete requests held by all connections of one server. */
export interface BufferBudget {
  used: number;
  readonly limit: number;
}

export interface RpcConnectionOptions {
  id: number;
  registry: MethodRegistry;
  limits: RpcLimits;
  logger: Logger;
  budget: BufferBudget;
  locks: KeyedMutex;
}

/** How long a connection that must close may linger for its last reply to be read. */
const CLOSE_LINGER_MS = 2_000;

/**
 * Serves one client connection: splits the stream into requests, runs them concurrently, writes
 * replies as they finish (out of order), and enforces the per-connection limits. A broken stream
 * gets one error reply and is closed; nothing here can affect another connection.
 * The socket must be created with `allowHalfOpen` so replies still flow after the client's EOF.
 */
export class RpcConnection {
  readonly id: number;
  readonly closed: Promise<void>;
  private readonly socket: Socket;
  private readonly options: RpcConnectionOptions;
  private readonly splitter: JsonObjectSplitter;
  private readonly logger: Logger;
  private inFlight = 0;
  /** Input is ignored from now on (broken stream, client EOF, shutdown). */
  private readingStopped = false;
  /** The connection ends as soon as nothing is in flight. */
  private closing = false;
  private draining = false;
  private paused = false;
  private writeBlocked = false;
  private charged = 0;
  private readTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, options: RpcConnectionOptions) {
    this.id = options.id;
    this.socket = socket;
    this.options = options;
    this.logger = options.logger.child({ connection: options.id });
    this.splitter = new JsonObjectSplitter({
      maxObjectBytes: options.limits.maxRequestBytes,
      maxDepth: options.limits.maxRequestDepth,
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err) => this.logger.debug({ err }, 'rpc connection error'));
    socket.on('close', () => this.onClose());
    this.refreshIdle();
  }

  /** Requests of this connection currently running. */
  get pendingRequests(): number {
    return this.inFlight;
  }

  /** Server shutdown: finish what is running, refuse the rest, then close. */
  beginDrain(): void {
    // Keep reading so requests that race the shutdown get a clear refusal, not silence.
    this.draining = true;
    this.closeWhenIdle();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.readingStopped) return;
    const { objects, error } = this.splitter.push(chunk);
    for (const bytes of objects) this.handleObject(bytes);
    if (!this.chargeBudget()) {
      this.fail(transportErrorText.bufferBudget);
      return;
    }
    if (error) {
      this.logger.debug({ problem: error.problem }, 'rpc stream broken');
      this.fail(transportErrorText.cannotDecode(error.message));
      return;
    }
    if (objects.length > 0) this.refreshIdle();
    this.updateReadDeadline();
    this.updateFlow();
  }

  private onEnd(): void {
    if (this.readingStopped) return;
    if (this.splitter.inObject) this.fail(transportErrorText.cannotDecode('unexpected EOF'));
    else {
      this.stopReading();
      this.closeWhenIdle();
    }
  }

  private onClose(): void {
    clearTimeout(this.readTimer);
    clearTimeout(this.idleTimer);
    this.options.budget.used -= this.charged;
    this.charged = 0;
  }

  private handleObject(bytes: Buffer): void {
    let request: unknown;
    try {
      request = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      // The object's extent is known, so the stream stays in sync: reply and go on.
      this.send({ id: null, result: null, error: transportErrorText.cannotDecode((err as Error).message) });
      return;
    }
    if (this.draining) {
      const id =
        typeof request === 'object' && request !== null ? ((request as { id?: unknown }).id ?? null) : null;
      this.send({ id, result: null, error: transportErrorText.shuttingDown });
      return;
    }
    this.inFlight++;
    void dispatchRequest(this.options.registry, request, {
      connectionId: this.id,
      logger: this.logger,
      locks: this.options.locks,
    }).then((response) => {
      this.inFlight--;
      this.send(response);
      if (this.closing) this.closeWhenIdle();
      else this.refreshIdle();
      this.updateFlow();
    });
  }

  private send(response: RpcResponse): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    let frame: string;
    try {
      frame = encodeFrame(response);
    } catch (err) {
      // A handler bug (BigInt, cycle): the caller still gets an answer for its id.
      this.logger.error({ err }, 'rpc reply cannot be encoded');
      const reason = err instanceof Error ? err.message : String(err);
      frame = encodeFrame({
        id: response.id,
        result: null,
        error: transportErrorText.unserializable(reason),
      });
    }
    if (!this.socket.write(frame) && !this.writeBlocked) {
      this.writeBlocked = true;
      const stalled = setTimeout(() => {
        this.logger.warn('rpc client has not read its replies in time; dropping it');
        this.socket.destroy();
      }, this.options.limits.replyWriteTimeoutMs).unref();
      this.socket.once('drain', () => {
        clearTimeout(stalled);
        this.writeBlocked = false;
        this.updateFlow();
      });
      this.socket.once('close', () => clearTimeout(stalled));
    }
    if (this.socket.writableLength > this.options.limits.maxPendingWriteBytes) {
      this.logger.warn(
        { queued: this.socket.writableLength },
        'rpc client does not read its replies; dropping it',
      );
      this.socket.destroy();
    }
  }

  /** One error reply, then the connection closes once its running requests have answered. */
  private fail(text: string): void {
    this.send({ id: null, result: null, error: text });
    this.stopReading();
    this.closeWhenIdle();
  }

  private stopReading(): void {
    this.readingStopped = true;
    // Give the buffered bytes back to the server-wide budget now, not when the socket closes.
    this.splitter.discard();
    this.chargeBudget();
    clearTimeout(this.readTimer);
    this.readTimer = undefined;
    // Keep the socket flowing so input is discarded rather than piling up in kernel buffers.
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private closeWhenIdle(): void {
    this.closing = true;
    clearTimeout(this.idleTimer);
    if (this.inFlight > 0 || this.socket.writableEnded) return;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_LINGER_MS).unref();
  }

  /** Returns false when this connection pushed the server over its buffer budget. */
  private chargeBudget(): boolean {
    const delta = this.splitter.bufferedBytes - this.charged;
    this.charged += delta;
    this.options.budget.used += delta;
    return delta <= 0 || this.options.budget.used <= this.options.budget.limit;
  }

  private updateReadDeadline(): void {
    if (this.splitter.inObject && !this.readTimer) {
      const ms = this.options.limits.requestReadTimeoutMs;
      this.readTimer = setTimeout(() => {
        this.readTimer = undefined;
        this.logger.debug('rpc request read deadline exceeded');
        this.fail(transportErrorText.readTimeout(ms));
      }, ms);
      this.readTimer.unref();
    } else if (!this.splitter.inObject && this.readTimer) {
      clearTimeout(this.readTimer);
      this.readTimer = undefined;
    }
  }

  private refreshIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.closing) return;
    this.idleTimer = setTimeout(() => {
      // A running request or an arriving one is governed by its own deadline; completion re-arms.
      if (this.inFlight > 0 || this.splitter.inObject) return;
      this.logger.debug('rpc connection idle; closing');
      this.stopReading();
      this.closeWhenIdle();
    }, this.options.limits.idleTimeoutMs);
    this.idleTimer.unref();
  }

  private updateFlow(): void {
    const shouldPause =
      !this.readingStopped &&
      (this.inFlight >= this.options.limits.maxInFlightPerConnection || this.writeBlocked);
    if (shouldPause && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!shouldPause && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }
}
