/**
 * When the ownership sweep runs: on the first full tick, then every `every`th full tick, and on
 * the next full tick after one that had to skip it (requests in flight). Ticks a task event
 * kicked are not full and do not count: counting them let a steady beat of task exits (a
 * restarting cell) land every due tick on a kicked one, so the sweep could be put off for as long
 * as the beat lasted (docs/daemon.md, "Orphan sweep").
 */
export class SweepSchedule {
  private fullTicks = 0;
  private owed = true;

  constructor(private readonly every: number) {}

  /** Whether the tick about to run sweeps. */
  due(full: boolean): boolean {
    if (!full || this.every <= 0) return false;
    this.fullTicks++;
    return this.owed || this.fullTicks % this.every === 0;
  }

  /** After a tick that was due to sweep: whether the sweep actually ran. */
  done(ran: boolean): void {
    this.owed = !ran;
  }
}
