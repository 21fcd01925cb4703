import { ErrorCode } from '../error-codes.js';
import { open, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ImageError } from './errors.js';

/** One regular file inside a tarball: where its bytes are, so they can be read without a rescan. */
export interface TarFile {
  name: string;
  /** Byte offset of the data in the tarball. */
  offset: number;
  size: number;
}

/** Regular files of a tarball by normalised path (no leading `./`), symlinks resolved one level. */
export type TarIndex = Map<string, TarFile>;

const block = 512;

function invalid(file: string, why: string): ImageError {
  return new ImageError(ErrorCode.IMAGE_ARCHIVE_INVALID, `${file}: not a valid tar archive: ${why}`);
}

function cstring(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + len ? start + len : end);
}

function parseNumber(buf: Buffer, start: number, len: number): number {
  // GNU base-256 for sizes ≥ 8 GiB: high bit of the first byte set.
  if (buf[start] & 0x80) {
    let n = buf[start] & 0x7f;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + buf[i];
    return n;
  }
  const s = cstring(buf, start, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < block; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === parseNumber(h, 148, 8);
}

/** PAX extended header records: `<len> <key>=<value>\n`. */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp === -1) break;
    const len = parseInt(data.toString('ascii', pos, sp), 10);
    if (!len) break;
    const rec = data.toString('utf8', sp + 1, pos + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

export function normalisePath(p: string): string {
  return p
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
}

/**
 * Reads only the 512-byte headers of `file` (seeking over the data) and returns where each
 * regular file's bytes are. A tarball whose last entry runs past the end of the file is
 * reported as truncated here, before anything is written to containerd.
 */
export async function readTarIndex(file: string): Promise<TarIndex> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    throw new ImageError(ErrorCode.IMAGE_ARCHIVE_INVALID, `${file}: cannot open: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    const { size: fileSize } = await fh.stat();
    const index: TarIndex = new Map();
    const links: Array<[string, string]> = [];
    const h = Buffer.alloc(block);
    let pos = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    let sawEnd = false;
    while (pos + block <= fileSize) {
      const { bytesRead } = await fh.read(h, 0, block, pos);
      if (bytesRead < block) throw invalid(file, `truncated header at byte ${pos}`);
      if (h.every((b) => b === 0)) {
        sawEnd = true;
        break;
      }
      if (pos === 0 && h[0] === 0x1f && h[1] === 0x8b) {
        throw invalid(file, 'the archive is gzip-compressed; decompress it first (gunzip)');
      }
      if (!checksumOk(h)) throw invalid(file, `bad header checksum at byte ${pos}`);
      const type = String.fromCharCode(h[156] || 0x30);
      // POSIX ustar ("ustar\0") has a name prefix at 345; old GNU ("ustar ") keeps times there.
      const prefix = h.toString('ascii', 257, 263) === 'ustar\0' ? cstring(h, 345, 155) : '';
      const rawName = cstring(h, 0, 100);
      const size = pax.size !== undefined ? Number(pax.size) : parseNumber(h, 124, 12);
      const dataStart = pos + block;
      const next = dataStart + Math.ceil(size / block) * block;
      if (dataStart + size > fileSize) {
        throw invalid(
          file,
          `truncated: entry "${rawName}" needs ${size} bytes at ${dataStart}, file has ${fileSize}`,
        );
      }
      const readData = async (): Promise<Buffer> => {
        const b = Buffer.alloc(size);
        await fh.read(b, 0, size, dataStart);
        return b;
      };
      if (type === 'x') {
        pax = parsePax(await readData());
      } else if (type === 'L') {
        longName = cstring(await readData(), 0, size);
      } else if (type === 'g' || type === 'K') {
        // global pax headers and GNU long link names carry nothing we need
      } else {
        const name = normalisePath(pax.path ?? longName ?? (prefix ? `${prefix}/${rawName}` : rawName));
        if (type === '0' || type === '7' || type === '\0') index.set(name, { name, offset: dataStart, size });
        else if (type === '1' || type === '2') {
          const target = pax.linkpath ?? cstring(h, 157, 100);
          links.push([name, type === '1' ? normalisePath(target) : resolveSymlink(name, target)]);
        }
        pax = {};
        longName = undefined;
      }
      pos = next;
    }
    if (!sawEnd && pos !== fileSize) throw invalid(file, `truncated at byte ${pos} of ${fileSize}`);
    if (!sawEnd && index.size === 0) throw invalid(file, 'empty archive');
    // docker save writes some layers as links to an identical layer elsewhere in the archive.
    for (const [name, target] of links) {
      const t = index.get(target);
      if (t) index.set(name, { ...t, name });
    }
    return index;
  } finally {
    await fh.close();
  }
}

function resolveSymlink(name: string, target: string): string {
  if (target.startsWith('/')) return normalisePath(target);
  const parts = name.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

/** The whole content of a small entry (index.json, manifests, configs). */
export async function readTarFile(file: string, entry: TarFile, limit = 16 << 20): Promise<Buffer> {
  if (entry.size > limit) {
    throw new ImageError(
      ErrorCode.IMAGE_ARCHIVE_INVALID,
      `${file}: ${entry.name} is ${entry.size} bytes, too large for metadata`,
    );
  }
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(entry.size);
    const { bytesRead } = await fh.read(b, 0, entry.size, entry.offset);
    if (bytesRead !== entry.size) throw invalid(file, `short read of ${entry.name}`);
    return b;
  } finally {
    await fh.close();
  }
}

/** A stream of one entry's bytes, read straight from its offset (1 MiB chunks). */
export function streamTarFile(file: string, entry: TarFile): Readable {
  if (entry.size === 0) return Readable.from([]);
  return createReadStream(file, {
    start: entry.offset,
    end: entry.offset + entry.size - 1,
    highWaterMark: 1 << 20,
  });
}
