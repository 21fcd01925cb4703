/**
 * End-to-end: pulling from a private docker-registry (plain HTTP on 127.0.0.1) into a private
 * containerd, checked with ctr. Images are pushed with skopeo from the test images. Proves the
 * record name (the normalised reference), unpack, re-pull as a no-op, shared downloads, blobs
 * already stored not fetched again, multi-platform indexes, docker schema 2 manifests, and that a
 * failure (unknown manifest, corrupted blob, registry gone mid-pull, unreachable registry) says so
 * clearly and leaves the namespace exactly as before.
 */
import { ErrorCode } from '../../src/error-codes.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerdClient } from '../../src/containerd/client.js';
import { ImageService } from '../../src/images/image-service.js';
import type { PullProgress } from '../../src/images/pull-image.js';
import { namespaceExists, namespaceState, removeNamespace } from '../helpers/images/containerd-state.js';
import { ctr, privateContainerd, testNamespace, type PrivateContainerd } from '../helpers/containerd.js';
import { stopContainerd } from '../helpers/images/stop-containerd.js';
import { freePort, removeRegistry, startRegistry, type TestRegistry } from '../helpers/registry.js';
import {
  busyboxLayerTar,
  randomDataLayers,
  testImages,
  writeMultiPlatformArchive,
  writeOciArchive,
} from '../../scripts/make-test-images.js';

let ctd: PrivateContainerd;
let client: ContainerdClient;
let images: ImageService;
let reg: TestRegistry;
let work: string;
const namespaces: string[] = [];

function ns(label: string): string {
  const n = testNamespace(`pull-${label}`);
  namespaces.push(n);
  return n;
}

const empty = { images: [], content: [], snapshots: [], leases: [], ingests: [] };

before(async () => {
  ctd = privateContainerd();
  client = new ContainerdClient(ctd.socket);
  images = new ImageService(client, { snapshotter: 'overlayfs', registry: { retries: 1, backoffMs: 10 } });
  work = mkdtempSync(join(tmpdir(), 'kukeon-pull-test-'));
  reg = await startRegistry();
  const t = testImages().images;
  await reg.push(t.busybox.file, 'test/busybox:1');
  await reg.push(t.layered.file, 'test/layered:1');
  await reg.push(t.dockerSave.file, 'test/docker:1', 'docker');
});

after(async () => {
  await images.close();
  client.close();
  await removeRegistry(reg);
  for (const n of namespaces) removeNamespace(ctd.socket, n);
  for (const n of namespaces) assert.equal(namespaceExists(ctd.socket, n), false, `namespace ${n} removed`);
  stopContainerd(ctd);
  rmSync(work, { recursive: true, force: true });
});

function run(namespace: string, image: string, ...cmd: string[]): string {
  const id = `t-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  return ctr(ctd.socket, ['run', '--rm', image, id, ...cmd], namespace);
}

test('a pull records the image under its reference, unpacked, and it runs; a second pull is a no-op', async () => {
  const n = ns('plain');
  const img = testImages().images.layered;
  const ref = `${reg.host}/test/layered:1`;
  const progress: PullProgress[] = [];
  const r = await images.pull(n, ref, { onProgress: (p) => progress.push(p) });
  assert.equal(r.name, ref);
  assert.equal(r.record, 'created');
  assert.equal(
    r.target.digest,
    img.manifestDigest,
    'the registry serves the manifest skopeo pushed, unchanged',
  );
  assert.equal(r.chainId, img.chainId);
  assert.equal(r.blobsFetched, img.diffIds.length);
  const last = progress.at(-1);
  assert.equal(last?.phase, 'done');
  assert.equal(last?.bytesDone, last?.bytesTotal);
  assert.equal(last?.layersDone, img.diffIds.length);
  const state = namespaceState(ctd.socket, n);
  assert.deepEqual(state.images, [ref]);
  assert.ok(state.snapshots.includes(img.chainId), 'unpacked by the pull (before any ctr run)');
  assert.deepEqual(state.leases, [], 'the pull lease is gone');
  assert.deepEqual(state.ingests, []);
  assert.equal(run(n, ref, 'cat', '/etc/layer2').trim(), 'from layer 2');
  const again = await images.pull(n, ref);
  assert.equal(again.record, 'unchanged');
  assert.equal(again.blobsFetched, 0);
  // Docker Hub style names are normalised; a docker schema 2 image pulls too.
  const docker = await images.pull(n, `${reg.host}/test/docker:1`);
  assert.equal(docker.target.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  assert.match(run(n, docker.name, 'echo', 'hi'), /hi/);
});

test('two pulls of one reference at once share one download; stored blobs are not fetched again', async () => {
  const n = ns('shared');
  const ref = `${reg.host}/test/busybox:1`;
  const [a, b] = await Promise.all([images.pull(n, ref), images.pull(n, ref)]);
  assert.deepEqual(a, b, 'both callers got the one pull’s result');
  assert.equal(a.record, 'created');
  assert.equal(a.blobsFetched, 1);
  // The same layers are in the store already: a pull of the layered image fetches only its second one.
  const layered = await images.pull(n, `${reg.host}/test/layered:1`);
  assert.equal(layered.blobsFetched, 1, 'the busybox layer is not fetched again');
  const m = ns('imported');
  await images.import(m, testImages().images.busybox.file);
  const pulled = await images.pull(m, ref);
  assert.equal(pulled.bytesFetched, 0, 'an imported image’s blobs are reused');
  assert.equal(pulled.record, 'created');
});

test('a multi-platform index: the host platform’s manifest is pulled, the record points at the index', async () => {
  const n = ns('multi');
  const file = join(work, 'multi.tar');
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const other = arch === 'amd64' ? 'arm64' : 'amd64';
  writeMultiPlatformArchive(file, 'test/multi:1', [
    {
      platform: { os: 'linux', architecture: other },
      layers: [{ tar: busyboxLayerTar(), gzip: true }],
      cmd: ['false'],
    },
    { platform: { os: 'linux', architecture: arch }, layers: [{ tar: busyboxLayerTar(), gzip: false }] },
  ]);
  await reg.push(file, 'test/multi:1');
  const r = await images.pull(n, `${reg.host}/test/multi:1`);
  assert.equal(
    r.target.mediaType,
    'application/vnd.oci.image.index.v1+json',
    'the record points at the index',
  );
  assert.equal(r.blobsFetched, 1, 'only the host platform’s layer');
  // skopeo re-serialises what it pushes, so the pick is told by the configs: the other one says `false`.
  const resolved = await images.resolve(n, r.name);
  assert.equal(resolved.manifestDigest, r.manifestDigest);
  assert.deepEqual(resolved.config.cmd, ['sh']);
  assert.match(run(n, r.name, 'echo', 'multi'), /multi/);
});

test('an unknown manifest, an unreachable registry and a bad reference fail clearly and leave nothing', async () => {
  const n = ns('errors');
  await assert.rejects(images.pull(n, `${reg.host}/test/nope:1`), {
    code: ErrorCode.REGISTRY_MANIFEST_UNKNOWN,
    message: `manifest unknown: ${reg.host}/test/nope:1`,
  });
  const port = await freePort();
  await assert.rejects(images.pull(n, `127.0.0.1:${port}/test/busybox:1`), (err: Error) => {
    assert.equal((err as { code?: string }).code, ErrorCode.REGISTRY_UNREACHABLE);
    assert.match(err.message, new RegExp(`^cannot reach registry 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    return true;
  });
  await assert.rejects(images.pull(n, `${reg.host}/Test/UPPER:1`), {
    code: ErrorCode.IMAGE_REFERENCE_INVALID,
  });
  await assert.rejects(images.pull(n, 'kukeon.internal/team/app:1'), {
    code: ErrorCode.IMAGE_REFERENCE_INVALID,
  });
  assert.deepEqual(namespaceState(ctd.socket, n), empty);
});

test('a blob corrupted on the registry’s disk: digest mismatch naming it, and nothing left', async () => {
  const n = ns('corrupt');
  const own = await startRegistry();
  try {
    // A layer of its own (random bytes), so no other namespace of this containerd holds it.
    const file = join(work, 'corrupt.tar');
    const manifest = writeOciArchive(file, 'test/corrupt:1', randomDataLayers(256 << 10, 1));
    await own.push(file, 'test/corrupt:1');
    const layers = (
      JSON.parse(readFileSync(own.blobPath(manifest), 'utf8')) as { layers: { digest: string }[] }
    ).layers;
    const digest = layers[1].digest;
    // Same size, other bytes: only the digest can tell.
    const path = own.blobPath(digest);
    writeFileSync(path, Buffer.alloc(statSync(path).size, 7));
    await assert.rejects(images.pull(n, `${own.host}/test/corrupt:1`), (err: Error) => {
      assert.equal((err as { code?: string }).code, ErrorCode.IMAGE_DIGEST_MISMATCH);
      assert.match(err.message, new RegExp(`^digest mismatch: blob ${digest} `));
      return true;
    });
    assert.deepEqual(namespaceState(ctd.socket, n), empty);
  } finally {
    await removeRegistry(own);
  }
});

test('the registry stopped mid-pull: a clear error, nothing left; a later pull succeeds', async () => {
  const n = ns('stopped');
  const own = await startRegistry();
  try {
    const file = join(work, 'big.tar');
    writeOciArchive(file, 'test/big:1', randomDataLayers(24 << 20, 1));
    await own.push(file, 'test/big:1');
    const ref = `${own.host}/test/big:1`;
    let stopping: Promise<void> | undefined;
    await assert.rejects(
      images.pull(n, ref, {
        onProgress: (p) => {
          if (p.bytesDone > 0 && !stopping) stopping = own.stop();
        },
      }),
      (err: Error) => {
        assert.equal((err as { code?: string }).code, ErrorCode.REGISTRY_UNREACHABLE, err.message);
        assert.match(err.message, new RegExp(`^cannot reach registry ${own.host.replace(/\./g, '\\.')}: `));
        return true;
      },
    );
    await stopping;
    assert.deepEqual(namespaceState(ctd.socket, n), empty);
    await own.start();
    const r = await images.pull(n, ref);
    assert.equal(r.record, 'created');
    assert.match(run(n, ref, 'ls', '/data-0.bin'), /data-0\.bin/);
  } finally {
    await removeRegistry(own);
  }
});
