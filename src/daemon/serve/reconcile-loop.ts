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

  private runOnce(full: boolean): void {
    if (this.stopped) return;
    const n = ++this.ticks;
    this.running = this.tick(n, full)
      .catch((err: unknown) => this.log.error({ err, tick: n }, 'reconcile tick failed'))
      .finally(() => {
        this.running = undefined;
        const kicked = this.kicked;
        const nextFull = !kicked || this.kickedFull;
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
    this.runOnce(options.full === true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
