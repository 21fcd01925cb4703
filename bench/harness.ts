import { performance } from 'node:perf_hooks';

/** Runs `fn` `runs` times (after `warmup` unmeasured runs) and returns each duration in ms. */
export async function timeRuns(
  runs: number,
  fn: (i: number) => Promise<void>,
  warmup = 1,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface BenchRow {
  what: string;
  /** Our figure (median ms). */
  ours: number[];
  /** Reference figures by name (median ms), e.g. { ctr: [...], podman: [...] }. */
  refs: Record<string, number[] | undefined>;
  /** Target ratio ours/ref per reference name, printed beside the measured ratio. */
  targets?: Record<string, number>;
  /** Unit of the figures (default ms), e.g. MB for memory rows. */
  unit?: string;
}

/** Prints one comparison row: medians side by side and the ratio to each reference. */
export function printRow(row: BenchRow): void {
  const ours = median(row.ours);
  const unit = row.unit ?? 'ms';
  const parts = [`${row.what.padEnd(44)} kukeon-ts ${ours.toFixed(1).padStart(8)} ${unit}`];
  for (const [name, xs] of Object.entries(row.refs)) {
    if (!xs || xs.length === 0) {
      parts.push(`${name}: n/a`);
      continue;
    }
    const ref = median(xs);
    const target = row.targets?.[name];
    const ratio = ours / ref;
    const verdict =
      target === undefined
        ? ''
        : ratio <= target
          ? ` (target ≤${target}× met)`
          : ` (target ≤${target}× MISSED)`;
    parts.push(`${name} ${ref.toFixed(1).padStart(8)} ${unit}  ratio ${ratio.toFixed(2)}×${verdict}`);
  }
  process.stdout.write(parts.join(' | ') + `   [n=${row.ours.length}]\n`);
}
