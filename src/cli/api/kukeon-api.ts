import type { AnyMethodName, MethodArgs, MethodReply } from '../../protocol/method-types.js';

/**
 * What every command talks to: one `call(method, args)` typed by the kukeonv1 method table
 * (`src/protocol/method-types.ts`, docs/daemon-rpc.md): a wrong method name or argument shape
 * does not compile, and a reply has the type the table declares. One implementation dials the
 * daemon, the other runs the same handler table in this process; commands never know which.
 * Failures reject with a KukeonError whose message is the full text the daemon would send.
 */
export interface KukeonApi {
  /** `daemon` or `in-process`, for diagnostics only. */
  readonly mode: 'daemon' | 'in-process';
  call<M extends AnyMethodName>(method: M, args: MethodArgs<M>): Promise<MethodReply<M>>;
  /** Releases the connection / runner. Safe to call twice. */
  close(): Promise<void>;
}
