import type { HostConfig } from '../../config.js';
import type { AnyMethodName, MethodArgs, MethodHandlers, MethodReply } from '../../protocol/method-types.js';
import type { KukeonApi } from './kukeon-api.js';

export interface InProcessParts {
  handlers: MethodHandlers;
  close(): Promise<void> | void;
}

/** Builds runner + controller + handler table; replaced in unit tests. */
export type InProcessFactory = (config: HostConfig) => Promise<InProcessParts>;

/**
 * The daemon's handler table in this process (in-process mode): the same
 * controller code against `--run-path` and `--containerd-socket`. The runner is opened on the
 * first call, so commands that fail validation never touch containerd. Errors come back as the
 * daemon would send them (`callHandler`: same code, Kind and message).
 */
export class InProcessApi implements KukeonApi {
  readonly mode = 'in-process' as const;
  private parts: Promise<InProcessParts> | undefined;

  constructor(
    private readonly config: HostConfig,
    private readonly factory: InProcessFactory,
  ) {}

  async call<M extends AnyMethodName>(method: M, args: MethodArgs<M>): Promise<MethodReply<M>> {
    this.parts ??= this.factory(this.config);
    const { handlers } = await this.parts;
    const { callHandler } = await import('../../daemon/methods/call-handler.js');
    return callHandler(handlers, method, args);
  }

  async close(): Promise<void> {
    const parts = this.parts;
    this.parts = undefined;
    if (parts) await (await parts.catch(() => undefined))?.close();
  }
}
