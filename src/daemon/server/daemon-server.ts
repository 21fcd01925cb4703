import { chmod, chown, link, mkdir, mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { daemonPidFilePath } from '../../protocol/socket-path.js';
import { KukeonError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { KeyedMutex } from '../../store/keyed-mutex.js';
import type { MethodRegistry } from '../rpc/method-registry.js';
import type { RpcLimits } from '../rpc/rpc-limits.js';
import { RpcServer, type StreamProtocol } from '../rpc/rpc-server.js';
import { removePidFileIfOwned, writePidFile } from './pid-file.js';
import { defaultSocketGroup, lookupGroupGid } from './socket-group.js';
import { probeSocket } from './socket-probe.js';

export const DAEMON_ALREADY_RUNNING = 'DAEMON_ALREADY_RUNNING';
export const DAEMON_SOCKET_PATH_OCCUPIED = 'DAEMON_SOCKET_PATH_OCCUPIED';
export const DAEMON_SOCKET_PATH_TOO_LONG = 'DAEMON_SOCKET_PATH_TOO_LONG';

const MAX_SOCKET_PATH_BYTES = 107;

export interface DaemonServerOptions {
  /** Where clients connect (`--socket`). */
  socketPath: string;
  registry: MethodRegistry;
  logger: Logger;
  /** `--socket-gid`: > 0 gives the socket to this group with mode 0660. */
  socketGid?: number;
  /** Without `socketGid`: the group looked up in `groupFile`; 0660 to it when it exists, else 0600. */
  socketGroup?: string;
  groupFile?: string;
  limits?: Partial<RpcLimits>;
  /** How long shutdown waits for running requests before dropping them. */
  drainTimeoutMs?: number;
  /** How long to wait for a peer's Ping answer when a socket file is already there. */
  probeTimeoutMs?: number;
  /** Per-resource locks handed to handlers as `ctx.locks` (share the controller's instance). */
  locks?: KeyedMutex;
  /** The attach stream, served on the same socket (see RpcServer's `stream`). */
  stream?: StreamProtocol;
}

/** What `start()` set up, for logs and tests. */
export interface DaemonServerInfo {
  socketPath: string;
  pidFile: string;
  mode: number;
  gid: number | undefined;
}

/**
 * The daemon's socket lifecycle around the RPC server.
 *
 * start(): refuse when a live peer owns the socket (connect + Ping) and remove a stale one; listen
 * inside a fresh 0700 directory next to the socket, set mode and group there, hard-link the socket
 * to its public path, drop the private name and write the pid file. So the socket is never
 * reachable with a wrong mode (the private directory blocks everyone else), it appears only once
 * accepting (readiness = socket present), and `link()` refuses to replace a file another daemon
 * published in the meantime, so two racing daemons cannot steal each other's socket. We avoid
 * `umask`: it is process-wide and would race with the store's file writes.
 *
 * stop(): unlink the public socket (if still ours), stop accepting, let running requests answer
 * (bounded by drainTimeoutMs), close connections, remove the pid file (if still ours).
 */
export class DaemonServer {
  readonly socketPath: string;
  readonly pidFile: string;
  private readonly options: DaemonServerOptions;
  private readonly logger: Logger;
  private rpc: RpcServer | undefined;
  private socketIno: number | undefined;
  private stopping: Promise<void> | undefined;
  private starting: Promise<DaemonServerInfo> | undefined;

  constructor(options: DaemonServerOptions) {
    this.options = options;
    this.socketPath = options.socketPath;
    this.pidFile = daemonPidFilePath(options.socketPath);
    this.logger = options.logger;
  }

  /** Requests running right now (0 when not started). */
  get pendingRequests(): number {
    return this.rpc?.pendingRequests ?? 0;
  }

  get connectionCount(): number {
    return this.rpc?.connectionCount ?? 0;
  }

  /**
   * Publishes the socket. Install the signal handlers first: a stop() that arrives while starting
   * waits for the start to finish and then shuts down cleanly.
   */
  start(): Promise<DaemonServerInfo> {
    if (this.starting) throw new Error('DaemonServer.start() called twice');
    this.starting = this.publish();
    return this.starting;
  }

  private async publish(): Promise<DaemonServerInfo> {
    const dir = dirname(this.socketPath);
    // sun_path holds 108 bytes including the NUL; the private path is `<dir>/.kXXXXXX/s`.
    const longest = Math.max(
      Buffer.byteLength(this.socketPath),
      Buffer.byteLength(join(dir, '.kXXXXXX', 's')),
    );
    if (longest > MAX_SOCKET_PATH_BYTES) {
      throw new KukeonError(
        DAEMON_SOCKET_PATH_TOO_LONG,
        `socket path ${this.socketPath} is too long: unix socket paths are limited to ${MAX_SOCKET_PATH_BYTES} bytes`,
      );
    }
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await this.clearSocketPath();

    const gid = await this.socketGroupGid();
    const mode = gid === undefined ? 0o600 : 0o660;
    // mkdtemp creates the directory 0700; the short name keeps the private path no longer than
    // the public one (unix socket paths are limited to 107 bytes).
    const privateDir = await mkdtemp(join(dir, '.k'));
    const privateSocket = join(privateDir, 's');
    const rpc = new RpcServer({
      registry: this.options.registry,
      logger: this.logger,
      limits: this.options.limits,
      locks: this.options.locks,
      stream: this.options.stream,
    });
    try {
      await rpc.listen(privateSocket);
      if (gid !== undefined) {
        try {
          await chown(privateSocket, process.getuid?.() ?? 0, gid);
        } catch (err) {
          this.logger.warn({ err, gid }, 'failed to chown daemon socket; continuing');
        }
      }
      await chmod(privateSocket, mode);
      try {
        await link(privateSocket, this.socketPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        throw new KukeonError(
          DAEMON_ALREADY_RUNNING,
          `kukeond is already running: another daemon published ${this.socketPath} while this one was starting`,
        );
      }
      this.socketIno = (await stat(this.socketPath)).ino;
      await rm(privateDir, { recursive: true, force: true });
      // Only now: a daemon that lost the race above must not overwrite the winner's pid file.
      await writePidFile(this.pidFile);
    } catch (err) {
      await removePidFileIfOwned(this.pidFile);
      await rpc.drain(0);
      throw err;
    } finally {
      // The listener keeps working through the public link; the private name goes.
      await rm(privateDir, { recursive: true, force: true });
    }
    this.rpc = rpc;
    this.logger.info({ socket: this.socketPath, mode: `0${mode.toString(8)}`, gid }, 'kukeond listening');
    return { socketPath: this.socketPath, pidFile: this.pidFile, mode, gid };
  }

  /** Idempotent; concurrent calls share one shutdown. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const rpc = this.rpc;
    if (!rpc) return;
    await this.removeOwnSocket();
    const pending = rpc.pendingRequests;
    if (pending > 0) this.logger.info({ pending }, 'draining in-flight requests');
    const abandoned = await rpc.drain(this.options.drainTimeoutMs ?? 30_000);
    if (abandoned > 0) this.logger.warn({ abandoned }, 'drain timed out; requests abandoned');
    await removePidFileIfOwned(this.pidFile);
    this.rpc = undefined;
  }

  /** Leaves the path free for us, or throws when it belongs to someone else. */
  private async clearSocketPath(): Promise<void> {
    const probe = await probeSocket(this.socketPath, this.options.probeTimeoutMs ?? 2_000);
    switch (probe.state) {
      case 'absent':
        return;
      case 'stale':
        this.logger.warn({ socket: this.socketPath }, 'removing stale daemon socket (no listener)');
        await unlink(this.socketPath).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
        return;
      case 'live':
        throw new KukeonError(
          DAEMON_ALREADY_RUNNING,
          probe.version === undefined
            ? `refusing to start: another process is listening on ${this.socketPath}`
            : `kukeond is already running on ${this.socketPath} (version ${probe.version})`,
        );
      case 'not-socket':
        throw new KukeonError(
          DAEMON_SOCKET_PATH_OCCUPIED,
          `refusing to start: ${this.socketPath} exists and is not a socket`,
        );
    }
  }

  private async socketGroupGid(): Promise<number | undefined> {
    const explicit = this.options.socketGid;
    if (explicit !== undefined && explicit > 0) return explicit;
    return lookupGroupGid(this.options.socketGroup ?? defaultSocketGroup, this.options.groupFile);
  }

  private async removeOwnSocket(): Promise<void> {
    try {
      if ((await stat(this.socketPath)).ino !== this.socketIno) return;
      await unlink(this.socketPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
