/**
 * Reading and following an append-only output file for `kuke log`: bytes are
 * passed on raw, in bounded chunks (terminal output has escape sequences and a chunk boundary can
 * split a multi-byte character, so nothing is decoded here).
 *
 * Following is event-driven: inotify (fs.watch) on the file and on its directory wakes the
 * reader within milliseconds; a poll (200 ms by default) backs it up where events are missed
 * (a watch that could not be set up, a directory that does not exist yet, a network filesystem).
 * It survives rotation:
 * - copy-and-truncate: the file shrinks below the read offset → continue from its start. (If it
 *   is truncated and grows past the old offset before the reader wakes, the truncation is
 *   invisible — the same limit as `tail -F`; inotify makes that window a few ms wide.)
 * - rename/recreate: the path names a new inode → drain the old file, then read the new one
 *   from its start.
 * - a file that does not exist yet is waited for.
 */
import { watch, type FSWatcher } from 'node:fs';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Where bytes go; may return a promise to apply back-pressure. */
export type ByteSink = (chunk: Buffer) => void | Promise<void>;

const DEFAULT_CHUNK = 64 * 1024;

/**
 * Offset at which the last `n` lines of the open file begin (a trailing newline does not end an
 * extra empty line), reading backwards from `end` in chunks of `chunkBytes`.
 */
export function tailOffset(fd: number, end: number, n: number, chunkBytes = DEFAULT_CHUNK): number {
  if (n <= 0) return end;
  const buf = Buffer.alloc(Math.min(chunkBytes, Math.max(end, 1)));
  // The last byte is a newline that ends the last line, not one that separates lines.
  let pos = end;
  let skipLast = false;
  if (end > 0) {
    readSync(fd, buf, 0, 1, end - 1);
    skipLast = buf[0] === 0x0a;
  }
  let newlines = 0;
  while (pos > 0) {
    const len = Math.min(buf.length, pos);
    const start = pos - len;
    const got = readSync(fd, buf, 0, len, start);
    for (let i = got - 1; i >= 0; i--) {
      const at = start + i;
      if (buf[i] !== 0x0a || (skipLast && at === end - 1)) continue;
      newlines++;
      if (newlines === n) return at + 1;
    }
    pos = start;
  }
  return 0;
}

/** Copies bytes [from, to) of the open file to `sink` in chunks; returns the offset reached. */
export async function copyRange(
  fd: number,
  from: number,
  to: number,
  sink: ByteSink,
  chunkBytes = DEFAULT_CHUNK,
): Promise<number> {
  let pos = from;
  while (pos < to) {
    const buf = Buffer.alloc(Math.min(chunkBytes, to - pos));
    const got = readSync(fd, buf, 0, buf.length, pos);
    if (got === 0) break; // truncated meanwhile
    pos += got;
    await sink(buf.subarray(0, got));
  }
  return pos;
}

export interface FollowOptions {
  path: string;
  /**
   * An fd already open on `path` (the caller printed up to `offset` from it; the follower closes
   * it); without one the file is opened when it exists.
   */
  fd?: number;
  /** Where to start in the file behind `fd` (or the file at `path`, when it appears). */
  offset?: number;
  sink: ByteSink;
  /** Ends the follow (SIGINT/SIGTERM in the binary). */
  signal: AbortSignal;
  /** Fallback poll period, ms (default 200). */
  pollMs?: number;
  chunkBytes?: number;
}

/**
 * Follows `path` until `signal` aborts: prints what is appended, across truncation and
 * replacement, and waits for the file if it does not exist. Resolves when stopped.
 */
/**
 * Prints the file behind `fd` from `start(fd, end)` (default: its beginning) to its end, then
 * with `follow` goes on as followFile; `fd` is closed either way. Without an fd (no file yet) only
 * following prints anything.
 */
export async function printFile(
  o: Omit<FollowOptions, 'offset' | 'signal'> & {
    start?: (fd: number, end: number) => number;
    follow: boolean;
    /** Made only when following (it may install signal handlers). */
    signal: () => AbortSignal;
  },
): Promise<void> {
  let offset = 0;
  if (o.fd !== undefined) {
    try {
      const end = fstatSync(o.fd).size;
      offset = await copyRange(o.fd, Math.min(o.start?.(o.fd, end) ?? 0, end), end, o.sink);
    } catch (err) {
      closeSync(o.fd);
      throw err;
    }
    if (!o.follow) {
      closeSync(o.fd);
      return;
    }
  }
  await followFile({ ...o, offset, signal: o.signal() });
}

export async function followFile(o: FollowOptions): Promise<void> {
  const f = new Follower(o);
  await f.run();
}

class Follower {
  private fd: number | undefined;
  private ino = -1;
  private offset: number;
  private fileWatch: FSWatcher | undefined;
  private dirWatch: FSWatcher | undefined;
  /** Inode of the watched directory: a directory removed and recreated needs a new watch. */
  private dirIno = -1;
  private wake: (() => void) | undefined;
  private dirty = true;

  constructor(private readonly o: FollowOptions) {
    this.offset = o.offset ?? 0;
    if (o.fd !== undefined) {
      this.fd = o.fd;
      this.ino = fstatSync(o.fd).ino;
    }
  }

  async run(): Promise<void> {
    const { signal } = this.o;
    const kick = () => {
      this.dirty = true;
      const w = this.wake;
      this.wake = undefined;
      w?.();
    };
    const poll = setInterval(kick, this.o.pollMs ?? 200);
    signal.addEventListener('abort', kick, { once: true });
    try {
      this.watchDir(kick);
      while (!signal.aborted) {
        if (!this.dirty) await new Promise<void>((resolve) => (this.wake = resolve));
        if (signal.aborted) break;
        this.dirty = false;
        await this.step(kick);
      }
    } finally {
      clearInterval(poll);
      signal.removeEventListener('abort', kick);
      this.fileWatch?.close();
      this.dirWatch?.close();
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** One wake-up: drain the open file, then look whether the path now names another file. */
  private async step(kick: () => void): Promise<void> {
    if (this.fd !== undefined) await this.drain();
    let pathIno: number | undefined;
    try {
      pathIno = statSync(this.o.path).ino;
    } catch {
      pathIno = undefined; // renamed away or not created yet: keep the old fd, wait
    }
    if (!this.dirWatch || this.dirIno !== inoOf(dirname(this.o.path))) this.watchDir(kick);
    if (pathIno === undefined || pathIno === this.ino) {
      if (this.fd !== undefined && !this.fileWatch) this.watchFile(kick);
      return;
    }
    // A new file at the path: the old one is drained; read the new one from its start (or from
    // the caller's offset, when this is the first file and the caller has printed nothing of it).
    let fd: number;
    try {
      fd = openSync(this.o.path, 'r');
    } catch {
      return; // gone again between stat and open; the next wake-up retries
    }
    const first = this.ino === -1;
    if (this.fd !== undefined) {
      await this.drain(); // what the old file got since the drain above
      closeSync(this.fd);
    }
    this.fd = fd;
    this.ino = fstatSync(fd).ino;
    if (!first) this.offset = 0;
    this.fileWatch?.close();
    this.fileWatch = undefined;
    this.watchFile(kick);
    await this.drain();
  }

  private async drain(): Promise<void> {
    const fd = this.fd as number;
    for (;;) {
      const size = fstatSync(fd).size;
      if (size < this.offset) this.offset = 0; // copy-and-truncate
      if (size === this.offset || this.o.signal.aborted) return;
      this.offset = await copyRange(fd, this.offset, size, this.o.sink, this.o.chunkBytes);
    }
  }

  /** The file's own watch follows its inode: writes to it after a rename are still seen. */
  private watchFile(kick: () => void): void {
    try {
      const w = watch(this.o.path, { persistent: false }, kick);
      w.on('error', () => {
        w.close();
        if (this.fileWatch === w) this.fileWatch = undefined;
      });
      this.fileWatch = w;
    } catch {
      // unwatchable: the poll covers it
    }
  }

  /** The directory's watch sees the file created, replaced or removed. */
  private watchDir(kick: () => void): void {
    const name = basename(this.o.path);
    this.dirWatch?.close();
    this.dirWatch = undefined;
    this.dirIno = inoOf(dirname(this.o.path));
    if (this.dirIno === -1) return;
    try {
      const w = watch(dirname(this.o.path), { persistent: false }, (_event, file) => {
        if (file === null || file === name) kick();
      });
      w.on('error', () => {
        w.close();
        if (this.dirWatch === w) this.dirWatch = undefined;
      });
      this.dirWatch = w;
    } catch {
      // no directory yet: the poll looks again
    }
  }
}

function inoOf(path: string): number {
  try {
    return statSync(path).ino;
  } catch {
    return -1;
  }
}
