import { performance } from 'node:perf_hooks';
import type { Logger } from '../../log.js';
import type { KeyedMutex } from '../../store/keyed-mutex.js';
import { KukeonError } from '../../errors.js';
import { toErrEnvelope } from '../../protocol/error-envelope.js';
import type { MethodRegistry } from './method-registry.js';
import { transportErrorText, type RpcResponse } from '../../protocol/wire.js';

/**
 * A handler that has a partial result to report next to its error throws this: the reply keeps
 * `reply`'s fields and `Err` describes `cause` (partial results are still filled).
 */
export class PartialReplyError extends KukeonError {
  readonly reply: object;

  constructor(reply: object, cause: unknown) {
    const inner = cause instanceof KukeonError ? cause : undefined;
    super(inner?.code ?? 'UNKNOWN', cause instanceof Error ? cause.message : String(cause), { cause });
    this.reply = reply;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function transportFailure(id: unknown, error: string): RpcResponse {
  return { id, result: null, error };
}

/**
 * Runs one decoded request object against the registry and builds the response. Never throws:
 * malformed requests and handler failures all become a response.
 */
export async function dispatchRequest(
  registry: MethodRegistry,
  request: unknown,
  base: { connectionId: number; logger: Logger; locks: KeyedMutex },
): Promise<RpcResponse> {
  if (!isPlainObject(request))
    return transportFailure(null, transportErrorText.cannotDecode('request is not an object'));
  const id = request.id === undefined ? null : request.id;
  if (typeof request.method !== 'string') {
    return transportFailure(id, transportErrorText.cannotDecode('method must be a string'));
  }
  const serviceMethod = request.method;
  const found = registry.lookup(serviceMethod);
  if ('error' in found) return transportFailure(id, found.error);
  const params = request.params;
  if (params === undefined || params === null) return transportFailure(id, transportErrorText.missingParams);
  if (!Array.isArray(params)) {
    return transportFailure(
      id,
      transportErrorText.badParams(serviceMethod, 'params must be a one-element array'),
    );
  }
  // Go decodes params into a [1]any: a missing element is the zero value, extra ones are dropped.
  const raw = params[0] === undefined || params[0] === null ? {} : params[0];
  if (!isPlainObject(raw)) {
    return transportFailure(id, transportErrorText.badParams(serviceMethod, 'args must be an object'));
  }
  let args: unknown = raw;
  if (found.method.parseArgs) {
    try {
      args = found.method.parseArgs(raw);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return transportFailure(id, transportErrorText.badParams(serviceMethod, reason));
    }
  }
  const logger = base.logger.child({ method: serviceMethod, requestId: id, connection: base.connectionId });
  const started = performance.now();
  const took = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    const reply = await found.method.handler(args, {
      method: serviceMethod,
      requestId: id,
      connectionId: base.connectionId,
      logger,
      locks: base.locks,
    });
    logger.debug({ ms: took() }, 'rpc call');
    return { id, result: { ...(isPlainObject(reply) ? reply : {}), Err: null }, error: null };
  } catch (err) {
    // Expected application errors are logged at debug; anything else is a bug.
    if (err instanceof KukeonError) logger.debug({ err, ms: took() }, 'rpc handler failed');
    else logger.error({ err, ms: took() }, 'rpc handler threw a non-kukeon error');
    const partial = err instanceof PartialReplyError ? err.reply : {};
    const cause = err instanceof PartialReplyError ? err.cause : err;
    return { id, result: { ...partial, Err: toErrEnvelope(cause) }, error: null };
  }
}
