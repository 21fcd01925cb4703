import type { Logger } from '../../log.js';

/**
 * Runs `tick` now and then every `intervalMs` after the previous tick *finished*, so ticks never
 * overlap however long one takes. `stop()` cancels the next tick and waits for a running one.
 */
export class ReconcileLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private ticks = 0;
  private kicked = false;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: (n: number) => Promise<void>,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) {
      this.log.info('reconcile loop disabled');
      return;
    }
    this.log.info({ interval_ms: this.intervalMs }, 'starting reconcile loop');
    this.runOnce();
  }

  private runOnce(): void {
    if (this.stopped) return;
    const n = ++this.ticks;
    this.running = this.tick(n)
      .catch((err: unknown) => this.log.error({ err, tick: n }, 'reconcile tick failed'))
      .finally(() => {
        this.running = undefined;
        const delay = this.kicked ? 0 : this.intervalMs;
        this.kicked = false;
        if (!this.stopped) this.timer = setTimeout(() => this.runOnce(), delay);
      });
  }

  /**
   * Runs a tick as soon as possible (a containerd task-exit event, a containerd reconnect) instead
   * of waiting for the interval; still never overlapping: a kick during a tick runs the next one
   * right after it.
   */
  kick(): void {
    if (this.stopped || this.intervalMs <= 0 || this.ticks === 0) return;
    if (this.running) {
      this.kicked = true;
      return;
    }
    clearTimeout(this.timer);
    this.runOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
