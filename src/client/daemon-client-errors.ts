import { KukeonError } from '../errors.js';

/** Codes of the client's own failures (remote application errors keep the daemon's codes). */
export const clientErrorCodes = {
  /** Socket missing or nobody listening: `kukeond` is not running. */
  daemonNotRunning: 'DAEMON_NOT_RUNNING',
  /** The socket exists but its mode/group refuses us. */
  permissionDenied: 'DAEMON_PERMISSION_DENIED',
  /** Any other dial failure, including the connect timeout. */
  dialFailed: 'DAEMON_DIAL_FAILED',
  /** The connection closed while a call was waiting for its reply. */
  connectionLost: 'DAEMON_CONNECTION_LOST',
  /** No reply within the call's timeout. */
  timeout: 'RPC_TIMEOUT',
  /** The daemon answered with a transport error (`error` field), e.g. an unknown method. */
  transport: 'RPC_TRANSPORT',
  /** The daemon's reply stream could not be decoded. */
  protocol: 'RPC_PROTOCOL',
} as const;

/** Go's errno texts, so messages read like the original's `dial unix …: connect: …`. */
const errnoText: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ECONNREFUSED: 'connection refused',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTSOCK: 'socket operation on non-socket',
  ENOTDIR: 'not a directory',
  ETIMEDOUT: 'i/o timeout',
};

export class DaemonDialError extends KukeonError {
  readonly socketPath: string;

  constructor(code: string, message: string, socketPath: string, cause?: unknown) {
    super(code, message, { cause });
    this.socketPath = socketPath;
  }
}

/**
 * The dial failure as the original prints it:
 * `dial kukeond at <path>: dial unix <path>: connect: no such file or directory`, and for
 * permission errors the `add yourself to the kukeon group` hint before the OS text.
 */
export function dialError(socketPath: string, err: NodeJS.ErrnoException): DaemonDialError {
  const errno = err.code ?? '';
  const osText = `dial unix ${socketPath}: connect: ${errnoText[errno] ?? err.message}`;
  if (errno === 'EACCES' || errno === 'EPERM') {
    return new DaemonDialError(
      clientErrorCodes.permissionDenied,
      `dial kukeond at ${socketPath}: permission denied — add yourself to the kukeon group (sudo usermod -aG kukeon $USER), then log out and back in: ${osText}`,
      socketPath,
      err,
    );
  }
  const notRunning = errno === 'ENOENT' || errno === 'ECONNREFUSED';
  return new DaemonDialError(
    notRunning ? clientErrorCodes.daemonNotRunning : clientErrorCodes.dialFailed,
    `dial kukeond at ${socketPath}: ${osText}`,
    socketPath,
    err,
  );
}

export function connectionLostError(cause?: unknown): KukeonError {
  return new KukeonError(clientErrorCodes.connectionLost, 'unexpected EOF', { cause });
}

export function callTimeoutError(method: string, ms: number): KukeonError {
  return new KukeonError(clientErrorCodes.timeout, `kukeond did not answer ${method} within ${ms}ms`);
}
