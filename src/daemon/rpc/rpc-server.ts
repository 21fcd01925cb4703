import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../log.js';
import { KeyedMutex } from '../../store/keyed-mutex.js';
import type { MethodRegistry } from './method-registry.js';
import { RpcConnection, type BufferBudget } from './rpc-connection.js';
import { rpcLimits, type RpcLimits } from './rpc-limits.js';

export interface RpcServerOptions {
  registry: MethodRegistry;
  logger: Logger;
  limits?: Partial<RpcLimits>;
  /** The daemon's per-resource locks; pass the controller's instance so both exclude each other. */
  locks?: KeyedMutex;
  /**
   * Serves connections whose first byte is `firstByte` (never the start of a JSON request) with
   * another protocol: the attach stream. It receives the socket and the first chunk read.
   */
  stream?: StreamProtocol;
}

export interface StreamProtocol {
  firstByte: number;
  serve(socket: Socket, firstChunk: Buffer): void;
}

/**
 * The kukeonv1 listener: accepts connections on a unix socket path and serves each with an
 * RpcConnection. It knows nothing of socket files, modes or pid files (see daemon/server).
 */
export class RpcServer {
  readonly limits: RpcLimits;
  private readonly registry: MethodRegistry;
  private readonly logger: Logger;
  private readonly server: Server;
  private readonly connections = new Set<RpcConnection>();
  private readonly budget: BufferBudget;
  private readonly locks: KeyedMutex;
  private readonly stream: StreamProtocol | undefined;
  private readonly streamSockets = new Set<Socket>();
  private nextConnectionId = 1;

  constructor(options: RpcServerOptions) {
    this.registry = options.registry;
    this.logger = options.logger;
    this.limits = rpcLimits(options.limits);
    this.budget = { used: 0, limit: this.limits.maxBufferedBytesTotal };
    this.locks = options.locks ?? new KeyedMutex();
    this.stream = options.stream;
    this.server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
  }

  /** Number of open connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Requests running on all connections. */
  get pendingRequests(): number {
    let n = 0;
    for (const c of this.connections) n += c.pendingRequests;
    return n;
  }

  /** Bytes of incomplete requests currently buffered (for tests and metrics). */
  get bufferedBytes(): number {
    return this.budget.used;
  }

  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(path, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.logger.error({ err }, 'rpc listener error'));
        resolve();
      });
    });
  }

  /**
   * Stops accepting, lets running requests answer (new ones are refused), then closes every
   * connection. Connections still busy after `timeoutMs` are destroyed. Resolves with the number
   * of requests that were abandoned.
   */
  async drain(timeoutMs: number): Promise<number> {
    const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Stream sessions have no request to finish: they end now (their peers see the hang-up).
    for (const s of this.streamSockets) s.destroy();
    for (const c of this.connections) c.beginDrain();
    const allClosed = Promise.all([...this.connections].map((c) => c.closed));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([allClosed, timedOut]);
    clearTimeout(timer);
    let abandoned = 0;
    if (outcome === 'timeout') {
      abandoned = this.pendingRequests;
      for (const c of this.connections) c.destroy();
      await Promise.all([...this.connections].map((c) => c.closed));
    }
    await listenerClosed;
    return abandoned;
  }

  private accept(socket: Socket): void {
    if (this.connections.size + this.streamSockets.size >= this.limits.maxConnections) {
      this.logger.warn(
        { max: this.limits.maxConnections },
        'rpc connection limit reached; refusing a connection',
      );
      socket.destroy();
      return;
    }
    const stream = this.stream;
    if (!stream) {
      this.serveRpc(socket);
      return;
    }
    // Which protocol is decided by the first byte; a peer that never sends one is dropped like an
    // idle RPC connection.
    const silent = setTimeout(() => socket.destroy(), this.limits.idleTimeoutMs).unref();
    socket.once('close', () => clearTimeout(silent));
    socket.once('data', (first: Buffer) => {
      clearTimeout(silent);
      if (first[0] === stream.firstByte) {
        this.streamSockets.add(socket);
        socket.once('close', () => this.streamSockets.delete(socket));
        stream.serve(socket, first);
        return;
      }
      socket.pause();
      socket.unshift(first);
      this.serveRpc(socket);
      socket.resume();
    });
  }

  private serveRpc(socket: Socket): void {
    const connection = new RpcConnection(socket, {
      id: this.nextConnectionId++,
      registry: this.registry,
      limits: this.limits,
      logger: this.logger,
      budget: this.budget,
      locks: this.locks,
    });
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
  }
}
