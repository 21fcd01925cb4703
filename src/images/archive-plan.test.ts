import { ErrorCode } from '../error-codes.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '../errors.js';
import { gzipFixed, testImages } from '../../scripts/make-test-images.js';
import { createHash } from 'node:crypto';
import { planArchive, type ArchivePlan } from './archive-plan.js';
import { GcLabel, MediaType } from './media-types.js';
import { readTarIndex } from './tar-index.js';
import {
  editIndex,
  mutateOci,
  readEntries,
  withoutEntry,
  writeEntries,
} from '../../test/helpers/images/archive-fixtures.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), `kukeon-plan-${process.pid}-`));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(existsSync(dir), false);
});

const plan = async (file: string, opts = {}): Promise<ArchivePlan> =>
  planArchive(file, await readTarIndex(file), opts);
const images = () => testImages().images;

test('single-layer OCI image: name, target, children before the labelled manifest', async () => {
  const img = images().busybox;
  const p = await plan(img.file);
  assert.equal(p.format, 'oci');
  assert.equal(p.images.length, 1);
  assert.equal(p.images[0].name, img.name);
  assert.equal(p.images[0].target.digest, img.manifestDigest);
  assert.equal(p.images[0].target.mediaType, MediaType.ociManifest);
  assert.deepEqual(p.images[0].manifests[0].diffIds, img.diffIds);
  assert.deepEqual(p.images[0].manifests[0].configFile.config?.Cmd, ['sh']);
  const order = p.blobs.map((b) => b.desc.digest);
  const layer = p.images[0].manifests[0].layers[0];
  assert.equal(layer.mediaType, MediaType.ociLayerGzip);
  assert.deepEqual(order, [img.configDigest, layer.digest, img.manifestDigest]);
  assert.deepEqual(p.blobs[2].labels, {
    [GcLabel.config]: img.configDigest,
    [GcLabel.layer(0)]: layer.digest,
  });
  assert.equal(p.blobs[1].source?.kind, 'tar', 'layers stream from the file');
});

test('two layers: both referenced from the manifest, in order', async () => {
  const p = await plan(images().layered.file);
  const m = p.images[0].manifests[0];
  assert.equal(m.layers.length, 2);
  const labels = p.blobs[p.blobs.length - 1].labels;
  assert.equal(labels[GcLabel.layer(0)], m.layers[0].digest);
  assert.equal(labels[GcLabel.layer(1)], m.layers[1].digest);
});

test('uncompressed layers keep their media type', async () => {
  const p = await plan(images().uncompressed.file);
  assert.equal(p.images[0].manifests[0].layers[0].mediaType, MediaType.ociLayer);
});

test('nested index: the record targets the index, which references the manifest', async () => {
  const img = images().nested;
  const p = await plan(img.file);
  assert.equal(p.images[0].target.mediaType, MediaType.ociIndex);
  assert.equal(p.images[0].target.digest, img.manifestDigest);
  const last = p.blobs[p.blobs.length - 1];
  assert.equal(last.desc.digest, img.manifestDigest);
  assert.equal(last.labels[GcLabel.manifest(0)], p.images[0].manifests[0].desc.digest);
});

test('docker save: converted to a docker schema 2 manifest with the expected digest', async () => {
  const img = images().dockerSave;
  const p = await plan(img.file);
  assert.equal(p.format, 'docker');
  assert.equal(p.images[0].name, img.name);
  assert.equal(p.images[0].target.digest, img.manifestDigest);
  assert.equal(p.images[0].manifests[0].layers[0].mediaType, MediaType.dockerLayer);
  assert.equal(p.images[0].manifests[0].layers[0].digest, img.diffIds[0]);
});

test('an archive with neither index.json nor manifest.json is rejected', async () => {
  const f = join(dir, 'noindex.tar');
  await withoutEntry(images().busybox.file, f, 'index.json');
  await assert.rejects(
    plan(f),
    (err: Error) => hasCode(err, ErrorCode.IMAGE_ARCHIVE_INVALID) && /index\.json/.test(err.message),
  );
});

test('a manifest blob whose bytes do not match its digest is rejected, naming it', async () => {
  const img = images().busybox;
  const f = join(dir, 'badmanifest.tar');
  // Same size, different bytes: only the digest check can catch it.
  const e = await readEntries(img.file);
  const key = `blobs/sha256/${img.manifestDigest.slice(7)}`;
  const edited = e.get(key)!.toString().replace('"schemaVersion":2', '"schemaVersion":3');
  assert.equal(edited.length, e.get(key)!.length);
  e.set(key, Buffer.from(edited));
  writeEntries(f, e);
  await assert.rejects(
    plan(f),
    (err: Error) => hasCode(err, ErrorCode.IMAGE_DIGEST_MISMATCH) && err.message.includes(img.manifestDigest),
  );
});

test('a config whose diff IDs do not match the layer count is rejected', async () => {
  const f = join(dir, 'diffcount.tar');
  await mutateOci(images().busybox.file, f, {
    config: (c) => {
      (c.rootfs as { diff_ids: string[] }).diff_ids.push('sha256:' + '0'.repeat(64));
    },
  });
  await assert.rejects(
    plan(f),
    (err: Error) => hasCode(err, ErrorCode.IMAGE_ARCHIVE_INVALID) && /diff IDs/.test(err.message),
  );
});

test('platform filtering: a foreign-only archive gives IMAGE_PLATFORM_NOT_FOUND', async () => {
  const f = join(dir, 'foreign.tar');
  await editIndex(images().busybox.file, f, (idx) => {
    (idx.manifests[0] as { platform: unknown }).platform = { os: 'linux', architecture: 'riscv64' };
  });
  await assert.rejects(plan(f), (err: Error) => hasCode(err, ErrorCode.IMAGE_PLATFORM_NOT_FOUND));
  const p = await plan(f, { platform: { os: 'linux', architecture: 'riscv64' } });
  assert.equal(p.images.length, 1);
});

test('names: containerd annotation, tag-only ref joined with a base name, or an explicit fallback', async () => {
  const f = join(dir, 'names.tar');
  await editIndex(images().busybox.file, f, (idx) => {
    (idx.manifests[0] as { annotations: Record<string, string> }).annotations = {
      'org.opencontainers.image.ref.name': '7',
    };
  });
  await assert.rejects(plan(f), (err: Error) => hasCode(err, ErrorCode.IMAGE_NAME_MISSING));
  assert.equal((await plan(f, { baseName: 'kukeon.test/x' })).images[0].name, 'kukeon.test/x:7');
  assert.equal((await plan(f, { name: 'kukeon.test/y:1' })).images[0].name, 'kukeon.test/y:1');
});

test('two names for one manifest: two images, each blob planned once', async () => {
  const img = images().busybox;
  const f = join(dir, 'twonames.tar');
  await editIndex(img.file, f, (idx) => {
    const copy = JSON.parse(JSON.stringify(idx.manifests[0])) as { annotations: Record<string, string> };
    copy.annotations['io.containerd.image.name'] = 'kukeon.test/other:2';
    idx.manifests.push(copy);
  });
  const p = await plan(f);
  assert.deepEqual(
    p.images.map((i) => i.name),
    [img.name, 'kukeon.test/other:2'],
  );
  assert.equal(p.blobs.length, 3);
});

test('docker save with a gzip layer: detected, hashed, typed as a gzip docker layer', async () => {
  const img = images().dockerSave;
  const e = await readEntries(img.file);
  const layerPath = [...e.keys()].find((k) => k.endsWith('/layer.tar'))!;
  const gz = gzipFixed(e.get(layerPath)!);
  e.set(layerPath, gz);
  const f = join(dir, 'docker-gz.tar');
  writeEntries(f, e);
  const p = await plan(f);
  const layer = p.images[0].manifests[0].layers[0];
  assert.equal(layer.mediaType, MediaType.dockerLayerGzip);
  assert.equal(layer.digest, 'sha256:' + createHash('sha256').update(gz).digest('hex'));
  assert.equal(layer.size, gz.length);
  assert.deepEqual(p.images[0].manifests[0].diffIds, img.diffIds);
});

test('image names with whitespace or control characters are refused', async () => {
  const f = join(dir, 'badname.tar');
  await editIndex(images().busybox.file, f, (idx) => {
    (idx.manifests[0] as { annotations: Record<string, string> }).annotations['io.containerd.image.name'] =
      'kukeon.test/x:1\nFAKE LOG LINE';
  });
  await assert.rejects(
    plan(f),
    (err: Error) => hasCode(err, ErrorCode.IMAGE_ARCHIVE_INVALID) && /invalid image name/.test(err.message),
  );
});
