import { DaemonClient } from '../../client/daemon-client.js';
import { socketPathFromHost } from '../../client/daemon-host.js';
import type { KukeonApi } from './kukeon-api.js';

/**
 * The daemon over its unix socket. The host scheme is checked on the first call (spec 03 §2.4:
 * an unsupported `--host` fails when the first RPC is attempted, not at start-up).
 */
export class DaemonApi implements KukeonApi {
  readonly mode = 'daemon' as const;
  private client: DaemonClient | undefined;

  constructor(private readonly host: string) {}

  async call<R = Record<string, unknown>>(method: string, args: object = {}): Promise<R> {
    this.client ??= new DaemonClient({ socketPath: socketPathFromHost(this.host) });
    return this.client.call(method, args) as Promise<R>;
  }

  async close(): Promise<void> {
    this.client?.close();
  }
}
