/**
 * A time index beside an append-only output file (a container's `log`, an attach `tty/capture`):
 * those files carry no timestamps, so `kuke log --since` needs to know where in the file output
 * written at a given time begins. `<file>.times` holds one record a line, `<unix ms> <size>\n`,
 * meaning "at that time the file had (at least) that size": every byte before `size` was written
 * at or before that time. The writer (kukeond's recorder, the attach sessions) observes the size
 * *before* taking the time, which keeps that statement true.
 *
 * Granularity: records are coalesced to at most one per `minIntervalMs` (100 ms), so
 * `offsetSince` may start up to one window (plus the watcher's latency) before `since`; it never
 * starts after output that was written at or after `since`. A copy-and-truncate of the file is
 * seen as a smaller size: the index starts over, since older records no longer describe the file.
 *
 * One writer per index. The writer keeps no file open between records (open, append, close), so
 * a cell directory can be removed under it; a failed append (directory gone) is dropped.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';

/** The index file of an output file. */
export function timesPath(logPath: string): string {
  return `${logPath}.times`;
}

export interface TimeRecord {
  atMs: number;
  size: number;
}

/** Parses index text; malformed lines (a torn last append) are skipped. */
export function parseRecords(text: string): TimeRecord[] {
  const out: TimeRecord[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line);
    if (m) out.push({ atMs: Number(m[1]), size: Number(m[2]) });
  }
  return out;
}

export interface LogTimeIndexOptions {
  /** At most one record per this many ms (default 100: ≤ 10 records/s). */
  minIntervalMs?: number;
  /** When the index grows past this many bytes the older half is dropped (default 1 MiB). */
  maxBytes?: number;
}

/** The writer of one `<file>.times`. */
export class LogTimeIndex {
  readonly path: string;
  private readonly minIntervalMs: number;
  private readonly maxBytes: number;
  /** Size of the last record written (or -1 before any). */
  private lastSize = -1;
  /** Time of the last record written. */
  private lastAt = -Infinity;
  private pending: TimeRecord | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Bytes in the index file as far as this writer knows (for the bound). */
  private bytes = 0;
  private closed = false;

  constructor(logPath: string, options: LogTimeIndexOptions = {}) {
    this.path = timesPath(logPath);
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    // A restarted writer continues an existing index: its last record tells a later truncation.
    const last = lastRecordOf(this.path);
    if (last) {
      this.lastSize = last.record.size;
      this.lastAt = last.record.atMs;
      this.bytes = last.fileBytes;
    }
  }

  /** Notes that the output file had `size` bytes at `atMs` (take the time after reading the size). */
  record(size: number, atMs: number = Date.now()): void {
    if (this.closed) return;
    const known = this.pending?.size ?? this.lastSize;
    if (size === known) return;
    if (size < known) {
      // Truncated (copy-and-truncate rotation): the old records describe bytes that are gone.
      this.reset(size, atMs);
      return;
    }
    if (atMs - this.lastAt >= this.minIntervalMs) {
      this.cancelPending();
      this.append({ size, atMs });
      return;
    }
    this.pending = { size, atMs };
    if (!this.timer) {
      const wait = Math.max(0, this.lastAt + this.minIntervalMs - Date.now());
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
    }
  }

  /** Writes a coalesced record now, if one is waiting. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (p && !this.closed) this.append(p);
  }

  /** Starts the index over (the file was replaced by another): one record, `size` at `atMs`. */
  reset(size: number, atMs: number = Date.now()): void {
    if (this.closed) return;
    this.cancelPending();
    this.rewrite(`${atMs} ${size}\n`);
    this.lastSize = size;
    this.lastAt = atMs;
  }

  /** Stops recording; a coalesced record still waiting is written unless `flush` is false. */
  close(flush = true): void {
    if (flush) this.flush();
    else this.cancelPending();
    this.closed = true;
  }

  private cancelPending(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private append(r: TimeRecord): void {
    const line = `${r.atMs} ${r.size}\n`;
    this.lastSize = r.size;
    this.lastAt = r.atMs;
    try {
      const fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
      try {
        writeSync(fd, line);
        this.bytes = fstatSync(fd).size;
      } finally {
        closeSync(fd);
      }
    } catch {
      return; // the directory is gone (cell deleted): nothing to index
    }
    if (this.bytes > this.maxBytes) this.compact();
  }

  /** Keeps the newest half of the records (atomically: readers see the old or the new file). */
  private compact(): void {
    let text: string;
    try {
      text = readTail(this.path, Math.floor(this.maxBytes / 2));
    } catch {
      return;
    }
    // Drop the first, probably partial, line.
    const cut = text.indexOf('\n');
    this.rewrite(cut < 0 ? '' : text.slice(cut + 1));
  }

  private rewrite(text: string): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, text, { mode: 0o644 });
      renameSync(tmp, this.path);
      this.bytes = Buffer.byteLength(text);
    } catch {
      // the directory is gone
    }
  }
}

/** The last `n` bytes of a file as text. */
function readTail(path: string, n: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(n, size);
    const buf = Buffer.alloc(len);
    const got = readSync(fd, buf, 0, len, size - len);
    return buf.subarray(0, got).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

function lastRecordOf(path: string): { record: TimeRecord; fileBytes: number } | undefined {
  try {
    const fileBytes = statSync(path).size;
    const records = parseRecords(readTail(path, 256));
    const record = records[records.length - 1];
    return record ? { record, fileBytes } : undefined;
  } catch {
    return undefined;
  }
}

const MTIME_SLACK_MS = 1000;

export interface SinceOffset {
  /** Byte offset in the output file from which output written at/after `since` begins. */
  offset: number;
  /** False when there is no index: the offset is then 0 (everything). */
  indexed: boolean;
}

/**
 * Where output written at or after `sinceMs` begins in `logPath`: the size of the last record
 * taken at or before `sinceMs` (so at most one coalescing window of older output is included);
 * 0 when every record is newer (nothing says how much was there before); the whole file when its
 * last modification is older than `sinceMs` by more than a second (nothing was written since). A record beyond the
 * current size (a truncation the index has not seen yet) also means 0.
 */
export function offsetSince(logPath: string, sinceMs: number): SinceOffset {
  let size: number;
  let mtimeMs: number;
  try {
    const st = statSync(logPath);
    size = st.size;
    mtimeMs = st.mtimeMs;
  } catch {
    return { offset: 0, indexed: false };
  }
  let text: string;
  try {
    // The writer bounds the index (1 MiB by default); read at most a little more than that, and
    // drop a line the cut went through (its digits could still parse as a record).
    const limit = 4 * 1024 * 1024;
    text = readTail(timesPath(logPath), limit);
    if (statSync(timesPath(logPath)).size > limit) text = text.slice(text.indexOf('\n') + 1);
  } catch {
    return { offset: 0, indexed: false };
  }
  // mtime comes from the kernel's coarse clock (a tick behind): allow a margin before trusting it.
  if (mtimeMs < sinceMs - MTIME_SLACK_MS) return { offset: size, indexed: true };
  let offset = 0;
  for (const r of parseRecords(text)) {
    if (r.atMs > sinceMs) break;
    offset = r.size;
  }
  return { offset: offset > size ? 0 : offset, indexed: true };
}
