import { lstat } from 'node:fs/promises';
import { DaemonClient } from '../../client/daemon-client.js';
import { clientErrorCodes } from '../../client/daemon-client-errors.js';
import { hasCode } from '../../errors.js';

/**
 * What sits at a socket path before we listen there:
 * - `absent`: nothing;
 * - `stale`: a socket file nobody listens on (left by a SIGKILLed daemon) — safe to remove;
 * - `live`: something accepted a connection (`version` set when it answered Ping) — never touch;
 * - `not-socket`: some other file — not ours to delete.
 */
export type SocketProbe =
  { state: 'absent' } | { state: 'stale' } | { state: 'live'; version?: string } | { state: 'not-socket' };

export async function probeSocket(path: string, timeoutMs: number): Promise<SocketProbe> {
  try {
    if (!(await lstat(path)).isSocket()) return { state: 'not-socket' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw err;
  }
  const client = new DaemonClient({
    socketPath: path,
    connectTimeoutMs: timeoutMs,
    callTimeoutMs: timeoutMs,
  });
  try {
    const reply = await client.ping();
    return { state: 'live', version: typeof reply.Version === 'string' ? reply.Version : undefined };
  } catch (err) {
    if (hasCode(err, clientErrorCodes.daemonNotRunning)) {
      const errno = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
      return errno === 'ENOENT' ? { state: 'absent' } : { state: 'stale' };
    }
    if (hasCode(err, clientErrorCodes.permissionDenied) || hasCode(err, clientErrorCodes.dialFailed))
      throw err;
    // It accepted the connection but did not answer as kukeond would: still someone's live socket.
    return { state: 'live' };
  } finally {
    client.close();
  }
}
