/**
 * Resource limits of the RPC server. Together they bound what one hostile or stuck client can
 * cost: memory (request size, buffer budget, write queue), time (read deadline, idle timeout)
 * and concurrency (connections, in-flight requests per connection).
 */
export interface RpcLimits {
  /** Largest request object accepted; a larger one gets an error reply and the connection closes. */
  maxRequestBytes: number;
  /** Deepest JSON nesting accepted in a request. */
  maxRequestDepth: number;
  /** Bytes of incomplete requests buffered across all connections at once. */
  maxBufferedBytesTotal: number;
  /** A request must arrive completely within this long after its first byte (slow clients). */
  requestReadTimeoutMs: number;
  /** A connection with nothing in flight and no request arriving is closed after this long. */
  idleTimeoutMs: number;
  /** Connections beyond this are closed on accept. */
  maxConnections: number;
  /** Reading from a connection pauses while this many of its requests are running. */
  maxInFlightPerConnection: number;
  /** A client that does not read its replies is dropped once this many reply bytes queue up… */
  maxPendingWriteBytes: number;
  /** …or once its replies have been stuck this long (reading from it pauses meanwhile). */
  replyWriteTimeoutMs: number;
}

export const defaultRpcLimits: RpcLimits = {
  maxRequestBytes: 16 * 1024 * 1024,
  maxRequestDepth: 512,
  maxBufferedBytesTotal: 256 * 1024 * 1024,
  requestReadTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  maxConnections: 256,
  maxInFlightPerConnection: 64,
  maxPendingWriteBytes: 64 * 1024 * 1024,
  replyWriteTimeoutMs: 30_000,
};

export function rpcLimits(overrides: Partial<RpcLimits> = {}): RpcLimits {
  return { ...defaultRpcLimits, ...overrides };
}
