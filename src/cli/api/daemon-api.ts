import type { AnyMethodName, MethodArgs, MethodReply } from '../../protocol/method-types.js';
import type { DaemonClient } from '../../client/daemon-client.js';
import type { KukeonApi } from './kukeon-api.js';

/**
 * The daemon over its unix socket. The host scheme is checked on the first call (
 * an unsupported `--host` fails when the first RPC is attempted, not at start-up). The client
 * (and with it `node:net`) is loaded on that first call, so commands that never dial do not pay.
 * With `blocking` (the `kuke` bin), short read-only calls are one blocking round trip through
 * the native binding instead (src/client/blocking-call.ts) and node:net is not loaded at all.
 */
export class DaemonApi implements KukeonApi {
  readonly mode = 'daemon' as const;
  private client: DaemonClient | undefined;
  private socketPath: string | undefined;

  constructor(
    private readonly host: string,
    private readonly blocking = false,
  ) {}

  async call<M extends AnyMethodName>(method: M, args: MethodArgs<M>): Promise<MethodReply<M>> {
    if (this.socketPath === undefined) {
      const { socketPathFromHost } = await import('../../client/daemon-host.js');
      this.socketPath = socketPathFromHost(this.host);
    }
    if (this.blocking && !this.client) {
      const { blockingCall } = await import('../../client/blocking-call.js');
      const reply = await blockingCall(this.socketPath, method, args, CLIENT_OPTIONS);
      if (reply) return reply as MethodReply<M>;
    }
    if (!this.client) {
      const { DaemonClient } = await import('../../client/daemon-client.js');
      this.client = new DaemonClient({ socketPath: this.socketPath, ...CLIENT_OPTIONS });
    }
    return this.client.call(method, args);
  }

  async close(): Promise<void> {
    this.client?.close();
  }
}

/** The DaemonClient's defaults, shared by the blocking path. */
const CLIENT_OPTIONS = { connectTimeoutMs: 5_000, maxReplyBytes: 256 * 1024 * 1024 };
