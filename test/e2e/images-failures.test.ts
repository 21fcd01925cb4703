/**
 * End-to-end: broken archives and an unreachable containerd fail with a specific, typed error
 * naming the file or blob, and leave nothing behind: `ctr` shows the same images, content,
 * snapshots, leases and ingests before and after. Each case runs in a namespace that already
 * holds an image, so cleanup must also leave what was there before untouched.
 */
import { ErrorCode } from '../../src/error-codes.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ContainerdClient } from '../../src/containerd/client.js';
import { hasCode, type KukeonError } from '../../src/errors.js';
import { ImageService } from '../../src/images/image-service.js';
import { mutateOci, truncateArchive, withoutEntry } from '../helpers/images/archive-fixtures.js';
import {
  namespaceExists,
  namespaceState,
  removeNamespace,
  type NamespaceState,
} from '../helpers/images/containerd-state.js';
import { stopContainerd } from '../helpers/images/stop-containerd.js';
import { ctr, privateContainerd, testNamespace, type PrivateContainerd } from '../helpers/containerd.js';
import { testImages, writeOciArchive, writeTar } from '../../scripts/make-test-images.js';

let ctd: PrivateContainerd;
let client: ContainerdClient;
let images: ImageService;
let dir: string;
const namespaces: string[] = [];

before(() => {
  ctd = privateContainerd();
  client = new ContainerdClient(ctd.socket);
  images = new ImageService(client, { snapshotter: 'overlayfs' });
  dir = mkdtempSync(join(tmpdir(), `kukeon-imgfail-${process.pid}-`));
});

after(() => {
  client.close();
  for (const n of namespaces) removeNamespace(ctd.socket, n);
  for (const n of namespaces) assert.equal(namespaceExists(ctd.socket, n), false);
  stopContainerd(ctd);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(existsSync(dir), false);
});

/** A namespace holding busybox already, and its state. */
async function seeded(label: string): Promise<{ ns: string; before: NamespaceState }> {
  const ns = testNamespace(`imgf-${label}`);
  namespaces.push(ns);
  await images.import(ns, testImages().images.busybox.file);
  return { ns, before: namespaceState(ctd.socket, ns) };
}

async function failsCleanly(
  label: string,
  file: string,
  code: string,
  message: RegExp,
): Promise<KukeonError> {
  const { ns, before } = await seeded(label);
  let caught: unknown;
  await assert.rejects(images.import(ns, file), (err: unknown) => {
    caught = err;
    return true;
  });
  const err = caught as KukeonError;
  assert.ok(hasCode(err, code), `${label}: expected ${code}, got ${err.code ?? err}: ${err.message}`);
  assert.match(err.message, message, `${label}: message names the problem`);
  assert.deepEqual(namespaceState(ctd.socket, ns), before, `${label}: nothing left behind`);
  assert.equal(
    ctr(
      ctd.socket,
      ['run', '--rm', testImages().images.busybox.name, `t-${process.pid}-${label}`, 'echo', 'ok'],
      ns,
    ).trim(),
    'ok',
  );
  return err;
}

test('a truncated tarball: IMAGE_ARCHIVE_INVALID naming the file', async () => {
  const src = testImages().images.layered.file;
  const f = join(dir, 'truncated.tar');
  truncateArchive(src, f, Math.floor(readFileSync(src).length * 0.6));
  await failsCleanly('trunc', f, ErrorCode.IMAGE_ARCHIVE_INVALID, new RegExp(`${f}.*truncated`));
});

test('a layer whose bytes do not match its digest: IMAGE_DIGEST_MISMATCH naming the blob', async () => {
  // A layer no namespace of this daemon has seen: a blob the daemon already holds (in any
  // namespace) is committed from its verified copy and the archive's bytes are never read.
  const good = join(dir, 'unique.tar');
  const layer = writeTar([{ name: 'random.bin', type: 'file', data: randomBytes(256 << 10) }]);
  writeOciArchive(good, `kukeon.test/corrupt-${process.pid}:1`, [{ tar: layer, gzip: false }]);
  const f = join(dir, 'corrupt-layer.tar');
  await mutateOci(good, f, {
    layer: {
      index: 0,
      mutate: (b) => {
        b[b.length >> 1] ^= 0xff; // same size, different content
        return b;
      },
    },
  });
  const layerDigest = 'sha256:' + createHash('sha256').update(layer).digest('hex');
  const err = await failsCleanly(
    'badlayer',
    f,
    ErrorCode.IMAGE_DIGEST_MISMATCH,
    /has digest sha256:[0-9a-f]{64}/,
  );
  assert.ok(err.message.includes(layerDigest), 'names the blob');
  assert.ok(err.message.includes(f), 'names the file');
});

test('a layer that unpacks to a different diff ID: IMAGE_DIGEST_MISMATCH, written blobs collected', async () => {
  const f = join(dir, 'bad-diffid.tar');
  await mutateOci(testImages().images.uncompressed.file, f, {
    config: (c) => {
      (c.rootfs as { diff_ids: string[] }).diff_ids = ['sha256:' + '1'.repeat(64)];
    },
  });
  await failsCleanly('diffid', f, ErrorCode.IMAGE_DIGEST_MISMATCH, /diff ID sha256:1111/);
});

test('a tarball with no index.json or manifest.json: IMAGE_ARCHIVE_INVALID', async () => {
  const f = join(dir, 'noindex.tar');
  await withoutEntry(testImages().images.busybox.file, f, 'index.json');
  await failsCleanly(
    'noindex',
    f,
    ErrorCode.IMAGE_ARCHIVE_INVALID,
    /neither index\.json .* nor manifest\.json/,
  );
});

test('a missing containerd socket: CONTAINERD_UNAVAILABLE naming the socket, nothing written', async () => {
  const { ns, before } = await seeded('nosock');
  const socket = join(dir, 'no-such-containerd.sock');
  const lost = new ContainerdClient(socket);
  try {
    const svc = new ImageService(lost, { snapshotter: 'overlayfs' });
    await assert.rejects(
      svc.import(ns, testImages().images.layered.file),
      (err: Error) => hasCode(err, ErrorCode.CONTAINERD_UNAVAILABLE) && err.message.includes(socket),
    );
  } finally {
    lost.close();
  }
  assert.deepEqual(namespaceState(ctd.socket, ns), before);
});
