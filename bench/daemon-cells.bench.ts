// Benchmark: kukeond with many cells, against podman with as many pods.
//  - `kuke apply -f` of a 20-cell manifest (root + one busybox `sleep` workload each) until all
//    are Ready, vs the same 20 pods through `podman pod create` + `podman run -d --pod`;
//  - `kuke get cells` with 200 cells through a running kukeond, vs bare `node -e 0` (target
//    ≤ 2×) and vs `podman pod ps` with 200 pods (target: faster), interleaved run by run;
//  - the daemon's memory (VmRSS / VmHWM of the kukeond process): idle, and with 200 cells
//    (target ≤ 80 MB) — right after the apply and after the listings, and settled (6 s later,
//    once kukeond gave back what the burst grew into), and the peak.
// Run by `npm run bench` (scripts/bench.sh); standalone it starts its own private containerd.
// Everything created (cells, pods, containers, networks, cgroups) is removed even on failure.
//
// KUKEON_BENCH_CELLS (default 200), KUKEON_BENCH_APPLY_CELLS (20), KUKEON_BENCH_RUNS (15 runs of
// each listing), KUKEON_BENCH_APPLY_RUNS (2).
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testImages } from '../scripts/make-test-images.js';
import { hasPodman, PrivatePodman } from '../test/helpers/private-podman.js';
import { median, printRow, timeRuns } from './harness.js';
import {
  cellsManifest,
  kukeIsBundle,
  memoryOf,
  memText,
  printDaemonLog,
  scopeFlags as flagsOf,
  settledMemory,
  SLEEP_SCRIPT,
  spawnTimed,
  startKukeond,
  type KukeondInstance,
} from './kukeond-instance.js';
import { KUKEOND_NODE_FLAGS } from '../src/cli/commands/daemon-process.js';

const CELLS = Number(process.env.KUKEON_BENCH_CELLS ?? 200);
const APPLY_CELLS = Number(process.env.KUKEON_BENCH_APPLY_CELLS ?? 20);
const RUNS = Number(process.env.KUKEON_BENCH_RUNS ?? 15);
const APPLY_RUNS = Number(process.env.KUKEON_BENCH_APPLY_RUNS ?? 2);
const RSS_TARGET_MB = 80;
const SCRIPT = SLEEP_SCRIPT;

const realm = `bd${process.pid}`;
const at = { realm, space: 's', stack: 't' };
const scopeFlags = flagsOf(at);

/**
 * The daemon's live JS heap: V8 writes a heap snapshot (after a full GC) on SIGUSR2 when started
 * with --heapsnapshot-signal; the sum of the nodes' self sizes is what is really retained.
 */
async function liveHeapMb(pid: number, dir: string): Promise<number | undefined> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const f = readdirSync(dir).find((n) => n.endsWith('.heapsnapshot') && !before.has(n));
    if (!f) continue;
    const path = join(dir, f);
    // Written when its closing bracket is there.
    const text = readFileSync(path, 'utf8');
    if (!text.trimEnd().endsWith('}')) continue;
    rmSync(path, { force: true });
    const snap = JSON.parse(text) as {
      snapshot: { meta: { node_fields: string[] } };
      nodes: number[];
    };
    const fields = snap.snapshot.meta.node_fields;
    const self = fields.indexOf('self_size');
    let total = 0;
    for (let n = self; n < snap.nodes.length; n += fields.length) total += snap.nodes[n];
    return total / 1024 / 1024;
  }
  return undefined;
}

async function main(): Promise<void> {
  const imgs = testImages().images;
  // A /24 of its own: 253 addresses, enough for CELLS pods.
  const podman = hasPodman()
    ? new PrivatePodman('kbd', `10.${200 + (process.pid % 50)}.${150 + (process.pid % 100)}.0/24`)
    : undefined;
  let k: KukeondInstance | undefined;
  try {
    // The node flags kuke init / kuke daemon start give it; KUKEON_BENCH_DAEMON_NODE_FLAGS
    // replaces them (e.g. to try other V8 heap settings; set it to " " for none).
    const flagsEnv = process.env.KUKEON_BENCH_DAEMON_NODE_FLAGS;
    const nodeFlags = flagsEnv === undefined ? [...KUKEOND_NODE_FLAGS] : flagsEnv.split(' ').filter(Boolean);
    k = await startKukeond('bench-daemon', { nodeFlags, extraNodeFlags: ['--heapsnapshot-signal=SIGUSR2'] });
    const { pid, kuke, env } = k;
    const client = k.client;
    const heapDir = k.cwd;
    await kuke('version'); // one served call
    const idle = memoryOf(pid);
    await k.provision(at, [imgs.busybox.file]);
    if (podman) {
      podman.run('load', '-i', imgs.dockerSave.file);
    }

    const readyCount = async (): Promise<number> => {
      const docs = JSON.parse(await kuke('get', 'cells', ...scopeFlags, '-o', 'json')) as unknown;
      const list = (Array.isArray(docs) ? docs : [docs]) as { status?: { state?: string } }[];
      return list.filter((d) => d.status?.state === 'Ready').length;
    };

    // 1. Apply of an N-cell manifest until all are Ready, vs the same pods through podman.
    const applyNames = Array.from({ length: APPLY_CELLS }, (_, i) => `a${i + 1}`);
    const applyFile = join(env.dir, 'apply.yaml');
    writeFileSync(applyFile, cellsManifest(at, applyNames, imgs.busybox.name));
    const applyOurs: number[] = [];
    const applyPodman: number[] = [];
    for (let r = 0; r < APPLY_RUNS; r++) {
      const t0 = performance.now();
      await kuke('apply', '-f', applyFile);
      const t1 = performance.now();
      const ready = await readyCount();
      if (ready !== APPLY_CELLS) throw new Error(`apply: ${ready} of ${APPLY_CELLS} cells Ready`);
      applyOurs.push(t1 - t0);
      await kuke('delete', '-f', applyFile);
      if (podman) {
        const p0 = performance.now();
        for (const n of applyNames)
          await podman.podLikeCell(`${podman.net}-${n}`, imgs.dockerSave.name, SCRIPT);
        applyPodman.push(performance.now() - p0);
        podman.run('pod', 'rm', '-a', '-f');
      }
    }
    const afterApplies = memoryOf(pid);

    // 2. N cells and N pods side by side, then the listings interleaved.
    const names = Array.from({ length: CELLS }, (_, i) => `c${i + 1}`);
    const bigFile = join(env.dir, 'cells.yaml');
    writeFileSync(bigFile, cellsManifest(at, names, imgs.busybox.name));
    const c0 = performance.now();
    await kuke('apply', '-f', bigFile);
    const createOurs = performance.now() - c0;
    const ready = await readyCount();
    if (ready !== CELLS) throw new Error(`${ready} of ${CELLS} cells Ready`);
    const justAfter = memoryOf(pid);
    const atCells = await settledMemory(pid);
    let createPodman: number | undefined;
    if (podman) {
      const p0 = performance.now();
      for (const n of names) await podman.podLikeCell(`${podman.net}-${n}`, imgs.dockerSave.name, SCRIPT);
      createPodman = performance.now() - p0;
      const pods = podman.run('pod', 'ps', '-q').trim().split('\n').filter(Boolean).length;
      if (pods !== CELLS) throw new Error(`${pods} of ${CELLS} podman pods`);
    }

    const out = { node: [] as number[], kuke: [] as number[], podman: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      const warm = i === 0 ? 1 : 0;
      out.node.push(
        ...(await timeRuns(1, () => spawnTimed(process.execPath, ['-e', '0'], client).then(() => {}), warm)),
      );
      out.kuke.push(...(await timeRuns(1, () => kuke('get', 'cells', ...scopeFlags).then(() => {}), warm)));
      if (podman)
        out.podman.push(...(await timeRuns(1, () => podman.runAsync('pod', 'ps').then(() => {}), warm)));
    }
    const listed = (await kuke('get', 'cells', ...scopeFlags)).trim().split('\n').length - 2;
    if (listed !== CELLS) throw new Error(`kuke get cells listed ${listed} of ${CELLS}`);
    const listsJustAfter = memoryOf(pid);
    const afterLists = await settledMemory(pid);
    // Last: writing a heap snapshot itself grows the process.
    const cellsHeap = await liveHeapMb(pid, heapDir);
    const afterGc = memoryOf(pid);

    const mb = (x: number): number[] => [x];
    process.stdout.write(
      `kukeond with many cells (root + 1 busybox workload each); medians, times in ms, memory in MB\n`,
    );
    printRow({
      what: `apply -f ${APPLY_CELLS}-cell manifest → all Ready`,
      ours: applyOurs,
      refs: { 'podman pod create+run ×N': podman ? applyPodman : undefined },
    });
    printRow({
      what: `apply -f ${CELLS}-cell manifest → all Ready`,
      ours: [createOurs],
      refs: { 'podman pod create+run ×N': createPodman === undefined ? undefined : [createPodman] },
    });
    printRow({
      what: `kuke get cells, ${CELLS} cells (target ≤2× node)`,
      ours: out.kuke,
      refs: { 'node -e 0': out.node },
      targets: { 'node -e 0': 2 },
    });
    printRow({
      what: `kuke get cells vs podman pod ps, ${CELLS} each`,
      ours: out.kuke,
      refs: { 'podman pod ps': podman ? out.podman : undefined },
      targets: { 'podman pod ps': 1 },
    });
    const target = { target: mb(RSS_TARGET_MB) };
    const memRow = (what: string, value: number): void =>
      printRow({ what, ours: mb(value), refs: target, targets: { target: 1 }, unit: 'MB' });
    memRow('kukeond VmRSS idle', idle.rss);
    memRow(`kukeond VmRSS after ${APPLY_RUNS}× ${APPLY_CELLS}-cell apply`, afterApplies.rss);
    memRow(`kukeond VmRSS at ${CELLS} cells, settled`, Math.max(atCells.rss, afterLists.rss));
    memRow(`kukeond VmRSS at ${CELLS} cells, right after`, Math.max(justAfter.rss, listsJustAfter.rss));
    memRow(`kukeond VmHWM (peak) at ${CELLS} cells`, afterLists.hwm);
    const heapText = (h: number | undefined): string => (h === undefined ? 'n/a' : h.toFixed(1));
    process.stdout.write(
      `memory (MB): idle ${memText(idle)}` +
        ` | after applies ${memText(afterApplies)}` +
        ` | ${CELLS} cells: right after ${memText(justAfter)}, settled ${memText(atCells)};` +
        ` after ${RUNS + 1} listings: right after ${memText(listsJustAfter)}, settled ${memText(afterLists)};` +
        ` live JS heap ${heapText(cellsHeap)}, after that full GC ${memText(afterGc)}\n` +
        `listing medians: node -e 0 ${median(out.node).toFixed(1)} | kuke get cells ${median(out.kuke).toFixed(1)}` +
        (podman ? ` | podman pod ps ${median(out.podman).toFixed(1)}` : ' | podman: not installed') +
        ` | kuke: ${kukeIsBundle ? 'bundle' : 'tsc output'}` +
        (nodeFlags.length ? ` | daemon node flags: ${nodeFlags.join(' ')}` : '') +
        '\n',
    );
  } catch (err) {
    printDaemonLog(k);
    throw err;
  } finally {
    await k?.close();
    podman?.destroy();
  }
}

await main();
