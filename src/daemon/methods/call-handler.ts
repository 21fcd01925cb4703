import { fromErrEnvelope, toErrEnvelope } from '../../protocol/error-envelope.js';
import type { AnyMethodName, MethodArgs, MethodHandlers, MethodReply } from '../../protocol/method-types.js';
import { KukeonError } from '../../errors.js';

export const METHOD_NOT_AVAILABLE = 'METHOD_NOT_AVAILABLE';

/**
 * Calls one handler in-process with the same contract as `DaemonClient.call`: resolves with the
 * reply plus `Err: null`, rejects with the DaemonReplyError a remote call would produce (same
 * code, Kind and message), so the CLI handles both modes with one code path.
 */
export async function callHandler<M extends AnyMethodName>(
  handlers: MethodHandlers,
  method: M,
  args: MethodArgs<M>,
): Promise<MethodReply<M> & { Err: null }> {
  const handler = handlers[method] as ((a: MethodArgs<M>) => Promise<MethodReply<M>>) | undefined;
  if (!handler) {
    throw new KukeonError(METHOD_NOT_AVAILABLE, `rpc: can't find method KukeonV1.${method}`);
  }
  try {
    const reply = await handler(args);
    return { ...reply, Err: null };
  } catch (err) {
    throw fromErrEnvelope(toErrEnvelope(err), {});
  }
}
