import { KukeonError } from '../errors.js';
import { fromErrEnvelope } from '../protocol/error-envelope.js';
import { clientErrorCodes } from './daemon-client-errors.js';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What a call's matched reply settles it with: the `result` object, or the transport error
 * (`error` set) or the daemon's application error (`result.Err`, a DaemonReplyError).
 */
export function replyOutcome(
  response: Record<string, unknown>,
): { result: Record<string, unknown> } | { error: KukeonError } {
  if (typeof response.error === 'string' && response.error !== '')
    return { error: new KukeonError(clientErrorCodes.transport, response.error) };
  const result = isObject(response.result) ? response.result : {};
  if (result.Err !== null && result.Err !== undefined) return { error: fromErrEnvelope(result.Err, result) };
  return { result };
}
