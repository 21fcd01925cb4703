// Benchmark: starting a container through our containerd client vs `ctr run` on the same image.
// Run by `npm run bench` (scripts/bench.sh provides KUKEON_TEST_CONTAINERD_DIR and
// KUKEON_TEST_IMAGES_DIR); standalone it starts its own private containerd.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { privateContainerd, ctr, testNamespace } from '../test/helpers/containerd.js';
import { removeTopCgroup } from '../test/helpers/host-snapshot.js';
import { testImages } from '../scripts/make-test-images.js';
import { median, printRow } from './harness.js';
import { ContainerdClient, minimalSpec, purgeNamespace, teardownContainer } from '../src/containerd/index.js';
import { protoRegistry } from '../src/containerd/proto-registry.js';

const RUNS = Number(process.env.KUKEON_BENCH_RUNS ?? 15);

async function main(): Promise<void> {
  const pd = privateContainerd();
  const img = testImages().images.busybox;
  const ns = testNamespace('bench-ctd');
  const logDir = mkdtempSync(join(tmpdir(), 'kukeon-bench-ctd-'));
  const t0 = performance.now();
  protoRegistry();
  const protoMs = performance.now() - t0;
  const client = new ContainerdClient(pd.socket);
  const t1 = performance.now();
  await client.version.get();
  const firstCallMs = performance.now() - t1;
  try {
    ctr(pd.socket, ['images', 'import', img.file], ns);

    // Ours: lease + Prepare + Containers.Create + Tasks.Create (log file) + Start.
    const start = async (id: string): Promise<void> => {
      const log = join(logDir, `${id}.log`);
      writeFileSync(log, '');
      await client.leases.withLease(ns, async (scope) => {
        const mounts = await client.snapshots.prepare(scope, id, img.chainId);
        await client.containers.create(scope, {
          id,
          spec: minimalSpec({ args: ['sleep', '3600'] }),
          snapshot_key: id,
        });
        await client.tasks.create(scope, { container_id: id, rootfs: mounts, stdout: log, stderr: log });
        await client.tasks.start(scope, id);
      });
    };
    // Ours and ctr alternate run by run, so load from other processes on this shared machine
    // affects both sides alike. One unmeasured warm-up run each.
    const timed = async (fn: () => Promise<void> | void): Promise<number> => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const ours: number[] = [];
    const ctrRun: number[] = [];
    const oursFull: number[] = [];
    const ctrFull: number[] = [];
    for (let i = -1; i < RUNS; i++) {
      const a = await timed(() => start(`b-ours-${i + 1}`));
      const b = await timed(
        () => void ctr(pd.socket, ['run', '-d', img.name, `b-ctr-${i + 1}`, 'sleep', '3600'], ns),
      );
      if (i >= 0) {
        ours.push(a);
        ctrRun.push(b);
      }
      await teardownContainer(client, ns, `b-ours-${i + 1}`);
      await teardownContainer(client, ns, `b-ctr-${i + 1}`);
    }
    // Whole short run: create, start, wait for exit, delete task, container, snapshot.
    for (let i = -1; i < RUNS; i++) {
      const id = `f-ours-${i + 1}`;
      const a = await timed(async () => {
        await client.leases.withLease(ns, async (scope) => {
          const mounts = await client.snapshots.prepare(scope, id, img.chainId);
          await client.containers.create(scope, {
            id,
            spec: minimalSpec({ args: ['true'] }),
            snapshot_key: id,
          });
          await client.tasks.create(scope, { container_id: id, rootfs: mounts });
        });
        const waiting = client.tasks.wait(ns, id);
        await client.tasks.start(ns, id);
        await waiting;
        await teardownContainer(client, ns, id);
      });
      const b = await timed(
        () => void ctr(pd.socket, ['run', '--rm', img.name, `f-ctr-${i + 1}`, 'true'], ns),
      );
      if (i >= 0) {
        oursFull.push(a);
        ctrFull.push(b);
      }
    }

    console.log(
      `proto load ${protoMs.toFixed(1)} ms, connect + first call ${firstCallMs.toFixed(1)} ms (once per process)`,
    );
    printRow({
      what: 'create → running (lease..start) vs ctr run -d',
      ours,
      refs: { ctr: ctrRun },
      targets: { ctr: 1.0 },
    });
    printRow({
      what: 'full short run + cleanup vs ctr run --rm',
      ours: oursFull,
      refs: { ctr: ctrFull },
      targets: { ctr: 1.0 },
    });
    const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
    console.log(
      `ranges: ours ${range(ours)} ms (median ${median(ours).toFixed(1)}), ctr run -d ${range(ctrRun)}, ` +
        `full ours ${range(oursFull)}, ctr --rm ${range(ctrFull)}`,
    );
  } finally {
    await purgeNamespace(client, ns).catch((err: unknown) => console.error('cleanup failed:', err));
    removeTopCgroup('/sys/fs/cgroup', ns); // what `ctr run` left: runc's `/<namespace>` cgroup
    client.close();
    rmSync(logDir, { recursive: true, force: true });
    try {
      pd.stop();
    } catch {
      // containerd-private.sh stop exits 1 when nothing is mounted (pipefail); containerd did stop.
      if (!process.env.KUKEON_TEST_CONTAINERD_DIR) rmSync(pd.dir, { recursive: true, force: true });
    }
  }
}

await main();
