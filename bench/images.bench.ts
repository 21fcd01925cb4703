/**
 * Image import: kukeon-ts (in-process, one warm gRPC client) vs `ctr images import` on the same
 * tarballs, side by side. "new": a fresh namespace per run, emptied with a synchronous GC after
 * the run, so the daemon holds none of the blobs at the next one (otherwise the shared content
 * store would make every later run a metadata-only import). "re-import": the
 * image is already there. ctr figures include starting the ctr process (~10 ms), as a user of
 * either tool pays it; ours include reading the tar table and metadata.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerdClient } from '../src/containerd/client.js';
import { ImageService } from '../src/images/image-service.js';
import { removeNamespace } from '../test/helpers/images/containerd-state.js';
import { stopContainerd } from '../test/helpers/images/stop-containerd.js';
import { privateContainerd } from '../test/helpers/containerd.js';
import { busyboxLayerTar, testImages, writeOciArchive, writeTar } from '../scripts/make-test-images.js';
import { printRow, timeRuns } from './harness.js';

const ctd = privateContainerd();
const client = new ContainerdClient(ctd.socket);
const images = new ImageService(client, { snapshotter: 'overlayfs' });
const work = mkdtempSync(join(tmpdir(), `kukeon-bench-images-${process.pid}-`));
let seq = 0;
const used: string[] = [];

function freshNs(tool: string): string {
  const ns = `bench-img-${tool}-${process.pid}-${seq++}`;
  used.push(ns);
  return ns;
}

function ctrImport(ns: string, file: string): void {
  execFileSync('ctr', ['--address', ctd.socket, '--namespace', ns, 'images', 'import', file], {
    stdio: 'pipe',
  });
}

async function main(): Promise<void> {
  const { busybox, layered } = testImages().images;
  // 64 MiB of incompressible data in one gzip layer over busybox: a size case for the import path.
  const big = join(work, 'big.tar');
  writeOciArchive(big, `kukeon.bench/big-${randomBytes(3).toString('hex')}:1`, [
    { tar: busyboxLayerTar(), gzip: true },
    { tar: writeTar([{ name: 'blob.bin', type: 'file', data: randomBytes(64 << 20) }]), gzip: true },
  ]);

  const cases: Array<[string, string, number]> = [
    ['busybox (1 layer, 1 MB)', busybox.file, 7],
    ['busybox-layered (2 layers)', layered.file, 7],
    ['big (2 layers, 65 MB)', big, 3],
  ];
  for (const [what, file, runs] of cases) {
    const { ours, ctr } = await newImports(file, runs);
    printRow({ what: `import new: ${what}`, ours, refs: { ctr }, targets: { ctr: 1.0 } });
  }
  for (const [what, file, runs] of cases) {
    const nsOurs = freshNs('kukeon');
    const nsCtr = freshNs('ctr');
    await images.import(nsOurs, file);
    ctrImport(nsCtr, file);
    const ours = await timeRuns(runs + 3, async () => void (await images.import(nsOurs, file)));
    const ref = await timeRuns(runs + 3, async () => ctrImport(nsCtr, file));
    printRow({ what: `re-import: ${what}`, ours, refs: { ctr: ref }, targets: { ctr: 1.0 } });
    removeNamespace(ctd.socket, nsOurs);
    removeNamespace(ctd.socket, nsCtr);
  }
}

/**
 * "new" imports, ours and ctr's interleaved run by run so that load from other processes on this
 * shared machine hits both alike. The namespace removal between runs (with a synchronous GC, so
 * no blob stays in the daemon) is not timed. The first pair warms up (protos, page cache).
 */
async function newImports(file: string, runs: number): Promise<{ ours: number[]; ctr: number[] }> {
  const ours: number[] = [];
  const ctr: number[] = [];
  for (let i = -1; i < runs; i++) {
    for (const tool of ['kukeon', 'ctr'] as const) {
      const ns = freshNs(tool);
      const t0 = performance.now();
      if (tool === 'kukeon') await images.import(ns, file);
      else ctrImport(ns, file);
      const ms = performance.now() - t0;
      removeNamespace(ctd.socket, ns);
      if (i >= 0) (tool === 'kukeon' ? ours : ctr).push(ms);
    }
  }
  return { ours, ctr };
}

try {
  await main();
} finally {
  client.close();
  for (const ns of used) removeNamespace(ctd.socket, ns);
  stopContainerd(ctd);
  rmSync(work, { recursive: true, force: true });
}
