import { ErrorCode } from '../error-codes.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '../errors.js';
import { testImages, writeTar } from '../../scripts/make-test-images.js';
import { readTarFile, readTarIndex, streamTarFile } from './tar-index.js';
import { truncateArchive } from '../../test/helpers/images/archive-fixtures.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), `kukeon-tarindex-${process.pid}-`));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  assert.equal(existsSync(dir), false);
});

const invalid = (err: unknown) => hasCode(err, ErrorCode.IMAGE_ARCHIVE_INVALID);

test('indexes an OCI archive: every blob with its offset and size', async () => {
  const img = testImages().images.busybox;
  const idx = await readTarIndex(img.file);
  assert.ok(idx.has('index.json'));
  assert.ok(idx.has('oci-layout'));
  const m = idx.get(`blobs/sha256/${img.manifestDigest.slice(7)}`);
  assert.ok(m, 'manifest blob indexed');
  const data = await readTarFile(img.file, m);
  assert.equal(data.length, m.size);
  assert.match(data.toString(), /"schemaVersion":2/);
});

test('streams an entry straight from its offset', async () => {
  const f = join(dir, 'small.tar');
  const payload = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
  writeFileSync(
    f,
    writeTar([
      { name: 'a', type: 'file', data: Buffer.from('x') },
      { name: 'big', type: 'file', data: payload },
    ]),
  );
  const idx = await readTarIndex(f);
  const parts: Buffer[] = [];
  for await (const c of streamTarFile(f, idx.get('big')!)) parts.push(c as Buffer);
  assert.deepEqual(Buffer.concat(parts), payload);
  const empty: Buffer[] = [];
  writeFileSync(f, writeTar([{ name: 'e', type: 'file', data: Buffer.alloc(0) }]));
  for await (const c of streamTarFile(f, (await readTarIndex(f)).get('e')!)) empty.push(c as Buffer);
  assert.equal(Buffer.concat(empty).length, 0);
});

test('a truncated tarball is reported before anything else happens', async () => {
  const img = testImages().images.busybox;
  const size = readFileSync(img.file).length;
  for (const cut of [700, Math.floor(size / 2), size - 1024 - 100]) {
    const f = join(dir, `trunc-${cut}.tar`);
    truncateArchive(img.file, f, cut);
    await assert.rejects(
      readTarIndex(f),
      (err: Error) => invalid(err) && /truncated/.test(err.message) && err.message.includes(f),
    );
  }
});

test('garbage, gzip-compressed and missing files are invalid archives', async () => {
  const g = join(dir, 'garbage.tar');
  writeFileSync(g, Buffer.alloc(4096, 0x41));
  await assert.rejects(readTarIndex(g), (err: Error) => invalid(err) && /checksum/.test(err.message));
  const z = join(dir, 'z.tar.gz');
  writeFileSync(z, execFileSync('gzip', ['-c', testImages().images.busybox.file], { maxBuffer: 64 << 20 }));
  await assert.rejects(readTarIndex(z), (err: Error) => invalid(err) && /gzip/.test(err.message));
  await assert.rejects(readTarIndex(join(dir, 'nope.tar')), invalid);
});

test('long names (GNU and PAX) and links made by GNU tar resolve', async () => {
  const src = join(dir, 'src');
  const long = 'd'.repeat(60) + '/' + 'f'.repeat(80);
  mkdirSync(join(src, 'd'.repeat(60)), { recursive: true });
  writeFileSync(join(src, long), 'long');
  writeFileSync(join(src, 'target'), 'tgt');
  symlinkSync('target', join(src, 'sym'));
  for (const format of ['gnu', 'pax']) {
    const f = join(dir, `${format}.tar`);
    execFileSync('tar', [`--format=${format}`, '-C', src, '-cf', f, '.']);
    const idx = await readTarIndex(f);
    assert.equal((await readTarFile(f, idx.get(long)!)).toString(), 'long', format);
    assert.equal((await readTarFile(f, idx.get('sym')!)).toString(), 'tgt', format);
  }
});

test('a POSIX ustar name prefix is joined to the name', async () => {
  const f = join(dir, 'prefix.tar');
  const dirPart = 'p'.repeat(120);
  execFileSync('mkdir', ['-p', join(dir, 'psrc', dirPart)]);
  writeFileSync(join(dir, 'psrc', dirPart, 'file'), 'prefixed');
  execFileSync('tar', ['--format=ustar', '-C', join(dir, 'psrc'), '-cf', f, `${dirPart}/file`]);
  const idx = await readTarIndex(f);
  assert.equal((await readTarFile(f, idx.get(`${dirPart}/file`)!)).toString(), 'prefixed');
});
