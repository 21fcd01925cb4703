// Benchmark: what a user waits for. Every step is a real `kuke` command (the built bin, a child
// process) against a running kukeond (private containerd, its own run path), side by side in
// the same run with podman (private storage) doing the same work and with the raw floor (`ctr`
// + the CNI plugins, no orchestrator), run by run alternately, medians and ratios printed:
//  1. one cell (root + one busybox `sleep` workload): `kuke apply -f` → Ready, then
//     `kuke delete cell --force`; podman `pod create` + `run -d --pod`, `pod rm -f -t 0`; raw up,
//     down with SIGKILL;
//  2. `kuke stop --timeout 0` / `kuke start` of that cell; podman `pod stop -t 0` / `pod start`;
//  3. `kuke get cell <name>` against bare `node -e 0`;
//  4. `kuke apply -f` of 20 cells → all Ready, `kuke delete -f --force`; podman 20 × (pod create
//     + run), `pod rm -a -f -t 0`;
//  5. the same with 200 cells, `kuke get cells` at 200 against `node -e 0`, then
//     `kuke delete realm --cascade --force` against `podman pod rm -a -f -t 0` (podman's 200 pods
//     made and removed after kukeon's cells are gone, so neither side runs beside the other's);
// and kukeond's RSS after each. Run by `npm run bench`; standalone it starts its own private
// containerd. KUKEON_BENCH_RUNS (7), KUKEON_BENCH_CELLS (200), KUKEON_BENCH_APPLY_CELLS (20),
// KUKEON_BENCH_APPLY_RUNS (3). Figures: docs/bench.md (User path).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { testImages } from '../scripts/make-test-images.js';
import { hasPodman, PrivatePodman } from '../test/helpers/private-podman.js';
import { median, printRow } from './harness.js';
import {
  cellDoc,
  cellsManifest,
  kukeIsBundle,
  memoryOf,
  printDaemonLog,
  scopeFlags,
  settledMemory,
  SLEEP_SCRIPT,
  spawnTimed,
  startKukeond,
  type KukeondInstance,
} from './kukeond-instance.js';
import { rawCell, type RawCell } from './raw-cell.js';

const RUNS = Number(process.env.KUKEON_BENCH_RUNS ?? 7);
const CELLS = Number(process.env.KUKEON_BENCH_CELLS ?? 200);
const APPLY_CELLS = Number(process.env.KUKEON_BENCH_APPLY_CELLS ?? 20);
const APPLY_RUNS = Number(process.env.KUKEON_BENCH_APPLY_RUNS ?? 3);

const at = { realm: `bu${process.pid}`, space: 's', stack: 't' };
const tag = process.pid % 50;

const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

/** The states `kuke get cells -o json` reports in the bench's stack. */
async function cellStates(k: KukeondInstance): Promise<string[]> {
  const docs = JSON.parse(await k.kuke('get', 'cells', ...scopeFlags(at), '-o', 'json')) as unknown;
  const list = (Array.isArray(docs) ? docs : [docs]) as { status?: { state?: string } }[];
  return list.map((d) => d.status?.state ?? '?');
}

async function requireReady(k: KukeondInstance, n: number, what: string): Promise<void> {
  const states = await cellStates(k);
  const ready = states.filter((s) => s === 'Ready').length;
  if (ready !== n) throw new Error(`${what}: ${ready} of ${n} cells Ready after apply (${states.join(',')})`);
}

async function main(): Promise<void> {
  const imgs = testImages().images;
  const podman = hasPodman()
    ? new PrivatePodman('kbu', `10.${200 + tag}.${200 + (process.pid % 50)}.0/24`)
    : undefined;
  let k: KukeondInstance | undefined;
  let raw: RawCell | undefined;
  const rss: string[] = [];
  try {
    k = await startKukeond('bench-user');
    const kk = k;
    const { kuke } = k;
    const noteRss = (after: string): void => {
      rss.push(`${after} ${memoryOf(kk.pid).rss.toFixed(1)}`);
    };
    await kuke('version');
    noteRss('idle');
    await k.provision(at, [imgs.busybox.file]);
    podman?.run('load', '-i', imgs.dockerSave.file);
    raw = rawCell({
      socket: k.env.config.containerdSocket,
      namespace: `${at.realm}.${k.env.config.namespaceSuffix}`,
      image: imgs.busybox.name,
      command: SLEEP_SCRIPT,
      cgroupMount: k.env.config.cgroupMount,
      subnet: `10.${200 + tag}.${150 + (process.pid % 50)}.0/24`,
    });
    const floor = raw;
    const flags = scopeFlags(at);
    const dir = k.env.dir;
    process.stdout.write(
      `user path: every step a kuke command (${kukeIsBundle ? 'bundle' : 'tsc output'}) against kukeond; ` +
        `medians of ${RUNS} paired runs, ms\n`,
    );

    // 1. One cell: apply → Ready, then delete --force.
    const one = { ours: [] as number[][], podman: [] as number[][], raw: [] as number[][] };
    for (let i = -1; i < RUNS; i++) {
      const name = `u${i + 2}`;
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, cellDoc(at, name, imgs.busybox.name));
      const up = await time(() => kuke('apply', '-f', file));
      await requireReady(k, 1, 'one cell');
      const down = await time(() => kuke('delete', 'cell', name, ...flags, '--force'));
      let p: number[] | undefined;
      if (podman) {
        const pod = `${podman.net}-${name}`;
        const pUp = await time(() => podman.podLikeCell(pod, imgs.dockerSave.name, SLEEP_SCRIPT));
        const pDown = await time(() => podman.runAsync('pod', 'rm', '-f', '-t', '0', pod));
        p = [pUp, pDown];
      }
      const r = floor.available ? [floor.up(i + 2), floor.down(i + 2, true)] : undefined;
      if (i < 0) continue;
      one.ours.push([up, down]);
      if (p) one.podman.push(p);
      if (r) one.raw.push(r);
    }
    noteRss('after one-cell cycles');
    const sum = (xs: number[][]): number[] => xs.map((x) => x[0] + x[1]);
    const col = (xs: number[][], j: number): number[] => xs.map((x) => x[j]);
    printRow({
      what: 'one cell: apply→Ready + delete --force',
      ours: sum(one.ours),
      refs: { podman: sum(one.podman), 'raw ctr+CNI': sum(one.raw) },
      targets: { podman: 0.65, 'raw ctr+CNI': 1.0 },
    });
    printRow({
      what: '  of which apply → Ready',
      ours: col(one.ours, 0),
      refs: { podman: col(one.podman, 0), 'raw ctr+CNI': col(one.raw, 0) },
    });
    printRow({
      what: '  of which delete --force',
      ours: col(one.ours, 1),
      refs: { podman: col(one.podman, 1), 'raw ctr+CNI': col(one.raw, 1) },
    });

    // 2 and 3. A cell kept: stop/start, get cell.
    const keptFile = join(dir, 'kept.yaml');
    writeFileSync(keptFile, cellDoc(at, 'kept', imgs.busybox.name));
    await kuke('apply', '-f', keptFile);
    const keptPod = podman ? `${podman.net}-kept` : '';
    await podman?.podLikeCell(keptPod, imgs.dockerSave.name, SLEEP_SCRIPT);
    const ss = { ours: [] as number[][], podman: [] as number[][] };
    const get = { ours: [] as number[], node: [] as number[] };
    for (let i = -1; i < RUNS; i++) {
      const stop = await time(() => kuke('stop', 'kept', ...flags, '--timeout', '0'));
      const start = await time(() => kuke('start', 'kept', ...flags));
      const p = podman
        ? [
            await time(() => podman.runAsync('pod', 'stop', '-t', '0', keptPod)),
            await time(() => podman.runAsync('pod', 'start', keptPod)),
          ]
        : undefined;
      const node = await time(() => spawnTimed(process.execPath, ['-e', '0'], kk.client));
      const g = await time(() => kuke('get', 'cell', 'kept', ...flags));
      if (i < 0) continue;
      ss.ours.push([stop, start]);
      if (p) ss.podman.push(p);
      get.ours.push(g);
      get.node.push(node);
    }
    await requireReady(k, 1, 'stop/start');
    noteRss('after stop/start');
    printRow({ what: 'stop --timeout 0', ours: col(ss.ours, 0), refs: { podman: col(ss.podman, 0) } });
    printRow({ what: 'start → Ready', ours: col(ss.ours, 1), refs: { podman: col(ss.podman, 1) } });
    printRow({
      what: 'get cell <name>',
      ours: get.ours,
      refs: { 'node -e 0': get.node },
      targets: { 'node -e 0': 1.25 },
    });
    await kuke('delete', 'cell', 'kept', ...flags, '--force');
    if (podman) await podman.runAsync('pod', 'rm', '-f', '-t', '0', keptPod);

    // 4. Many cells in one file, applied and deleted, APPLY_RUNS times.
    const applyNames = Array.from({ length: APPLY_CELLS }, (_, i) => `a${i + 1}`);
    const applyFile = join(dir, 'apply.yaml');
    writeFileSync(applyFile, cellsManifest(at, applyNames, imgs.busybox.name));
    const many = { ours: [] as number[][], podman: [] as number[][] };
    for (let r = 0; r < APPLY_RUNS; r++) {
      const up = await time(() => kuke('apply', '-f', applyFile));
      await requireReady(k, APPLY_CELLS, `${APPLY_CELLS} cells`);
      const down = await time(() => kuke('delete', '-f', applyFile, '--force'));
      many.ours.push([up, down]);
      if (podman) {
        const pUp = await time(async () => {
          for (const n of applyNames)
            await podman.podLikeCell(`${podman.net}-${n}`, imgs.dockerSave.name, SLEEP_SCRIPT);
        });
        const pDown = await time(() => podman.runAsync('pod', 'rm', '-a', '-f', '-t', '0'));
        many.podman.push([pUp, pDown]);
      }
    }
    noteRss(`after ${APPLY_RUNS}× ${APPLY_CELLS} cells`);
    printRow({
      what: `apply -f ${APPLY_CELLS} cells → all Ready`,
      ours: col(many.ours, 0),
      refs: { 'podman pod create+run ×N': col(many.podman, 0) },
    });
    printRow({
      what: `delete -f ${APPLY_CELLS} cells --force`,
      ours: col(many.ours, 1),
      refs: { 'podman pod rm -a -f -t 0': col(many.podman, 1) },
    });

    // 5. CELLS cells: apply, list, delete the realm.
    const names = Array.from({ length: CELLS }, (_, i) => `c${i + 1}`);
    const bigFile = join(dir, 'cells.yaml');
    writeFileSync(bigFile, cellsManifest(at, names, imgs.busybox.name));
    const bigUp = await time(() => kuke('apply', '-f', bigFile));
    await requireReady(k, CELLS, `${CELLS} cells`);
    const atCells = (await settledMemory(k.pid)).rss;
    rss.push(`${CELLS} cells running, settled ${atCells.toFixed(1)}`);
    const list = { ours: [] as number[], node: [] as number[] };
    for (let i = -1; i < RUNS; i++) {
      const node = await time(() => spawnTimed(process.execPath, ['-e', '0'], kk.client));
      const g = await time(() => kuke('get', 'cells', ...flags));
      if (i < 0) continue;
      list.ours.push(g);
      list.node.push(node);
    }
    const bigDown = await time(() => kuke('delete', 'realm', at.realm, '--cascade', '--force'));
    noteRss(`after deleting the ${CELLS}-cell realm`);
    // podman's pods are made and removed once kukeon's cells are gone: each side's create and
    // delete of many runs without the other side's processes on the machine.
    let podUp: number | undefined;
    let podDown: number | undefined;
    if (podman) {
      podUp = await time(async () => {
        for (const n of names)
          await podman.podLikeCell(`${podman.net}-${n}`, imgs.dockerSave.name, SLEEP_SCRIPT);
      });
      podDown = await time(() => podman.runAsync('pod', 'rm', '-a', '-f', '-t', '0'));
    }
    printRow({
      what: `apply -f ${CELLS} cells → all Ready`,
      ours: [bigUp],
      refs: { 'podman pod create+run ×N': podUp === undefined ? undefined : [podUp] },
      targets: { 'podman pod create+run ×N': 0.35 },
    });
    printRow({
      what: `get cells at ${CELLS} cells`,
      ours: list.ours,
      refs: { 'node -e 0': list.node },
      targets: { 'node -e 0': 1.3 },
    });
    printRow({
      what: `delete realm --cascade --force, ${CELLS} cells`,
      ours: [bigDown],
      refs: { 'podman pod rm -a -f -t 0': podDown === undefined ? undefined : [podDown] },
      targets: { 'podman pod rm -a -f -t 0': 0.4 },
    });
    process.stdout.write(
      `kukeond VmRSS (MB): ${rss.join(' | ')} (target ≤ 80 with ${CELLS} cells, settled: ` +
        `${atCells <= 80 ? 'met' : 'MISSED'})\n` +
        `medians: get cell ${median(get.ours).toFixed(1)}, node -e 0 ${median(get.node).toFixed(1)}\n`,
    );
    if (!floor.available) process.stdout.write('raw ctr+CNI: skipped (no CNI bridge plugin)\n');
    if (!podman) process.stdout.write('podman: skipped (not installed)\n');
  } catch (err) {
    printDaemonLog(k);
    throw err;
  } finally {
    raw?.cleanup();
    await k?.close();
    podman?.destroy();
  }
}

await main();
