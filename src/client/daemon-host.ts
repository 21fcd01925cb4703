import { KukeonError } from '../errors.js';

/** Where the client finds the daemon: `--host` / `KUKEON_HOST`. */
export const defaultDaemonHost = 'unix:///run/kukeon/kukeond.sock';

export const UNSUPPORTED_HOST_SCHEME = 'UNSUPPORTED_HOST_SCHEME';

/** Go `%q` for the ASCII cases that matter here. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** The unix socket path of a `--host` value; other schemes fail with the spec's texts. */
export function socketPathFromHost(host: string): string {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    if (path === '') {
      throw new KukeonError(UNSUPPORTED_HOST_SCHEME, 'unsupported kukeon host scheme: unix path is empty');
    }
    return path;
  }
  if (host.startsWith('ssh://')) {
    throw new KukeonError(
      UNSUPPORTED_HOST_SCHEME,
      'unsupported kukeon host scheme: ssh transport not yet implemented',
    );
  }
  throw new KukeonError(
    UNSUPPORTED_HOST_SCHEME,
    `unsupported kukeon host scheme: ${goQuote(host)} (expected unix:// or ssh://)`,
  );
}
