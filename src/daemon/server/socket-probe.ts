import { lstat } from 'node:fs/promises';
import { connect } from 'node:net';
import { KukeonError } from '../../errors.js';
import { SERVICE_NAME, encodeFrame } from '../../protocol/wire.js';

/**
 * What sits at a socket path before we listen there:
 * - `absent`: nothing;
 * - `stale`: a socket file nobody listens on (left by a SIGKILLed daemon) — safe to remove;
 * - `live`: something accepted a connection (`version` set when it answered Ping) — never touch;
 * - `not-socket`: some other file — not ours to delete.
 */
export type SocketProbe =
  { state: 'absent' } | { state: 'stale' } | { state: 'live'; version?: string } | { state: 'not-socket' };

export const SOCKET_PROBE_FAILED = 'SOCKET_PROBE_FAILED';

export async function probeSocket(path: string, timeoutMs: number): Promise<SocketProbe> {
  try {
    if (!(await lstat(path)).isSocket()) return { state: 'not-socket' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw err;
  }
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    let connected = false;
    const done = (probe: SocketProbe | Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (probe instanceof Error) reject(probe);
      else resolve(probe);
    };
    // Accepted but silent (or not kukeond): still someone's live socket. Not even accepted in
    // time: we cannot tell, and a socket we cannot tell about is never removed.
    const timer = setTimeout(
      () =>
        done(
          connected
            ? { state: 'live' }
            : new KukeonError(SOCKET_PROBE_FAILED, `probe ${path}: connect timed out after ${timeoutMs}ms`),
        ),
      timeoutMs,
    );
    socket.on('connect', () => {
      connected = true;
      socket.write(encodeFrame({ method: `${SERVICE_NAME}.Ping`, params: [{}], id: 1 }));
    });
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end < 0) return;
      let version: unknown;
      try {
        version = (JSON.parse(text.slice(0, end)) as { result?: { Version?: unknown } }).result?.Version;
      } catch {
        // Not a kukeonv1 answer: live all the same.
      }
      done({ state: 'live', version: typeof version === 'string' ? version : undefined });
    });
    socket.on('end', () => done({ state: 'live' }));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (connected) return done({ state: 'live' });
      if (err.code === 'ENOENT') return done({ state: 'absent' });
      if (err.code === 'ECONNREFUSED') return done({ state: 'stale' });
      done(new KukeonError(SOCKET_PROBE_FAILED, `probe ${path}: ${err.message}`, { cause: err }));
    });
  });
}
