import type { HostConfig } from '../../config.js';
import { KukeonError } from '../../errors.js';
import type { KukeonApi } from './kukeon-api.js';

/** The handler table's shape as this file uses it (`src/daemon/methods`). */
type HandlerTable = Record<string, ((args: unknown) => Promise<unknown>) | undefined>;

export interface InProcessParts {
  handlers: HandlerTable;
  close(): Promise<void> | void;
}

/** Builds runner + controller + handler table; replaced in unit tests. */
export type InProcessFactory = (config: HostConfig) => Promise<InProcessParts>;

/**
 * The daemon's handler table in this process (spec 03 §2.6 in-process mode): the same
 * controller code against `--run-path` and `--containerd-socket`. The runner is opened on the
 * first call, so commands that fail validation never touch containerd.
 */
export class InProcessApi implements KukeonApi {
  readonly mode = 'in-process' as const;
  private parts: Promise<InProcessParts> | undefined;

  constructor(
    private readonly config: HostConfig,
    private readonly factory: InProcessFactory,
  ) {}

  async call<R = Record<string, unknown>>(method: string, args: object = {}): Promise<R> {
    this.parts ??= this.factory(this.config);
    const { handlers } = await this.parts;
    const handler = handlers[method];
    if (typeof handler !== 'function') {
      // The daemon's transport text for a method it does not offer.
      throw new KukeonError('RPC_TRANSPORT', `rpc: can't find method KukeonV1.${method}`);
    }
    return (await handler(args)) as R;
  }

  async close(): Promise<void> {
    const parts = this.parts;
    this.parts = undefined;
    if (parts) await (await parts.catch(() => undefined))?.close();
  }
}
