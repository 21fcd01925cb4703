import { createWriteStream, fstatSync, type WriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { ContainerdClient } from '../../containerd/index.js';
import type { Logger } from '../../log.js';
import { closeTerminalFds, openTerminalFds } from '../../runner/cell/terminal-files.js';
import type { TerminalFds, TerminalTask } from '../../runner/terminal-host.js';
import { LogTimeIndex } from '../../store/log-time-index.js';
import { Scrollback } from './scrollback.js';
import { withoutTerminalQueries } from './terminal-queries.js';

/** One attached client, as the session sees it. */
export interface SessionClient {
  output(chunk: Buffer): void;
  /** The workload ended (its terminal closed); `exitStatus` undefined when containerd did not say. */
  ended(exitStatus: number | undefined): void;
}

export interface TerminalSessionOptions {
  containerd: ContainerdClient;
  logger: Logger;
  scrollbackBytes: number;
  /** Called once when the terminal closed (workload exit) — not on close(). */
  onEnded?: (session: TerminalSession) => void;
}

/**
 * The daemon's side of one attachable container's terminal: reads what the pty prints (through
 * the stdout FIFO the shim writes), appends it to the capture file, keeps a bounded scrollback,
 * fans it out to every attached client, and writes their input to the stdin FIFO. It lives as
 * long as the task, not as long as any client; a daemon restart re-opens the FIFOs (the shim
 * keeps its own ends open meanwhile, so the workload only blocks once 64 KiB are unread).
 */
export class TerminalSession {
  readonly key: string;
  readonly task: TerminalTask;
  private readonly out: Socket;
  private readonly input: Socket;
  private readonly capture: WriteStream;
  /** When each part of the capture was written (`kuke log --since`). */
  private readonly times: LogTimeIndex;
  private readonly scrollback: Scrollback;
  private readonly clients = new Set<SessionClient>();
  private readonly options: TerminalSessionOptions;
  private state: 'open' | 'ended' | 'closed' = 'open';
  private lastSize: { cols: number; rows: number } | undefined;

  private constructor(
    task: TerminalTask,
    fds: TerminalFds,
    scrollback: Scrollback,
    options: TerminalSessionOptions,
  ) {
    this.task = task;
    this.key = sessionKey(task);
    this.options = options;
    this.scrollback = scrollback;
    this.capture = createWriteStream(task.files.capture, { flags: 'a', mode: 0o640 });
    this.times = new LogTimeIndex(task.files.capture);
    this.capture.on('error', (err) =>
      options.logger.warn({ err, container: task.containerdId }, 'capture write failed'),
    );
    this.out = new Socket({ fd: fds.stdout, readable: true, writable: false });
    this.input = new Socket({ fd: fds.stdin, readable: false, writable: true });
    this.input.on('error', (err) =>
      options.logger.debug({ err, container: task.containerdId }, 'terminal input error'),
    );
    this.out.on('data', (chunk: Buffer) => this.onOutput(chunk));
    this.out.on('error', (err) =>
      options.logger.debug({ err, container: task.containerdId }, 'terminal output error'),
    );
    // EOF: every writer of the stdout FIFO is gone, i.e. the shim closed the pty (workload ended).
    this.out.on('end', () => void this.onEnd());
  }

  /** A task the runner just created: the runner's fds, an empty scrollback. */
  static adopt(task: TerminalTask, fds: TerminalFds, options: TerminalSessionOptions): TerminalSession {
    return new TerminalSession(task, fds, new Scrollback(options.scrollbackBytes), options);
  }

  /** A task that already runs (daemon restart, or started without a daemon): re-open the FIFOs. */
  static async reopen(task: TerminalTask, options: TerminalSessionOptions): Promise<TerminalSession> {
    const scrollback = new Scrollback(options.scrollbackBytes);
    scrollback.push(await captureTail(task.files.capture, options.scrollbackBytes));
    const fds = await openTerminalFds(task.files);
    try {
      return new TerminalSession(task, fds, scrollback, options);
    } catch (err) {
      closeTerminalFds(fds);
      throw err;
    }
  }

  get ended(): boolean {
    return this.state !== 'open';
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Adds a client: it first gets the scrollback, then live output. */
  attach(client: SessionClient): void {
    if (this.state !== 'open') {
      client.ended(undefined);
      return;
    }
    // Old terminal queries would be answered again by the new client's terminal (docs/attach.md).
    const replay = withoutTerminalQueries(this.scrollback.snapshot());
    if (replay.length) client.output(replay);
    this.clients.add(client);
  }

  detach(client: SessionClient): void {
    this.clients.delete(client);
  }

  write(data: Buffer): void {
    if (this.state === 'open' && data.length) this.input.write(data);
  }

  /** Window size of the pty (the latest request wins, as with tmux's "latest" policy). */
  async resize(cols: number, rows: number): Promise<void> {
    if (this.state !== 'open' || cols <= 0 || rows <= 0) return;
    this.lastSize = { cols, rows };
    try {
      await this.options.containerd.tasks.resizePty(this.task.namespace, this.task.containerdId, {
        width: cols,
        height: rows,
      });
    } catch (err) {
      this.options.logger.debug({ err, container: this.task.containerdId }, 'resize failed');
    }
  }

  get size(): { cols: number; rows: number } | undefined {
    return this.lastSize;
  }

  /** Daemon shutdown or a replaced task: let go of the FIFOs; the workload is not touched. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.out.destroy();
    this.input.destroy();
    this.capture.end();
    this.times.close();
    this.clients.clear();
  }

  private onOutput(chunk: Buffer): void {
    this.capture.write(chunk, (err) => {
      // WriteStream has the fd at run time; @types/node does not declare it.
      const fd = (this.capture as unknown as { fd: number | null }).fd;
      if (err || typeof fd !== 'number') return;
      try {
        // Size first, then the time: every byte before `size` was written at or before `at`.
        const size = fstatSync(fd).size;
        this.times.record(size, Date.now());
      } catch {
        // the capture went away with its cell
      }
    });
    this.scrollback.push(chunk);
    for (const c of this.clients) c.output(chunk);
  }

  private async onEnd(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'ended';
    this.input.destroy();
    this.out.destroy();
    this.capture.end();
    this.times.close();
    let status: number | undefined;
    try {
      const exit = await this.options.containerd.tasks.wait(this.task.namespace, this.task.containerdId, {
        deadlineMs: 2_000,
      });
      status = exit.exit_status;
    } catch {
      status = undefined;
    }
    for (const c of this.clients) c.ended(status);
    this.clients.clear();
    this.options.onEnded?.(this);
  }
}

export function sessionKey(task: { namespace: string; containerdId: string }): string {
  return `${task.namespace}/${task.containerdId}`;
}

/** The last `bytes` of the capture file (empty when there is none yet). */
async function captureTail(path: string, bytes: number): Promise<Buffer> {
  try {
    const size = (await stat(path)).size;
    const length = Math.min(size, bytes);
    if (length === 0) return Buffer.alloc(0);
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, size - length);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}
