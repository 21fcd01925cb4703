/**
 * End-to-end: importing the test images into a private containerd, checked with ctr.
 * Proves unpack (snapshots named by chain ID exist before any `ctr run`, which would otherwise
 * unpack by itself), GC labels (images survive a synchronous GC), fast re-import, docker save,
 * delete reclaiming content and snapshots, and resolve re-unpacking a collected chain.
 */
import { ErrorCode } from '../../src/error-codes.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerdClient } from '../../src/containerd/client.js';
import { hasCode } from '../../src/errors.js';
import { ImageService } from '../../src/images/image-service.js';
import { GcLabel } from '../../src/images/media-types.js';
import type { ImportProgress } from '../../src/images/import-archive.js';
import {
  contentLabels,
  namespaceExists,
  namespaceState,
  removeNamespace,
} from '../helpers/images/containerd-state.js';
import { editIndex, readEntries, writeEntries } from '../helpers/images/archive-fixtures.js';
import { ctr, privateContainerd, testNamespace, type PrivateContainerd } from '../helpers/containerd.js';
import { stopContainerd } from '../helpers/images/stop-containerd.js';
import { gzipFixed, testImages, type TestImageKey } from '../../scripts/make-test-images.js';

let ctd: PrivateContainerd;
let client: ContainerdClient;
let images: ImageService;
const namespaces: string[] = [];

function ns(label: string): string {
  const n = testNamespace(`img-${label}`);
  namespaces.push(n);
  return n;
}

before(() => {
  ctd = privateContainerd();
  client = new ContainerdClient(ctd.socket);
  images = new ImageService(client, { snapshotter: 'overlayfs' });
});

after(() => {
  client.close();
  for (const n of namespaces) removeNamespace(ctd.socket, n);
  for (const n of namespaces) assert.equal(namespaceExists(ctd.socket, n), false, `namespace ${n} removed`);
  stopContainerd(ctd);
});

/** Runs a command in a throwaway container from `image` and returns its stdout. */
function run(namespace: string, image: string, ...cmd: string[]): string {
  const id = `t-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  return ctr(ctd.socket, ['run', '--rm', image, id, ...cmd], namespace);
}

const keys: TestImageKey[] = ['busybox', 'busyboxSleep', 'layered', 'uncompressed', 'nested', 'dockerSave'];

test('every test image imports, is listed by ctr, is unpacked by us, and runs echo', async () => {
  const n = ns('all');
  for (const key of keys) {
    const img = testImages().images[key];
    const progress: ImportProgress[] = [];
    const res = await images.import(n, img.file, { onProgress: (p) => progress.push(p) });
    assert.equal(res.unchanged, false, key);
    assert.equal(res.images.length, 1);
    assert.equal(res.images[0].name, img.name);
    assert.equal(res.images[0].target.digest, img.manifestDigest, `${key}: target digest`);
    assert.equal(res.images[0].chainId, img.chainId);
    const last = progress[progress.length - 1];
    assert.equal(last.phase, 'done');
    assert.equal(last.bytesDone, last.bytesTotal, `${key}: progress bytes complete`);
    assert.equal(last.layersDone, last.layersTotal);
    assert.equal(last.layersTotal, img.diffIds.length);

    const state = namespaceState(ctd.socket, n);
    assert.ok(state.images.includes(img.name), `${key}: ctr images ls shows ${img.name}`);
    assert.ok(
      state.snapshots.includes(img.chainId),
      `${key}: top snapshot ${img.chainId} committed by the importer`,
    );
    assert.deepEqual(state.leases, [], 'import lease deleted');
    assert.deepEqual(state.ingests, [], 'no ingest left');
    assert.equal(contentLabels(ctd.socket, n, img.configDigest)[GcLabel.snapshot('overlayfs')], img.chainId);
  }
  for (const key of keys) {
    const img = testImages().images[key];
    assert.equal(run(n, img.name, 'echo', `hello-${key}`).trim(), `hello-${key}`);
  }
  const layered = testImages().images.layered.name;
  assert.equal(run(n, layered, 'cat', '/etc/layer2').trim(), 'from layer 2');
  assert.match(
    run(n, layered, 'sh', '-c', 'test -e /etc/motd && echo present || echo whited-out'),
    /whited-out/,
  );
  assert.match(
    run(n, testImages().images.busybox.name, 'sh', '-c', 'test -e /etc/motd && echo present'),
    /present/,
  );
});

test('GC labels: after a synchronous GC (delete of another image) the images still run', async () => {
  const n = ns('gc');
  const { busybox, busyboxSleep, layered } = testImages().images;
  for (const img of [busybox, busyboxSleep, layered]) await images.import(n, img.file);
  const before = namespaceState(ctd.socket, n);
  await images.delete(n, layered.name); // sync: containerd GCs before it answers
  const afterGc = namespaceState(ctd.socket, n);
  assert.deepEqual(afterGc.images, [busybox.name, busyboxSleep.name].sort());
  assert.ok(!afterGc.snapshots.includes(layered.chainId), 'layer 2 snapshot of the deleted image reclaimed');
  assert.ok(afterGc.snapshots.includes(busybox.chainId), 'shared base snapshot kept');
  assert.ok(!afterGc.content.includes(layered.manifestDigest), 'deleted manifest reclaimed');
  for (const d of [busybox.manifestDigest, busybox.configDigest, busyboxSleep.configDigest]) {
    assert.ok(afterGc.content.includes(d), `${d} kept`);
  }
  assert.ok(afterGc.content.length < before.content.length);
  assert.equal(run(n, busybox.name, 'echo', 'still-runs').trim(), 'still-runs');
  assert.equal(run(n, busyboxSleep.name, 'echo', 'also').trim(), 'also');
});

test('re-importing an existing image is a fast no-op', async () => {
  const n = ns('reimport');
  const img = testImages().images.layered;
  const t0 = performance.now();
  await images.import(n, img.file);
  const first = performance.now() - t0;
  const before = namespaceState(ctd.socket, n);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const res = await images.import(n, img.file);
    times.push(performance.now() - t);
    assert.equal(res.unchanged, true);
    assert.equal(res.blobsWritten, 0);
    assert.equal(res.images[0].record, 'unchanged');
  }
  assert.deepEqual(namespaceState(ctd.socket, n), before, 'nothing changed');
  const median = times.sort((a, b) => a - b)[2];
  process.stdout.write(`# import ${first.toFixed(1)} ms, re-import median ${median.toFixed(1)} ms\n`);
  assert.ok(median < first, `re-import (${median} ms) is faster than the first import (${first} ms)`);
});

test('concurrent imports of the same archive into one namespace all succeed', async () => {
  // Several rounds: the races (ingest, Prepare's "target snapshot already exists", Commit, image
  // Create) only show up now and then.
  const img = testImages().images.layered;
  for (let round = 0; round < 3; round++) {
    const n = ns(`concurrent${round}`);
    const results = await Promise.all([1, 2, 3, 4].map(() => images.import(n, img.file)));
    for (const r of results) assert.equal(r.images[0].target.digest, img.manifestDigest);
    assert.equal(results.filter((r) => r.images[0].record === 'created').length, 1, 'one creator');
    const state = namespaceState(ctd.socket, n);
    assert.deepEqual(state.images, [img.name]);
    assert.ok(state.snapshots.includes(img.chainId));
    assert.deepEqual(state.leases, []);
    assert.deepEqual(state.ingests, []);
    assert.equal(run(n, img.name, 'cat', '/etc/layer2').trim(), 'from layer 2');
  }
});

test('importing an archive that re-points a name updates the record', async () => {
  const n = ns('repoint');
  const { busybox, busyboxSleep } = testImages().images;
  await images.import(n, busybox.file);
  // busybox-sleep's content under busybox's name.
  const dir = mkdtempSync(join(tmpdir(), `kukeon-repoint-${process.pid}-`));
  try {
    const f = join(dir, 'renamed.tar');
    await editIndex(busyboxSleep.file, f, (idx) => {
      (idx.manifests[0] as { annotations: Record<string, string> }).annotations['io.containerd.image.name'] =
        busybox.name;
    });
    const res = await images.import(n, f);
    assert.equal(res.images[0].record, 'updated');
    const got = await images.get(n, busybox.name);
    assert.equal(got.target.digest, busyboxSleep.manifestDigest);
    assert.ok(got.size > 1_000_000, `size ${got.size}`);
    const listed = await images.list(n);
    assert.deepEqual(
      listed.map((i) => i.name),
      [busybox.name],
    );
    assert.match(ctr(ctd.socket, ['images', 'ls'], n), new RegExp(busyboxSleep.manifestDigest));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('docker save archives import and run', async () => {
  const n = ns('docker');
  const img = testImages().images.dockerSave;
  const res = await images.import(n, img.file);
  assert.equal(res.images[0].target.digest, img.manifestDigest);
  assert.ok(namespaceState(ctd.socket, n).images.includes(img.name));
  assert.equal(run(n, img.name, 'sh', '-c', 'echo docker-$((1+1))').trim(), 'docker-2');
});

test('docker save with a gzip-compressed layer imports and runs', async () => {
  const n = ns('dockergz');
  const img = testImages().images.dockerSave;
  const dir = mkdtempSync(join(tmpdir(), `kukeon-dockergz-${process.pid}-`));
  try {
    const e = await readEntries(img.file);
    const layerPath = [...e.keys()].find((k) => k.endsWith('/layer.tar'))!;
    e.set(layerPath, gzipFixed(e.get(layerPath)!));
    const f = join(dir, 'docker-gz.tar');
    writeEntries(f, e);
    const res = await images.import(n, f);
    assert.equal(res.images[0].chainId, img.chainId);
    assert.ok(namespaceState(ctd.socket, n).snapshots.includes(img.chainId));
    assert.equal(run(n, img.name, 'echo', 'gz-ok').trim(), 'gz-ok');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resolve gives the config and chain ID, and re-unpacks a removed snapshot chain', async () => {
  const n = ns('resolve');
  const { busyboxSleep, layered } = testImages().images;
  await images.import(n, busyboxSleep.file);
  await images.import(n, layered.file);
  const r = await images.resolve(n, busyboxSleep.name);
  assert.equal(r.chainId, busyboxSleep.chainId);
  assert.equal(r.configDigest, busyboxSleep.configDigest);
  assert.deepEqual(r.config.cmd.slice(0, 2), ['sh', '-c']);
  assert.deepEqual(r.config.entrypoint, []);
  assert.ok(r.config.env.some((e) => e.startsWith('PATH=')));
  assert.equal(r.config.workingDir, '/');

  // Remove layered's top snapshot by hand; resolve must bring it back.
  ctr(ctd.socket, ['snapshots', 'rm', layered.chainId], n);
  assert.ok(!namespaceState(ctd.socket, n).snapshots.includes(layered.chainId));
  const lookup = await images.resolve(n, layered.name, { unpack: false });
  assert.equal(lookup.chainId, layered.chainId);
  assert.ok(
    !namespaceState(ctd.socket, n).snapshots.includes(layered.chainId),
    'lookup only: nothing unpacked',
  );
  const again = await images.resolve(n, layered.name);
  assert.equal(again.chainId, layered.chainId);
  const state = namespaceState(ctd.socket, n);
  assert.ok(state.snapshots.includes(layered.chainId), 're-unpacked');
  assert.deepEqual(state.leases, []);
  assert.equal(run(n, layered.name, 'cat', '/etc/layer2').trim(), 'from layer 2');
});

test('get, resolve and delete of a missing image give IMAGE_NOT_FOUND', async () => {
  const n = ns('missing');
  const notFound = (err: unknown) => hasCode(err, ErrorCode.IMAGE_NOT_FOUND);
  await assert.rejects(images.get(n, 'kukeon.test/nope:1'), notFound);
  await assert.rejects(images.resolve(n, 'kukeon.test/nope:1'), notFound);
  await assert.rejects(images.delete(n, 'kukeon.test/nope:1'), notFound);
  await assert.rejects(images.resolve(n, ''), notFound);
});

test('delete (sync) reclaims all content and snapshots of an unshared image', async () => {
  const n = ns('delete');
  const img = testImages().images.layered;
  await images.import(n, img.file);
  const before = namespaceState(ctd.socket, n);
  assert.equal(before.snapshots.length, 2);
  assert.equal(before.content.length, 4);
  await images.delete(n, img.name);
  assert.deepEqual(namespaceState(ctd.socket, n), {
    images: [],
    content: [],
    snapshots: [],
    leases: [],
    ingests: [],
  });
});
