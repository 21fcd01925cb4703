import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { KukeonError } from '../errors.js';
import { SERVICE_NAME, encodeFrame } from '../protocol/wire.js';
import { clientErrorCodes, connectionLostError } from './daemon-client-errors.js';
import { isObject, replyOutcome } from './reply-outcome.js';

/**
 * A short read-only daemon call as ONE blocking round trip on the daemon's socket, through the
 * native binding (`unixCall`, native/unix-call.c): connect, send the request, read the reply,
 * close. For the `kuke` bin only (docs/bench-cli.md, "The blocking call"): a process that makes
 * one call and exits has nothing else to do meanwhile, and node:net with the stream modules it
 * loads cost more than the call itself. Never in a process that serves the daemon socket too (a
 * test running the CLI in-process would wait on itself).
 */

/** Methods that answer at once from the daemon's state: no long work, no waiting, no stream. */
const BLOCKING_METHODS =
  /^(Ping|Get(Realm|Space|Stack|Cell|Image|Volume|Secret|Blueprint|Config)|List(Realms|Spaces|Stacks|Cells|Images|Volumes|Secrets|Blueprints|Configs))$/;

/** unix(7): sun_path holds 108 bytes with the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

type UnixCall = (path: string, request: string, connectTimeoutMs: number, maxReplyBytes: number) => string;

let loaded: UnixCall | null | undefined;

/**
 * The compiled binding in the kukeon-native package, found along the node_modules directories as
 * `require` would find the package but without its `exports` resolution (which loads more of
 * node's ES loader than the whole call costs).
 */
function bindingPath(load: NodeJS.Require): string {
  for (const dir of load.resolve.paths('kukeon-native') ?? []) {
    const file = join(dir, 'kukeon-native', 'build', 'Release', 'kukeon_native.node');
    if (existsSync(file)) return file;
  }
  throw new Error('kukeon-native: binding not built');
}

/** The binding's unixCall, or null when it cannot be loaded (not built): the caller dials. */
async function unixCall(): Promise<UnixCall | null> {
  if (loaded === undefined) {
    try {
      // The bundle runs as CommonJS with the bin's require (node:module would bring parts of the
      // ES loader along); the tsc output is an ES module without one.
      const load =
        typeof require === 'function'
          ? require
          : (await import('node:module')).createRequire(import.meta.url);
      loaded = (load(bindingPath(load)) as { unixCall?: UnixCall }).unixCall ?? null;
    } catch {
      loaded = null;
    }
  }
  return loaded;
}

/**
 * Calls `method` blocking and resolves with the settled reply, or undefined when this call is not one
 * for the blocking path or it could not be made (no binding, a long path, a JS SIGINT handler
 * that could not run meanwhile, a failed connect, a reply over the limit): the caller then makes
 * it through the DaemonClient, which also gives every dial error its usual text. Nothing was
 * done by the daemon in those cases but (for an over-long reply) a read-only call.
 */
export async function blockingCall(
  socketPath: string,
  method: string,
  args: object,
  options: { connectTimeoutMs: number; maxReplyBytes: number },
): Promise<Record<string, unknown> | undefined> {
  if (!BLOCKING_METHODS.test(method) || process.listenerCount('SIGINT') > 0) return undefined;
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) return undefined;
  const call = await unixCall();
  if (!call) return undefined;
  const serviceMethod = `${SERVICE_NAME}.${method}`;
  let text: string;
  try {
    text = call(
      socketPath,
      encodeFrame({ method: serviceMethod, params: [args], id: 0 }),
      options.connectTimeoutMs,
      options.maxReplyBytes,
    );
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.message.startsWith('connect:') || e.code === 'E2BIG') return undefined;
    return Promise.reject(connectionLostError(err));
  }
  return settle(text);
}

function settle(text: string): Promise<Record<string, unknown>> {
  let response: unknown;
  try {
    response = JSON.parse(text);
  } catch (err) {
    // The peer closed before a whole reply (as the DaemonClient's `unexpected EOF`), or sent
    // a line that is no JSON.
    if (!text.endsWith('\n')) return Promise.reject(connectionLostError());
    return Promise.reject(
      new KukeonError(clientErrorCodes.protocol, `bad reply from kukeond: ${(err as Error).message}`),
    );
  }
  if (!isObject(response)) return Promise.reject(connectionLostError());
  if (response.id !== 0) {
    // Only a stream-level error comes without our id.
    const error = typeof response.error === 'string' ? response.error : 'reply without the call id';
    return Promise.reject(new KukeonError(clientErrorCodes.transport, error));
  }
  const outcome = replyOutcome(response);
  return 'error' in outcome ? Promise.reject(outcome.error) : Promise.resolve(outcome.result);
}
