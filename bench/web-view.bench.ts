// Benchmark: what the web view (kukeond --http-address) costs the daemon, with 20 running cells.
//  - a sample: opening /api/stream until its first hierarchy with figures arrives (connect, the
//    backlog of events, one walk over every cell's cgroup and /proc files), run by run;
//  - the daemon's CPU (utime + stime of the kukeond process, % of one core) over a window with no
//    page open, then over the same window with one page's stream open (a sample every 2 s);
//  - the daemon's memory (VmRSS) settled after each window.
// Run by `npm run bench` (scripts/bench.sh); standalone it needs the private containerd and test
// images that script starts. KUKEON_BENCH_WEB_CELLS (default 20), KUKEON_BENCH_RUNS (15 samples),
// KUKEON_BENCH_WEB_WINDOW_S (20 s per CPU window).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testImages } from '../scripts/make-test-images.js';
import { median, printRow, timeRuns } from './harness.js';
import {
  cellsManifest,
  memoryOf,
  memText,
  printDaemonLog,
  settledMemory,
  startKukeond,
  type KukeondInstance,
} from './kukeond-instance.js';

const CELLS = Number(process.env.KUKEON_BENCH_WEB_CELLS ?? 20);
const RUNS = Number(process.env.KUKEON_BENCH_RUNS ?? 15);
const WINDOW_MS = Number(process.env.KUKEON_BENCH_WEB_WINDOW_S ?? 20) * 1000;
const at = { realm: `bw${process.pid}`, space: 's', stack: 't' };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100)
}

/** Opens the stream, reads until `until` says the events wanted arrived, then closes it. */
async function readStream(base: string, until: (tree: number) => boolean): Promise<void> {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/stream`, { signal: ac.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let trees = 0;
  try {
    while (!until(trees)) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      text += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = text.indexOf('\n\n')) >= 0) {
        if (text.slice(0, i).startsWith('event: tree')) trees++;
        text = text.slice(i + 2);
      }
    }
  } finally {
    ac.abort();
  }
}

async function cpuPercent(pid: number, during: () => Promise<void>): Promise<number> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await during();
  return ((cpuSeconds(pid) - c0) / ((performance.now() - t0) / 1000)) * 100;
}

async function main(): Promise<void> {
  let k: KukeondInstance | undefined;
  try {
    k = await startKukeond('bench-web', { serveFlags: ['--http-address', '127.0.0.1:0'] });
    await k.provision(at, [testImages().images.busybox.file]);
    const names = Array.from({ length: CELLS }, (_, i) => `w${i + 1}`);
    const file = join(k.env.dir, 'cells.yaml');
    writeFileSync(file, cellsManifest(at, names, testImages().images.busybox.name));
    await k.kuke('apply', '-f', file);
    const address = /"address":"([^"]+)"[^\n]*"msg":"web view listening"/.exec(
      readFileSync(k.log, 'utf8'),
    )?.[1];
    if (!address) throw new Error('the web view did not start');
    const base = `http://${address}`;

    const samples = await timeRuns(RUNS, () => readStream(base, (trees) => trees >= 1));
    printRow({ what: `web view: first sample, ${CELLS} cells`, ours: samples, refs: {} });

    const idle = await cpuPercent(k.pid, () => sleep(WINDOW_MS));
    const idleMem = await settledMemory(k.pid);
    const open = await cpuPercent(k.pid, () => readStream(base, (trees) => trees >= WINDOW_MS / 2000));
    const openMem = memoryOf(k.pid);
    printRow({ what: 'kukeond CPU, no page open', ours: [idle], refs: {}, unit: '%' });
    printRow({ what: 'kukeond CPU, one page open', ours: [open], refs: {}, unit: '%' });
    process.stdout.write(`kukeond memory (MB), no page: ${memText(idleMem)}\n`);
    process.stdout.write(`kukeond memory (MB), page open: ${memText(openMem)}\n`);
    process.stdout.write(`median sample ${median(samples).toFixed(1)} ms\n`);
  } catch (err) {
    printDaemonLog(k);
    throw err;
  } finally {
    await k?.close();
  }
}

await main();
