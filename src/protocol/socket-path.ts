import { dirname, join } from 'node:path';

/** The daemon's default listen socket. */
export const defaultDaemonSocket = '/run/kukeon/kukeond.sock';

export interface DaemonSocketSources {
  /** `KUKEOND_SOCKET` from the environment. */
  envSocket?: string;
  /** `spec.socket` of the ServerConfiguration, for the verbs that load it. */
  serverConfigSocket?: string;
  /** `--run-path` / `KUKEON_RUN_PATH`, only when given explicitly. */
  explicitRunPath?: string;
}

/**
 * The path the daemon *listens* on, for commands that manage it (`init`, `daemon *`,
 * `uninstall`, `status`): env, then server configuration, then `<run-path>/kukeond.sock` for an
 * explicit run path, then the default.
 */
export function resolveDaemonListenSocket(sources: DaemonSocketSources): string {
  if (sources.envSocket) return sources.envSocket;
  if (sources.serverConfigSocket) return sources.serverConfigSocket;
  if (sources.explicitRunPath) return join(sources.explicitRunPath, 'kukeond.sock');
  return defaultDaemonSocket;
}

/** The pid file always sits next to the socket. */
export function daemonPidFilePath(socketPath: string): string {
  return join(dirname(socketPath), 'kukeond.pid');
}
