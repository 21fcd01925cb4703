import type { ClientReadableStream } from '@grpc/grpc-js';
import type { Rpc } from './rpc.js';
import type { ContainerdError } from './errors.js';
import { decodeEnvelope, type ContainerdEvent } from './events.js';

export interface EventStreamOptions {
  /** containerd filters, ORed, e.g. `namespace==ns,topic~="^/tasks/"`. Empty: everything. */
  filters?: string[];
  onEvent: (ev: ContainerdEvent) => void;
  /** Called after every re-subscription that follows a lost stream (not the first connect). */
  onReconnect?: (info: { attempt: number; downMs: number }) => void;
  /** Called when the stream breaks (containerd stopped/restarting); a retry is scheduled. */
  onDisconnect?: (err: ContainerdError) => void;
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * `Events.Subscribe` that resubscribes automatically. A subscription counts as established when
 * a Version call issued right after it succeeds on the same channel (Subscribe sends nothing
 * until the first event). Events are hints, not a log: reconcile on every reconnect.
 */
export class EventStream {
  /** Resolves when the first subscription is established; rejects only if closed before. */
  readonly ready: Promise<void>;
  private call?: ClientReadableStream<unknown>;
  private closed = false;
  private attempt = 0;
  private everConnected = false;
  private downSince = 0;
  private timer?: NodeJS.Timeout;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;

  constructor(
    private readonly rpc: Rpc,
    private readonly opts: EventStreamOptions,
  ) {
    this.ready = new Promise<void>((res, rej) => {
      this.resolveReady = res;
      this.rejectReady = rej;
    });
    this.ready.catch(() => undefined);
    this.connect();
  }

  get connected(): boolean {
    return this.call !== undefined && this.downSince === 0 && this.everConnected;
  }

  private connect(): void {
    if (this.closed) return;
    let call: ClientReadableStream<unknown>;
    try {
      call = this.rpc.rawServerStream<unknown>(
        'events',
        'Subscribe',
        { filters: this.opts.filters ?? [] },
        null,
      );
    } catch (err) {
      // The client was closed under us: nothing to reconnect to.
      this.rpc.log.debug({ err }, 'containerd event stream stopped: client closed');
      this.close();
      return;
    }
    this.call = call;
    let lost = false;
    const onLost = (err: unknown): void => {
      if (lost || this.closed || this.call !== call) return;
      lost = true;
      this.lose(this.rpc.mapError(err, 'events.Subscribe'));
    };
    call.on('data', (env: Parameters<typeof decodeEnvelope>[0]) => {
      let ev: ContainerdEvent;
      try {
        ev = decodeEnvelope(env);
      } catch (err) {
        this.rpc.log.warn({ err, topic: env.topic }, 'undecodable containerd event');
        return;
      }
      this.opts.onEvent(ev);
    });
    call.on('error', onLost);
    call.on('end', () => onLost(new Error('event stream ended')));
    this.rpc
      .unary('version', 'Version', {}, null, { deadlineMs: 5000 })
      .then(() => {
        if (lost || this.closed || this.call !== call) return;
        const wasDown = this.downSince;
        this.downSince = 0;
        if (!this.everConnected) {
          this.everConnected = true;
          this.resolveReady();
          return;
        }
        this.opts.onReconnect?.({ attempt: this.attempt, downMs: Date.now() - wasDown });
        this.attempt = 0;
      })
      .catch(() => {
        // Not reachable: drop this attempt; the stream's error handler schedules the retry.
        if (this.call === call && !lost) call.cancel();
      });
  }

  private lose(err: ContainerdError): void {
    if (this.downSince === 0) this.downSince = Date.now();
    this.rpc.log.debug({ err: err.message, attempt: this.attempt }, 'containerd event stream lost');
    if (this.everConnected && this.attempt === 0) this.opts.onDisconnect?.(err);
    this.attempt++;
    const min = this.opts.retryMinMs ?? 100;
    const max = this.opts.retryMaxMs ?? 2000;
    const delay = Math.min(max, min * 2 ** Math.min(this.attempt - 1, 10));
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Ends the subscription; no more callbacks. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const call = this.call;
    this.call = undefined;
    call?.cancel();
    if (!this.everConnected) this.rejectReady(new Error('event stream closed before it connected'));
  }
}
