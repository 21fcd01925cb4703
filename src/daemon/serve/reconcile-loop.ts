import type { Logger } from '../../log.js';

/**
 * Runs `tick` now and then every `intervalMs` after the previous tick *finished*, so ticks never
 * overlap however long one takes. `stop()` cancels the next tick and waits for a running one.
 * `full` tells the tick whether it is a scheduled one (or a kick that asked for a full pass) or a
 * kick from a task event, which only concerns cells.
 */
export class ReconcileLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private ticks = 0;
  private kicked = false;
  private kickedFull = false;
  /** When the last full tick started: a full one is owed once an interval has passed. */
  private lastFullAt = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: (n: number, full: boolean) => Promise<void>,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) {
      this.log.info('reconcile loop disabled');
      return;
    }
    this.log.info({ interval_ms: this.intervalMs }, 'starting reconcile loop');
    this.runOnce(true);
  }

  /**
   * Whether a full tick is overdue. Kicks that arrive during every tick (a steady beat of task
   * exits, e.g. a crash-looping cell) would otherwise chain cells-only ticks forever, and the
   * space pass and the sweep would never run (docs/daemon.md).
   */
  private fullOverdue(): boolean {
    return Date.now() - this.lastFullAt >= this.intervalMs;
  }

  private runOnce(full: boolean): void {
    if (this.stopped) return;
    if (full) this.lastFullAt = Date.now();
    const n = ++this.ticks;
    this.running = this.tick(n, full)
      .catch((err: unknown) => this.log.error({ err, tick: n }, 'reconcile tick failed'))
      .finally(() => {
        this.running = undefined;
        const kicked = this.kicked;
        const nextFull = !kicked || this.kickedFull || this.fullOverdue();
        this.kicked = false;
        this.kickedFull = false;
        if (!this.stopped)
          this.timer = setTimeout(() => this.runOnce(nextFull), kicked ? 0 : this.intervalMs);
      });
  }

  /**
   * Runs a tick as soon as possible (a containerd task-exit event, a containerd reconnect) instead
   * of waiting for the interval; still never overlapping: a kick during a tick runs the next one
   * right after it.
   */
  kick(options: { full?: boolean } = {}): void {
    if (this.stopped || this.intervalMs <= 0 || this.ticks === 0) return;
    if (this.running) {
      this.kicked = true;
      this.kickedFull ||= options.full === true;
      return;
    }
    clearTimeout(this.timer);
    this.runOnce(options.full === true || this.fullOverdue());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
