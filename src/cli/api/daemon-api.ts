import type { AnyMethodName, MethodArgs, MethodReply } from '../../protocol/method-types.js';
import type { DaemonClient } from '../../client/daemon-client.js';
import type { KukeonApi } from './kukeon-api.js';

/**
 * The daemon over its unix socket. The host scheme is checked on the first call (
 * an unsupported `--host` fails when the first RPC is attempted, not at start-up). The client
 * (and with it `node:net`) is loaded on that first call, so commands that never dial do not pay.
 */
export class DaemonApi implements KukeonApi {
  readonly mode = 'daemon' as const;
  private client: DaemonClient | undefined;

  constructor(private readonly host: string) {}

  async call<M extends AnyMethodName>(method: M, args: MethodArgs<M>): Promise<MethodReply<M>> {
    if (!this.client) {
      const [{ DaemonClient }, { socketPathFromHost }] = await Promise.all([
        import('../../client/daemon-client.js'),
        import('../../client/daemon-host.js'),
      ]);
      this.client = new DaemonClient({ socketPath: socketPathFromHost(this.host) });
    }
    return this.client.call(method, args);
  }

  async close(): Promise<void> {
    this.client?.close();
  }
}
