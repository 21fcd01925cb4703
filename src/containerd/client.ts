import {
  Channel,
  credentials,
  Metadata,
  type CallOptions as GrpcCallOptions,
  type Client,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { silentLogger, type Logger } from '../log.js';
import { fromGrpcError, type ContainerdError } from './errors.js';
import { protoRegistry, type ServiceName } from './proto-registry.js';
import type { CallOptions, Rpc } from './rpc.js';
import { FramedConnection, FramedDuplex } from './framed-stream.js';
import type { Scope } from './types.js';
import { VersionApi } from './version.js';
import { NamespacesApi } from './namespaces.js';
import { ContentApi } from './content.js';
import { LeasesApi } from './leases.js';
import { ImagesApi } from './images.js';
import { SnapshotsApi } from './snapshots.js';
import { DiffApi } from './diff.js';
import { ContainersApi } from './containers.js';
import { TasksApi } from './tasks.js';
import { EventsApi } from './events-api.js';

export const NAMESPACE_HEADER = 'containerd-namespace';
export const LEASE_HEADER = 'containerd-lease';

export interface ContainerdClientOptions {
  /** Default snapshotter (HostConfig.snapshotter). */
  snapshotter?: string;
  /** Default runtime for new containers. */
  runtime?: string;
  /** Deadline for unary calls that don't set one (default 120 s; Diff.Apply of a big layer is the slowest). */
  callTimeoutMs?: number;
}

type Stub = Client & Record<string, (...args: unknown[]) => unknown>;

/**
 * A containerd gRPC client: one channel over the unix socket shared by every service stub, the
 * namespace (and optional lease) header on every namespaced call, gRPC errors mapped to typed
 * ContainerdErrors. Protos load on first use, once per process.
 */
export class ContainerdClient implements Rpc {
  readonly snapshotter: string;
  readonly runtime: string;
  readonly version: VersionApi;
  readonly namespaces: NamespacesApi;
  readonly content: ContentApi;
  readonly leases: LeasesApi;
  readonly images: ImagesApi;
  readonly snapshots: SnapshotsApi;
  readonly diff: DiffApi;
  readonly containers: ContainersApi;
  readonly tasks: TasksApi;
  readonly events: EventsApi;

  private readonly callTimeoutMs: number;
  private channel?: Channel;
  private framed?: FramedConnection;
  private readonly stubs = new Map<ServiceName, Stub>();
  private closed = false;

  constructor(
    readonly socket: string,
    readonly log: Logger = silentLogger,
    options: ContainerdClientOptions = {},
  ) {
    this.snapshotter = options.snapshotter ?? 'overlayfs';
    this.runtime = options.runtime ?? 'io.containerd.runc.v2';
    this.callTimeoutMs = options.callTimeoutMs ?? 120_000;
    this.version = new VersionApi(this);
    this.namespaces = new NamespacesApi(this);
    this.content = new ContentApi(this);
    this.leases = new LeasesApi(this);
    this.images = new ImagesApi(this);
    this.snapshots = new SnapshotsApi(this);
    this.diff = new DiffApi(this);
    this.containers = new ContainersApi(this);
    this.tasks = new TasksApi(this);
    this.events = new EventsApi(this);
  }

  /** Closes the channel; in-flight calls fail. The client cannot be used afterwards. */
  close(): void {
    this.closed = true;
    for (const s of this.stubs.values()) s.close();
    this.stubs.clear();
    this.channel?.close();
    this.channel = undefined;
    this.framed?.close();
    this.framed = undefined;
  }

  private stub(service: ServiceName): Stub {
    if (this.closed) throw new Error('ContainerdClient is closed');
    let s = this.stubs.get(service);
    if (!s) {
      const reg = protoRegistry();
      const address = `unix://${this.socket}`;
      this.channel ??= new Channel(address, credentials.createInsecure(), {
        'grpc.max_receive_message_length': 16 * 1024 * 1024,
        'grpc.max_send_message_length': 16 * 1024 * 1024,
        // Reconnect quickly after a containerd restart (it answers again within ~50 ms).
        'grpc.initial_reconnect_backoff_ms': 100,
        'grpc.max_reconnect_backoff_ms': 1000,
      });
      s = new reg.services[service](address, credentials.createInsecure(), {
        channelOverride: this.channel,
      }) as Stub;
      this.stubs.set(service, s);
    }
    return s;
  }

  private headers(scope: Scope | null): Record<string, string> {
    if (scope === null) return {};
    if (typeof scope === 'string') return { [NAMESPACE_HEADER]: scope };
    return { [NAMESPACE_HEADER]: scope.namespace, ...(scope.lease ? { [LEASE_HEADER]: scope.lease } : {}) };
  }

  private metadata(scope: Scope | null): Metadata {
    const md = new Metadata();
    for (const [k, v] of Object.entries(this.headers(scope))) md.set(k, v);
    return md;
  }

  mapError(err: unknown, method: string): ContainerdError {
    return fromGrpcError(err, method, this.socket);
  }

  unary<Res>(
    service: ServiceName,
    method: string,
    req: object,
    scope: Scope | null,
    opts: CallOptions = {},
  ): Promise<Res> {
    const stub = this.stub(service);
    const name = `${service}.${method}`;
    const callOpts: GrpcCallOptions = {};
    const deadlineMs = opts.deadlineMs === undefined ? this.callTimeoutMs : opts.deadlineMs;
    if (deadlineMs !== null) callOpts.deadline = Date.now() + deadlineMs;
    const t0 = performance.now();
    return new Promise<Res>((resolve, reject) => {
      const call = stub[method](req, this.metadata(scope), callOpts, (err: ServiceError | null, res: Res) => {
        opts.signal?.removeEventListener('abort', onAbort);
        const ms = +(performance.now() - t0).toFixed(2);
        if (err) {
          const mapped = this.mapError(err, name);
          this.log.debug(
            { call: name, ms, code: mapped.code, details: mapped.details },
            'containerd call failed',
          );
          reject(mapped);
        } else {
          this.log.debug({ call: name, ms }, 'containerd call');
          resolve(res);
        }
      }) as { cancel(): void };
      const onAbort = (): void => call.cancel();
      if (opts.signal?.aborted) call.cancel();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  rawServerStream<Res>(
    service: ServiceName,
    method: string,
    req: object,
    scope: Scope | null,
  ): ClientReadableStream<Res> {
    return this.stub(service)[method](req, this.metadata(scope)) as ClientReadableStream<Res>;
  }

  async *serverStream<Res>(
    service: ServiceName,
    method: string,
    req: object,
    scope: Scope | null,
  ): AsyncIterable<Res> {
    const call = this.rawServerStream<Res>(service, method, req, scope);
    let done = false;
    try {
      for await (const msg of call) yield msg as Res;
      done = true;
    } catch (err) {
      done = true;
      throw this.mapError(err, `${service}.${method}`);
    } finally {
      if (!done) call.cancel();
    }
  }

  framedDuplex<Res>(service: ServiceName, method: string, scope: Scope | null): FramedDuplex<Res> {
    if (this.closed) throw new Error('ContainerdClient is closed');
    this.framed ??= new FramedConnection(this.socket);
    return new FramedDuplex<Res>(this.framed, service, method, this.headers(scope));
  }
}
