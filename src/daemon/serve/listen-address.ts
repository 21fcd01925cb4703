import type { Server } from 'node:http';
import { KukeonError } from '../../errors.js';

export const LISTEN_ADDRESS_INVALID = 'LISTEN_ADDRESS_INVALID';

/**
 * `host:port` (or `[v6]:port`) of an HTTP endpoint of kukeond. The host is required: a bare
 * `:9100` would listen on every address, and kukeond only binds where it is told to (write
 * `0.0.0.0:9100` to mean that).
 */
export function parseListenAddress(flag: string, text: string): { host: string; port: number } {
  const bad = (why: string) =>
    new KukeonError(LISTEN_ADDRESS_INVALID, `invalid ${flag} ${JSON.stringify(text)}: ${why}`);
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) throw bad('want host:port (127.0.0.1:9100, [::1]:9100)');
  const host = m[1] ?? m[2];
  const port = Number(m[3]);
  if (!host) throw bad('the host is required (127.0.0.1 for this machine only, 0.0.0.0 for every address)');
  if (port > 65535) throw bad('the port must be at most 65535');
  return { host, port };
}

/**
 * Starts `server` listening on host:port and answers the address actually bound
 * (`127.0.0.1:41234` when port 0 was asked, `[::1]:9100` for IPv6); a bind error rejects.
 */
export async function listenOn(server: Server, host: string, port: number): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  return bound && typeof bound === 'object'
    ? `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`
    : `${host}:${port}`;
}
