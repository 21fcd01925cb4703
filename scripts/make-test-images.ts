/**
 * Builds the test images every end-to-end test and benchmark uses, from the host's static busybox
 * (`/usr/bin/busybox`, Debian package busybox-static). No registry, no docker.
 *
 * Digests are reproducible: tar entries are sorted, owned by 0:0 with a fixed mtime, and gzip is
 * written with a fixed header (mtime 0, OS 255) around zlib's raw deflate at a fixed level. The
 * same busybox binary therefore always gives the same manifest digests.
 *
 *   node dist/scripts/make-test-images.js OUTDIR      # writes OUTDIR/*.tar and OUTDIR/images.json
 *
 * Tests import `testImages()`, which reuses `$KUKEON_TEST_IMAGES_DIR` (set by scripts/test.sh)
 * or builds into a temporary directory once per process (removed when the process exits).
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateRawSync, crc32 } from 'node:zlib';

/** One built archive, as printed in the JSON summary. */
export interface TestImage {
  /** Absolute path of the tarball. */
  file: string;
  /** Image name recorded in the archive (what `ctr images ls` shows after import). */
  name: string;
  /** Digest of the manifest the image record points at. */
  manifestDigest: string;
  /** Digest of the image config. */
  configDigest: string;
  /** Diff IDs of the layers, bottom first. */
  diffIds: string[];
  /** Chain ID of the top layer (the snapshot a container's rootfs is prepared from). */
  chainId: string;
  /** `oci` (OCI image layout) or `docker` (docker save). */
  format: 'oci' | 'docker';
}

export interface TestImages {
  dir: string;
  images: Record<TestImageKey, TestImage>;
}

export type TestImageKey = 'busybox' | 'busyboxSleep' | 'layered' | 'uncompressed' | 'nested' | 'dockerSave';

export const busyboxPath = '/usr/bin/busybox';
/** Fixed timestamp for every tar entry and the config's `created`. */
const epoch = new Date('2026-01-01T00:00:00Z');
const mediaTypes = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
};

// ---------------------------------------------------------------------------------------------
// Minimal deterministic tar (ustar) writer: every entry we write has a short name.

export interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink';
  data?: Buffer;
  mode?: number;
  linkname?: string;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function tarHeader(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  let name = e.name;
  if (e.type === 'dir' && !name.endsWith('/')) name += '/';
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  h.write(name, 0, 100, 'utf8');
  const mode = e.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644);
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108); // uid
  h.write(octal(0, 8), 116); // gid
  h.write(octal(size, 12), 124);
  h.write(octal(Math.floor(epoch.getTime() / 1000), 12), 136);
  h.write('        ', 148); // checksum placeholder
  h.write(e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0', 156);
  if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write('root', 265);
  h.write('root', 297);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

/** Serialises entries in the given order (callers sort when order matters for digests). */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    parts.push(tarHeader(e, data.length), data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** gzip with a fixed 10-byte header, so the output depends only on the input and zlib. */
export function gzipFixed(data: Buffer): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data) >>> 0, 0);
  trailer.writeUInt32LE(data.length >>> 0, 4);
  return Buffer.concat([header, deflateRawSync(data, { level: 9 }), trailer]);
}

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) out.push(out.length === 0 ? d : sha256(`${out[out.length - 1]} ${d}`));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Root filesystem layers

function sortEntries(entries: TarEntry[]): TarEntry[] {
  return [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function applets(busybox: string): string[] {
  const list = execFileSync(busybox, ['--list'], { encoding: 'utf8' });
  return [...new Set(list.split('\n').map((s) => s.trim()))]
    .filter((s) => s && s !== 'busybox' && !s.includes('/'))
    .sort();
}

function baseLayerEntries(busybox: string): TarEntry[] {
  const entries: TarEntry[] = [
    ...['bin', 'dev', 'etc', 'proc', 'root', 'sys', 'usr', 'usr/bin', 'var', 'var/www'].map(
      (name): TarEntry => ({ name, type: 'dir' }),
    ),
    { name: 'root', type: 'dir', mode: 0o700 },
    { name: 'tmp', type: 'dir', mode: 0o1777 },
    { name: 'bin/busybox', type: 'file', mode: 0o755, data: readFileSync(busybox) },
    {
      name: 'etc/passwd',
      type: 'file',
      data: Buffer.from(
        'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
      ),
    },
    { name: 'etc/group', type: 'file', data: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
    { name: 'etc/motd', type: 'file', data: Buffer.from('kukeon test image\n') },
    { name: 'var/www/index.html', type: 'file', data: Buffer.from('kukeon test page\n') },
  ];
  for (const a of applets(busybox)) entries.push({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' });
  // 'root' appears twice above (first default mode); keep the last (0700).
  const byName = new Map(entries.map((e) => [e.name, e]));
  return sortEntries([...byName.values()]);
}

/** Second layer of the layered image: adds a file and deletes /etc/motd through a whiteout. */
function secondLayerEntries(): TarEntry[] {
  return sortEntries([
    { name: 'etc', type: 'dir' },
    { name: 'etc/.wh.motd', type: 'file', data: Buffer.alloc(0) },
    { name: 'etc/layer2', type: 'file', data: Buffer.from('from layer 2\n') },
  ]);
}

// ---------------------------------------------------------------------------------------------
// Image assembly

interface Blob {
  digest: string;
  data: Buffer;
}

export interface Layer {
  tar: Buffer;
  gzip: boolean;
}

interface BuiltImage {
  blobs: Blob[];
  manifest: Blob;
  config: Blob;
  diffIds: string[];
  layerBlobs: Blob[];
}

function goArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

function blobOf(data: Buffer | string): Blob {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
  return { digest: sha256(buf), data: buf };
}

function buildImage(layers: Layer[], cmd: string[], dockerMediaTypes = false): BuiltImage {
  const diffIds = layers.map((l) => sha256(l.tar));
  const layerBlobs = layers.map((l) => blobOf(l.gzip ? gzipFixed(l.tar) : l.tar));
  const config = blobOf(
    JSON.stringify({
      created: epoch.toISOString(),
      architecture: goArch(),
      os: 'linux',
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        Cmd: cmd,
        WorkingDir: '/',
      },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map(() => ({ created: epoch.toISOString(), created_by: 'kukeon make-test-images' })),
    }),
  );
  const layerType = (l: Layer): string =>
    dockerMediaTypes
      ? 'application/vnd.docker.image.rootfs.diff.tar' + (l.gzip ? '.gzip' : '')
      : l.gzip
        ? mediaTypes.layerGzip
        : mediaTypes.layerTar;
  const manifest = blobOf(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: dockerMediaTypes
        ? 'application/vnd.docker.distribution.manifest.v2+json'
        : mediaTypes.manifest,
      config: {
        mediaType: dockerMediaTypes ? 'application/vnd.docker.container.image.v1+json' : mediaTypes.config,
        digest: config.digest,
        size: config.data.length,
      },
      layers: layers.map((l, i) => ({
        mediaType: layerType(l),
        digest: layerBlobs[i].digest,
        size: layerBlobs[i].data.length,
      })),
    }),
  );
  return { blobs: [config, ...layerBlobs, manifest], manifest, config, diffIds, layerBlobs };
}

function blobEntries(blobs: Blob[]): TarEntry[] {
  const seen = new Map<string, Blob>();
  for (const b of blobs) seen.set(b.digest, b);
  return [
    { name: 'blobs', type: 'dir' },
    { name: 'blobs/sha256', type: 'dir' },
    ...[...seen.values()]
      .sort((a, b) => (a.digest < b.digest ? -1 : 1))
      .map((b): TarEntry => ({ name: `blobs/sha256/${b.digest.slice(7)}`, type: 'file', data: b.data })),
  ];
}

/**
 * OCI image layout. index.json and oci-layout are written AFTER the blobs on purpose: that is
 * the order `ctr export` uses, and the importer must cope with learning the manifest last.
 */
function ociArchive(img: BuiltImage, name: string, nested = false): { tar: Buffer; top: Blob } {
  const platform = { architecture: goArch(), os: 'linux' };
  const nameAnnotations = {
    'io.containerd.image.name': name,
    'org.opencontainers.image.ref.name': name.split(':').pop(),
  };
  const manifestDesc = {
    mediaType: mediaTypes.manifest,
    digest: img.manifest.digest,
    size: img.manifest.data.length,
    platform,
  };
  const extra: Blob[] = [];
  let top: Blob = img.manifest;
  let indexEntry: Record<string, unknown> = { ...manifestDesc, annotations: nameAnnotations };
  if (nested) {
    // index.json → image index blob → manifest, as multi-platform images are shipped.
    const inner = blobOf(
      JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.index, manifests: [manifestDesc] }),
    );
    extra.push(inner);
    top = inner;
    indexEntry = {
      mediaType: mediaTypes.index,
      digest: inner.digest,
      size: inner.data.length,
      annotations: nameAnnotations,
    };
  }
  const index = { schemaVersion: 2, mediaType: mediaTypes.index, manifests: [indexEntry] };
  const tar = writeTar([
    ...blobEntries([...img.blobs, ...extra]),
    { name: 'oci-layout', type: 'file', data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { name: 'index.json', type: 'file', data: Buffer.from(JSON.stringify(index)) },
  ]);
  return { tar, top };
}

/** `docker save` layout: `<hex>.json` config, `<hex>/layer.tar`, manifest.json, repositories. */
function dockerArchive(tar: Buffer, name: string): { tar: Buffer; config: Blob } {
  const img = buildImage([{ tar, gzip: false }], ['sh']);
  const layerId = img.diffIds[0].slice(7);
  const config = img.config;
  const repo = name.slice(0, name.lastIndexOf(':'));
  const tag = name.slice(name.lastIndexOf(':') + 1);
  const out = writeTar([
    { name: `${config.digest.slice(7)}.json`, type: 'file', data: config.data },
    { name: layerId, type: 'dir' },
    { name: `${layerId}/VERSION`, type: 'file', data: Buffer.from('1.0') },
    { name: `${layerId}/json`, type: 'file', data: Buffer.from(JSON.stringify({ id: layerId })) },
    { name: `${layerId}/layer.tar`, type: 'file', data: tar },
    {
      name: 'manifest.json',
      type: 'file',
      data: Buffer.from(
        JSON.stringify([
          { Config: `${config.digest.slice(7)}.json`, RepoTags: [name], Layers: [`${layerId}/layer.tar`] },
        ]),
      ),
    },
    { name: 'repositories', type: 'file', data: Buffer.from(JSON.stringify({ [repo]: { [tag]: layerId } })) },
  ]);
  return { tar: out, config };
}

/**
 * Writes a one-image OCI archive from raw layer tars (benchmarks build large images with it).
 * Returns the manifest digest.
 */
export function writeOciArchive(file: string, name: string, layers: Layer[], cmd: string[] = ['sh']): string {
  const img = buildImage(layers, cmd);
  const { tar, top } = ociArchive(img, name);
  writeFileSync(file, tar);
  return top.digest;
}

/**
 * `count` gzip layers of incompressible random data, `totalBytes` in all (each one file), over the
 * busybox layer: the large multi-layer image of the pull benchmark and tests.
 */
export function randomDataLayers(totalBytes: number, count: number): Layer[] {
  const each = Math.floor(totalBytes / count);
  return [
    { tar: busyboxLayerTar(), gzip: true },
    ...Array.from({ length: count }, (_, i) => ({
      tar: writeTar([{ name: `data-${i}.bin`, type: 'file', data: randomBytes(each) }]),
      gzip: true,
    })),
  ];
}

export interface PlatformImage {
  platform: { os: string; architecture: string; variant?: string };
  layers: Layer[];
  cmd?: string[];
}

/**
 * A multi-platform OCI archive: index.json → an image index with one manifest per entry (each
 * with its platform). Returns the index digest and the manifest digests in entry order.
 */
export function writeMultiPlatformArchive(
  file: string,
  name: string,
  entries: PlatformImage[],
): { index: string; manifests: string[] } {
  const built = entries.map((e) => buildImage(e.layers, e.cmd ?? ['sh']));
  const inner = blobOf(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.index,
      manifests: built.map((img, i) => ({
        mediaType: mediaTypes.manifest,
        digest: img.manifest.digest,
        size: img.manifest.data.length,
        platform: entries[i].platform,
      })),
    }),
  );
  const index = {
    schemaVersion: 2,
    mediaType: mediaTypes.index,
    manifests: [
      {
        mediaType: mediaTypes.index,
        digest: inner.digest,
        size: inner.data.length,
        annotations: {
          'io.containerd.image.name': name,
          'org.opencontainers.image.ref.name': name.split(':').pop(),
        },
      },
    ],
  };
  writeFileSync(
    file,
    writeTar([
      ...blobEntries([...built.flatMap((b) => b.blobs), inner]),
      {
        name: 'oci-layout',
        type: 'file',
        data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })),
      },
      { name: 'index.json', type: 'file', data: Buffer.from(JSON.stringify(index)) },
    ]),
  );
  return { index: inner.digest, manifests: built.map((b) => b.manifest.digest) };
}

/** The busybox root filesystem layer as an uncompressed tar. */
export function busyboxLayerTar(busybox = busyboxPath): Buffer {
  return writeTar(baseLayerEntries(busybox));
}

/** Builds every test image into `outDir` and writes `outDir/images.json`. */
export function makeTestImages(outDir: string, busybox = busyboxPath): TestImages {
  if (!existsSync(busybox)) {
    throw new Error(`${busybox} not found: install the busybox-static package (scripts/install-prereqs.sh)`);
  }
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const base = writeTar(baseLayerEntries(busybox));
  const second = writeTar(secondLayerEntries());
  const images = {} as Record<TestImageKey, TestImage>;

  const add = (
    key: TestImageKey,
    fileName: string,
    name: string,
    img: BuiltImage,
    tar: Buffer,
    top: Blob,
  ): void => {
    const file = join(dir, fileName);
    writeFileSync(file, tar);
    const chain = chainIds(img.diffIds);
    images[key] = {
      file,
      name,
      manifestDigest: top.digest,
      configDigest: img.config.digest,
      diffIds: img.diffIds,
      chainId: chain[chain.length - 1],
      format: 'oci',
    };
  };

  const oci = (
    key: TestImageKey,
    fileName: string,
    name: string,
    layers: Layer[],
    cmd: string[],
    nested = false,
  ) => {
    const img = buildImage(layers, cmd);
    const { tar, top } = ociArchive(img, name, nested);
    add(key, fileName, name, img, tar, top);
  };

  oci('busybox', 'busybox.tar', 'kukeon.test/busybox:1', [{ tar: base, gzip: true }], ['sh']);
  // A cell's root: sleeps until told to stop, and exits at once on SIGTERM (PID 1 has no default
  // SIGTERM action, so the trap is what makes a graceful stop quick).
  oci(
    'busyboxSleep',
    'busybox-sleep.tar',
    'kukeon.test/busybox-sleep:1',
    [{ tar: base, gzip: true }],
    ['sh', '-c', "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"],
  );
  oci(
    'layered',
    'busybox-layered.tar',
    'kukeon.test/busybox-layered:1',
    [
      { tar: base, gzip: true },
      { tar: second, gzip: true },
    ],
    ['sh'],
  );
  oci(
    'uncompressed',
    'busybox-uncompressed.tar',
    'kukeon.test/busybox-uncompressed:1',
    [{ tar: base, gzip: false }],
    ['sh'],
  );
  oci(
    'nested',
    'busybox-nested.tar',
    'kukeon.test/busybox-nested:1',
    [{ tar: base, gzip: true }],
    ['sh'],
    true,
  );

  const dockerName = 'kukeon.test/busybox-docker:1';
  const docker = dockerArchive(base, dockerName);
  const dockerFile = join(dir, 'busybox-docker.tar');
  writeFileSync(dockerFile, docker.tar);
  // What the importer records for a docker archive: a docker schema 2 manifest built from
  // manifest.json (diff ID = digest of the uncompressed layer), the same as containerd does.
  const dockerImg = buildImage([{ tar: base, gzip: false }], ['sh'], true);
  images.dockerSave = {
    file: dockerFile,
    name: dockerName,
    manifestDigest: dockerImg.manifest.digest,
    configDigest: docker.config.digest,
    diffIds: dockerImg.diffIds,
    chainId: dockerImg.diffIds[0],
    format: 'docker',
  };

  const summary: TestImages = { dir, images };
  writeFileSync(join(dir, 'images.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

let cached: TestImages | undefined;

/**
 * The test images for this process: `$KUKEON_TEST_IMAGES_DIR/images.json` when scripts/test.sh
 * built them, otherwise built once into a temporary directory that is removed at process exit
 * (several tests in one process share it).
 */
export function testImages(): TestImages {
  if (cached) return cached;
  const envDir = process.env.KUKEON_TEST_IMAGES_DIR;
  if (envDir && existsSync(join(envDir, 'images.json'))) {
    cached = JSON.parse(readFileSync(join(envDir, 'images.json'), 'utf8')) as TestImages;
  } else {
    const dir = mkdtempSync(join(tmpdir(), `kukeon-images-${process.pid}-`));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cached = makeTestImages(dir);
  }
  return cached;
}

const invokedDirectly =
  process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname);
if (invokedDirectly) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node dist/scripts/make-test-images.js OUTDIR\n');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(makeTestImages(out), null, 2) + '\n');
}
