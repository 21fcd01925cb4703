/**
 * End-to-end: resuming a pull a killed process left (docs/images.md, "Resuming a pull"). A child
 * process pulls through a logging proxy in front of a private docker-registry; the proxy cuts the
 * last layer mid-way and the test SIGKILLs the child once the other layers are committed and the
 * last one's ingest has bytes. Then: the sweep keeps the killed pull's lease; a retry fetches
 * neither the committed layers again nor the partial layer's prefix (a Range request from the
 * ingest's offset, through a redirect to "blob storage"), and releases the lease; a registry that
 * ignores Range still ends with a correct image; a corrupted prefix fails with `digest mismatch`
 * and leaves nothing; a killed pull's lease that no retry adopts goes once it expired.
 */
import { ErrorCode } from '../../src/error-codes.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerdClient } from '../../src/containerd/client.js';
import { ImageService } from '../../src/images/image-service.js';
import { pullIngestRef } from '../../src/images/pull-resume.js';
import { leaseAbandoned, ownedLeaseLabels, sweepOrphanLeases } from '../../src/runner/lease-owner.js';
import type { RunnerContext } from '../../src/runner/runner-context.js';
import { namespaceExists, namespaceState, removeNamespace } from '../helpers/images/containerd-state.js';
import { privateContainerd, testNamespace, type PrivateContainerd } from '../helpers/containerd.js';
import { stopContainerd } from '../helpers/images/stop-containerd.js';
import { removeRegistry, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-registry-proxy.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomDataLayers, writeOciArchive } from '../../scripts/make-test-images.js';

let ctd: PrivateContainerd;
let client: ContainerdClient;
let images: ImageService;
let reg: TestRegistry;
let proxy: CountingProxy;
let work: string;
/** Layers of each test's image, by repository: each test has its own random blobs, since a blob
 * another namespace holds is shared by containerd, not downloaded. */
const layersOf = new Map<string, { digest: string; size: number }[]>();
const repos = ['range', 'norange', 'corrupt', 'expired', 'tags'];
const namespaces: string[] = [];
const empty = { images: [], content: [], snapshots: [], leases: [], ingests: [] };

const ns = (label: string): string => {
  const n = testNamespace(`resume-${label}`);
  namespaces.push(n);
  return n;
};
const ref = (repo: string, tag = 1): string => `${proxy.host}/test/${repo}:${tag}`;
const layers = (repo: string): { digest: string; size: number }[] => layersOf.get(repo) ?? [];
/** The layer the proxy cuts: the last one, so the others are committed by then. */
const cut = (repo: string): { digest: string; size: number } => layers(repo)[layers(repo).length - 1];
const sweepCtx = (): RunnerContext => ({ containerd: client }) as unknown as RunnerContext;
const retry = { leaseLabels: ownedLeaseLabels(), leaseAbandoned };

before(async () => {
  ctd = privateContainerd();
  client = new ContainerdClient(ctd.socket);
  images = new ImageService(client, { snapshotter: 'overlayfs', registry: { retries: 1, backoffMs: 10 } });
  work = mkdtempSync(join(tmpdir(), 'kukeon-resume-test-'));
  reg = await startRegistry();
  for (const repo of repos) {
    const archive = join(work, `${repo}.tar`);
    writeOciArchive(archive, `test/${repo}:1`, randomDataLayers(9 << 20, 3));
    await reg.push(archive, `test/${repo}:1`);
    if (repo === 'tags') await reg.push(archive, `test/${repo}:2`);
    const res = await fetch(`http://${reg.host}/v2/test/${repo}/manifests/1`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    layersOf.set(repo, ((await res.json()) as { layers: { digest: string; size: number }[] }).layers);
  }
  proxy = await startCountingProxy(reg.host);
  writeFileSync(
    join(work, 'pull-child.mjs'),
    `import { ContainerdClient } from ${JSON.stringify(distUrl('src/containerd/client.js'))};
import { pullImage } from ${JSON.stringify(distUrl('src/images/pull-image.js'))};
import { hostPlatform } from ${JSON.stringify(distUrl('src/images/archive-plan.js'))};
import { RegistryClient } from ${JSON.stringify(distUrl('src/images/registry/registry-client.js'))};
import { ownedLeaseLabels } from ${JSON.stringify(distUrl('src/runner/lease-owner.js'))};
const [socket, namespace, ref, ttl] = process.argv.slice(2);
await pullImage(new ContainerdClient(socket), {
  namespace, ref, snapshotter: 'overlayfs', platform: hostPlatform(),
  registry: new RegistryClient({ retries: 0 }), auth: {},
  leaseLabels: ownedLeaseLabels(), leaseTtlMs: Number(ttl),
});
`,
  );
});

after(async () => {
  await images.close();
  client.close();
  await proxy.close();
  await removeRegistry(reg);
  for (const n of namespaces) removeNamespace(ctd.socket, n);
  for (const n of namespaces) assert.equal(namespaceExists(ctd.socket, n), false, `namespace ${n} removed`);
  stopContainerd(ctd);
  rmSync(work, { recursive: true, force: true });
});

function distUrl(path: string): string {
  return new URL(`../../${path}`, import.meta.url).href;
}

/**
 * A child process pulls into `n`; the proxy holds the last layer after half its bytes; once the
 * other layers are committed and the last one's ingest has bytes, the child is SIGKILLed.
 * Returns the offset its ingest was left at.
 */
async function killedPull(n: string, repo: string, leaseTtlMs = 3600_000): Promise<number> {
  const last = cut(repo);
  // Short of the end: the writer sends 1 MiB chunks, holding the last one back for the COMMIT.
  proxy.stall = { digest: last.digest, after: last.size - 65536 };
  const child = spawn(
    process.execPath,
    [join(work, 'pull-child.mjs'), ctd.socket, n, ref(repo), String(leaseTtlMs)],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const t0 = Date.now();
    for (;;) {
      if (child.exitCode !== null) throw new Error(`pull child exited ${child.exitCode}: ${stderr}`);
      if (Date.now() - t0 > 60_000) throw new Error('timed out waiting for the pull to start its last layer');
      const committed = await Promise.all(
        layers(repo)
          .slice(0, -1)
          .map((l) =>
            client.content.info(n, l.digest).then(
              () => true,
              () => false,
            ),
          ),
      );
      const st = await client.content.status(n, pullIngestRef(last.digest)).catch(() => undefined);
      if (committed.every(Boolean) && (st?.offset ?? 0) > 0) break;
      await sleep(20);
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
    proxy.stall = undefined;
  }
  // What containerd holds once the writer is gone (it may have taken a chunk more).
  return (await client.content.status(n, pullIngestRef(last.digest))).offset;
}

const sha256 = (b: Buffer): string => 'sha256:' + createHash('sha256').update(b).digest('hex');

test('a pull killed mid-way is resumed: committed layers are not fetched again, the partial one continues with a Range request', async () => {
  const repo = 'range';
  const n = ns(repo);
  const offset = await killedPull(n, repo);
  assert.ok(offset > 0 && offset < cut(repo).size, `partial ingest at ${offset} of ${cut(repo).size}`);
  const dead = (await client.leases.list(n)).filter((l) => leaseAbandoned(l.labels));
  assert.equal(dead.length, 1, 'the killed pull left its lease');
  // kukeond's startup sweep keeps it: the retry resumes from what it holds.
  assert.deepEqual(await sweepOrphanLeases(sweepCtx(), n), []);
  assert.equal(namespaceState(ctd.socket, n).images.length, 0, 'no image record');

  proxy.redirectBlobs = true;
  const before = proxy.log.length;
  const r = await images.pull(n, ref(repo), retry).finally(() => (proxy.redirectBlobs = false));
  const after = proxy.log.slice(before);
  for (const l of layers(repo).slice(0, -1))
    assert.deepEqual(
      after.filter((q) => q.path.endsWith(`/${l.digest}`)),
      [],
      `committed layer ${l.digest} not fetched again`,
    );
  const cutRequests = after.filter((q) => q.path.endsWith(`/${cut(repo).digest}`));
  assert.deepEqual(
    cutRequests.map((q) => [q.path.startsWith('/_storage/') ? 'storage' : 'registry', q.range, q.status]),
    [
      ['registry', `bytes=${offset}-`, 307],
      ['storage', `bytes=${offset}-`, 206],
    ],
  );
  assert.equal(r.record, 'created');
  assert.equal(r.blobsFetched, 1);
  assert.equal(r.bytesResumed, offset);
  assert.equal(r.bytesFetched, cut(repo).size - offset);
  assert.equal(sha256(await client.content.readAll(n, cut(repo).digest)), cut(repo).digest);
  const state = namespaceState(ctd.socket, n);
  assert.deepEqual(state.images, [ref(repo)]);
  assert.deepEqual([state.leases, state.ingests], [[], []], 'the adopted lease released, no ingest left');
  await images.resolve(n, ref(repo));
});

test('a registry that ignores Range: the ingest starts over and the image is correct', async () => {
  const repo = 'norange';
  const n = ns(repo);
  const offset = await killedPull(n, repo);
  proxy.ignoreRange = true;
  const before = proxy.log.length;
  const r = await images.pull(n, ref(repo), retry).finally(() => (proxy.ignoreRange = false));
  const cutRequests = proxy.log.slice(before).filter((q) => q.path.endsWith(`/${cut(repo).digest}`));
  assert.deepEqual(
    cutRequests.map((q) => [q.range, q.status]),
    [[`bytes=${offset}-`, 200]],
  );
  assert.equal(r.bytesResumed, 0);
  assert.equal(r.bytesFetched, cut(repo).size);
  assert.equal(sha256(await client.content.readAll(n, cut(repo).digest)), cut(repo).digest);
  const state = namespaceState(ctd.socket, n);
  assert.deepEqual([state.images, state.leases, state.ingests], [[ref(repo)], [], []]);
});

test('a corrupted prefix of a resumed blob fails with digest mismatch and leaves nothing; a later pull succeeds', async () => {
  const repo = 'corrupt';
  const n = ns(repo);
  await killedPull(n, repo);
  // The ingest's data file in containerd's root: flip its first byte.
  const ingestRoot = join(ctd.dir, 'root', 'io.containerd.content.v1.content', 'ingest');
  const dir = readdirSync(ingestRoot).find((d) => {
    const r = readFileSync(join(ingestRoot, d, 'ref'), 'utf8');
    return r.includes(n) && r.endsWith(pullIngestRef(cut(repo).digest));
  });
  assert.ok(dir, 'the ingest is on disk');
  const data = join(ingestRoot, dir, 'data');
  const first = readFileSync(data).subarray(0, 1);
  const fd = openSync(data, 'r+');
  writeSync(fd, Buffer.from([first[0] ^ 0xff]), 0, 1, 0);
  closeSync(fd);
  await assert.rejects(images.pull(n, ref(repo), retry), (err: Error & { code?: string }) => {
    assert.equal(err.code, ErrorCode.IMAGE_DIGEST_MISMATCH);
    assert.match(err.message, new RegExp(`digest mismatch: blob ${cut(repo).digest}`));
    return true;
  });
  assert.deepEqual(namespaceState(ctd.socket, n), empty);
  const r = await images.pull(n, ref(repo), retry);
  assert.equal(r.record, 'created');
});

test('a killed pull no retry adopts: its lease goes with the sweep once expired, and what it held with it', async () => {
  const repo = 'expired';
  const n = ns(repo);
  await killedPull(n, repo, 1000);
  // containerd's expiry label has whole seconds.
  await sleep(2100);
  assert.equal((await sweepOrphanLeases(sweepCtx(), n)).length, 1);
  assert.deepEqual(namespaceState(ctd.socket, n), empty);
});

test('pulls of two tags sharing every blob at once: each blob is fetched once', async () => {
  const repo = 'tags';
  const n = ns(repo);
  const before = proxy.log.length;
  const refs = [ref(repo), ref(repo, 2)];
  await Promise.all(refs.map((r) => images.pull(n, r, retry)));
  const after = proxy.log.slice(before);
  // Busybox's layer (the first) is shared with the other tests' images.
  for (const l of layers(repo).slice(1))
    assert.equal(
      after.filter((q) => q.path.endsWith(`/${l.digest}`)).length,
      1,
      `layer ${l.digest} fetched once`,
    );
  const state = namespaceState(ctd.socket, n);
  assert.deepEqual([state.images, state.leases, state.ingests], [refs.sort(), [], []]);
});
