// Benchmark: what starting a host tool costs kukeond's event loop. Node's child_process (what
// runCommand used before: libuv forks the whole process, the loop blocked while the page tables
// are copied) against runHostCommand (posix_spawn through the native binding: a vfork-style
// clone, nothing copied), in a process of a daemon's size (KUKEON_BENCH_SPAWN_MB of RSS, default
// 80: kukeond's with 50 cells is ≈ 75 MB), alternately:
//  1. the event loop's block per start: the synchronous part of one start of `/bin/true`,
//     one after another (median and p90 of KUKEON_BENCH_SPAWN_RUNS, default 200);
//  2. a burst: KUKEON_BENCH_SPAWN_BURST (400) starts of `/bin/true`, 8 at once (as a wave of
//     cells runs its plugins), with `perf_hooks.monitorEventLoopDelay` running: wall time, and
//     the loop's delay (mean, p99, max) a timer saw meanwhile — what every other request of the
//     daemon waits.
// No containerd needed. Figures: docs/bench.md (Issue 17, third round).
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { runHostCommand } from '../src/host-command.js';
import { median } from './harness.js';

const MB = Number(process.env.KUKEON_BENCH_SPAWN_MB ?? 80);
const RUNS = Number(process.env.KUKEON_BENCH_SPAWN_RUNS ?? 200);
const BURST = Number(process.env.KUKEON_BENCH_SPAWN_BURST ?? 400);
const ROUNDS = Number(process.env.KUKEON_BENCH_SPAWN_ROUNDS ?? 3);
const AT_ONCE = 8;

/** runCommand as it was: child_process.spawn with three pipes, resolved on 'close'. */
function nodeRun(file: string, args: string[], timing?: number[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { env: process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    timing?.push(performance.now() - t0);
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 128));
    child.stdin.on('error', () => undefined);
    child.stdin.end('');
  });
}

function nativeRun(file: string, args: string[], timing?: number[]): Promise<number> {
  const t0 = performance.now();
  const p = runHostCommand(file, args);
  timing?.push(performance.now() - t0);
  return p.then((r) => r.code);
}

type Runner = typeof nodeRun;
const ways: Record<string, Runner> = { 'child_process.spawn': nodeRun, 'posix_spawn (native)': nativeRun };

/** Memory like a daemon's: JS heap objects, then touched off-heap buffers up to `mb` of RSS. */
function ballast(mb: number): unknown[] {
  const keep: unknown[] = [];
  for (let i = 0; i < 40_000; i++) keep.push({ i, s: `cell-${i}`, a: [i, i + 1] });
  while (process.memoryUsage().rss < mb * 2 ** 20) keep.push(Buffer.alloc(1 << 20, keep.length & 0xff));
  return keep;
}

const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];

async function blockPerStart(run: Runner): Promise<number[]> {
  const timing: number[] = [];
  for (let i = 0; i < RUNS; i++) await run('/bin/true', [], timing);
  return timing;
}

interface Burst {
  wall: number;
  /** Event-loop busy time per command (event loop utilization × wall / commands). */
  busy: number;
  mean: number;
  p99: number;
  max: number;
}

async function burst(run: Runner): Promise<Burst> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let next = 0;
  const t0 = performance.now();
  const elu0 = performance.eventLoopUtilization();
  h.enable();
  await Promise.all(
    Array.from({ length: AT_ONCE }, async () => {
      while (next++ < BURST) if ((await run('/bin/true', [])) !== 0) throw new Error('/bin/true failed');
    }),
  );
  h.disable();
  const wall = performance.now() - t0;
  const busy = performance.eventLoopUtilization(elu0).active / BURST;
  return { wall, busy, mean: h.mean / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

async function main(): Promise<void> {
  const keep = ballast(MB);
  const rss = process.memoryUsage().rss / 2 ** 20;
  process.stdout.write(`RSS ${rss.toFixed(0)} MB, ${RUNS} starts, bursts of ${BURST}\n`);
  const block: Record<string, number[]> = {};
  const bursts: Record<string, Burst[]> = {};
  for (const name of Object.keys(ways)) await ways[name]('/bin/true', []); // warm up
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(ways)) {
      (block[name] ??= []).push(...(await blockPerStart(run)));
      (bursts[name] ??= []).push(await burst(run));
    }
  }
  for (const name of Object.keys(ways)) {
    const b = block[name];
    const runs = bursts[name];
    const m = (k: keyof Burst, digits = 1): string => median(runs.map((r) => r[k])).toFixed(digits);
    process.stdout.write(
      `${name.padEnd(22)} call blocks: median ${median(b).toFixed(2)} ms, p90 ${pct(b, 0.9).toFixed(2)} ms` +
        ` | burst of ${BURST}, ${AT_ONCE} at once: ${m('wall')} ms (${((BURST / Number(m('wall'))) * 1000).toFixed(0)}/s),` +
        ` loop busy ${m('busy', 2)} ms per command,` +
        ` loop delay mean ${m('mean')} ms, p99 ${m('p99')} ms, max ${m('max')} ms   [rounds=${ROUNDS}]\n`,
    );
  }
  keep.length = 0;
}

await main();
