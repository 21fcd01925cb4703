import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Logger } from '../log.js';
import type { ContainerdError } from './errors.js';
import type { FramedDuplex } from './framed-stream.js';
import type { ServiceName } from './proto-registry.js';
import type { Scope } from './types.js';

export interface CallOptions {
  /**
   * Client-side deadline in ms; null for none (Tasks.Wait blocks until the exit by design).
   * Default: the client's `callTimeoutMs`. Expiry gives ContainerdTimeoutError.
   */
  deadlineMs?: number | null;
  /** Cancels the call; it then fails with a ContainerdError (gRPC CANCELLED). */
  signal?: AbortSignal;
}

/**
 * What the per-service wrappers need from the client. Kept apart from ContainerdClient so the
 * wrapper files do not import the class that imports them.
 */
export interface Rpc {
  readonly socket: string;
  readonly log: Logger;
  /** Snapshotter used when a call does not name one (HostConfig.snapshotter). */
  readonly snapshotter: string;
  /** Runtime used for containers when the caller does not name one. */
  readonly runtime: string;
  unary<Res>(
    service: ServiceName,
    method: string,
    req: object,
    scope: Scope | null,
    opts?: CallOptions,
  ): Promise<Res>;
  /** Server-streaming call as an async iterable; errors are mapped, breaking out cancels the call. */
  serverStream<Res>(
    service: ServiceName,
    method: string,
    req: object,
    scope: Scope | null,
  ): AsyncIterable<Res>;
  /** The raw stream, for callers that manage cancel/reconnect themselves (events). */
  rawServerStream<Res>(
    service: ServiceName,
    method: string,
    req: object,
    scope: Scope | null,
  ): ClientReadableStream<Res>;
  /** A bidi stream framed by us, for bulk writes (Content.Write): see FramedDuplex. */
  framedDuplex<Res>(service: ServiceName, method: string, scope: Scope | null): FramedDuplex<Res>;
  mapError(err: unknown, method: string): ContainerdError;
}
