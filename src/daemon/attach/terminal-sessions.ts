import type { ContainerdClient } from '../../containerd/index.js';
import type { Logger } from '../../log.js';
import { closeTerminalFds } from '../../runner/cell/terminal-files.js';
import type { TerminalFds, TerminalHost, TerminalTask } from '../../runner/terminal-host.js';
import { sessionKey, TerminalSession } from './terminal-session.js';

/** Scrollback kept per session and replayed on attach. */
export const DEFAULT_SCROLLBACK_BYTES = 64 * 1024;

export interface TerminalSessionsOptions {
  containerd: ContainerdClient;
  logger: Logger;
  scrollbackBytes?: number;
}

/**
 * Every attach session of the daemon, one per running attachable container. The runner hands new
 * terminal tasks over (TerminalHost); tasks that were already running when the daemon started are
 * re-opened by `ensure` (startup recovery and every attach). A session leaves the table when its
 * workload ends.
 */
export class TerminalSessions implements TerminalHost {
  private readonly sessions = new Map<string, TerminalSession>();
  private readonly opening = new Map<string, Promise<TerminalSession>>();
  private readonly options: TerminalSessionsOptions;
  private closed = false;

  constructor(options: TerminalSessionsOptions) {
    this.options = options;
  }

  get size(): number {
    return this.sessions.size;
  }

  get(task: { namespace: string; containerdId: string }): TerminalSession | undefined {
    return this.sessions.get(sessionKey(task));
  }

  async taskCreated(task: TerminalTask, fds: TerminalFds): Promise<void> {
    if (this.closed) {
      closeTerminalFds(fds);
      return;
    }
    const key = sessionKey(task);
    // A new task of the same container replaces whatever was left of the previous one.
    this.sessions.get(key)?.close();
    this.sessions.set(key, TerminalSession.adopt(task, fds, this.sessionOptions()));
  }

  /** The live session of a running terminal task, re-opening its FIFOs when the daemon has none. */
  async ensure(task: TerminalTask): Promise<TerminalSession> {
    const key = sessionKey(task);
    const existing = this.sessions.get(key);
    if (existing && !existing.ended) return existing;
    const pending = this.opening.get(key);
    if (pending) return pending;
    const opening = TerminalSession.reopen(task, this.sessionOptions()).then(
      (session) => {
        this.opening.delete(key);
        if (this.closed) {
          session.close();
          return session;
        }
        this.sessions.get(key)?.close();
        this.sessions.set(key, session);
        return session;
      },
      (err: unknown) => {
        this.opening.delete(key);
        throw err;
      },
    );
    this.opening.set(key, opening);
    return opening;
  }

  /** Daemon shutdown: let go of every FIFO; the workloads keep running. */
  closeAll(): void {
    this.closed = true;
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }

  private sessionOptions() {
    return {
      containerd: this.options.containerd,
      logger: this.options.logger,
      scrollbackBytes: this.options.scrollbackBytes ?? DEFAULT_SCROLLBACK_BYTES,
      onEnded: (s: TerminalSession) => {
        if (this.sessions.get(s.key) === s) this.sessions.delete(s.key);
      },
    };
  }
}
