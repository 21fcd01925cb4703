/**
 * kukeond's side of `kuke log --since`: the containerd shim appends a container's output to its
 * `log` file and writes no timestamps, so the daemon watches each such file and records its size
 * over time in the file's time index (`<log>.times`, see store/log-time-index.ts).
 *
 * `sync(paths)` is the whole interface: watch exactly these files. A listed file that does not
 * exist yet is waited for with a watch on its directory (or, without a directory, looked at again
 * on the next `sync`). A watched file that disappears (the cell was deleted, the file was renamed
 * away) is dropped quietly — and waited for again while it is listed and its directory exists.
 * inotify watches do not hold files open, and the index writer opens its file only to append, so
 * nothing here keeps a deleted directory's files alive.
 */
import { existsSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from '../../log.js';
import { LogTimeIndex, type LogTimeIndexOptions } from '../../store/log-time-index.js';

interface Watched {
  watcher: FSWatcher;
  index: LogTimeIndex;
  ino: number;
}

export interface LogTimeRecorderOptions {
  logger: Logger;
  /** Passed to each file's index (tests shorten the coalescing window). */
  index?: LogTimeIndexOptions;
}

export class LogTimeRecorder {
  private readonly logger: Logger;
  private readonly indexOptions: LogTimeIndexOptions;
  private readonly watched = new Map<string, Watched>();
  /** Listed files that do not exist yet: a watch on their directory. */
  private readonly waiting = new Map<string, FSWatcher>();
  private listed = new Set<string>();
  private closed = false;

  constructor(o: LogTimeRecorderOptions) {
    this.logger = o.logger;
    this.indexOptions = o.index ?? {};
  }

  /** Watches exactly `paths`: starts on new ones (that exist), stops on those not listed. */
  sync(paths: string[]): void {
    if (this.closed) return;
    this.listed = new Set(paths);
    for (const path of [...this.watched.keys()]) if (!this.listed.has(path)) this.drop(path);
    for (const path of [...this.waiting.keys()])
      if (!this.listed.has(path) || !existsSync(dirname(path))) this.unwait(path);
    for (const path of this.listed) if (!this.watched.has(path)) this.start(path);
  }

  /** The files being watched now (for status and tests). */
  paths(): string[] {
    return [...this.watched.keys()].sort();
  }

  /** Listed files waited for (their directory is watched). */
  pending(): string[] {
    return [...this.waiting.keys()].sort();
  }

  close(): void {
    this.closed = true;
    for (const path of [...this.watched.keys()]) this.drop(path);
    for (const path of [...this.waiting.keys()]) this.unwait(path);
  }

  private start(path: string, replaced = false): void {
    let ino: number;
    try {
      ino = statSync(path).ino;
    } catch {
      this.await(path); // not created yet
      return;
    }
    this.unwait(path);
    let watcher: FSWatcher;
    try {
      watcher = watch(path, { persistent: false }, () => this.changed(path));
    } catch (err) {
      this.logger.debug({ path, err: String(err) }, 'log time recorder: cannot watch');
      return;
    }
    watcher.on('error', () => {
      if (this.watched.get(path)?.watcher === watcher) this.drop(path, false);
    });
    const index = new LogTimeIndex(path, this.indexOptions);
    this.watched.set(path, { watcher, index, ino });
    this.logger.debug({ path }, 'log time recorder: watching');
    if (replaced) {
      // A new file at the path: records of the old one do not describe it.
      const size = sizeOf(path);
      if (size !== undefined) index.reset(size, Date.now());
    }
    this.changed(path); // what was written before the watch began
  }

  /** Watches the directory of a listed file that does not exist, to start when it appears. */
  private await(path: string): void {
    if (this.closed || !this.listed.has(path) || this.waiting.has(path)) return;
    const name = basename(path);
    let w: FSWatcher;
    try {
      w = watch(dirname(path), { persistent: false }, (_event, file) => {
        // A file that appears is new: records of an earlier one at the path do not describe it.
        if ((file === null || file === name) && existsSync(path)) this.start(path, true);
      });
    } catch {
      return; // no directory: the next sync looks again
    }
    w.on('error', () => {
      if (this.waiting.get(path) === w) this.unwait(path);
    });
    this.waiting.set(path, w);
  }

  private unwait(path: string): void {
    const w = this.waiting.get(path);
    if (!w) return;
    this.waiting.delete(path);
    w.close();
  }

  private changed(path: string): void {
    const w = this.watched.get(path);
    if (!w) return;
    let st: { size: number; ino: number };
    try {
      st = statSync(path);
    } catch {
      this.drop(path, false); // deleted or renamed away (with its directory, maybe): write nothing
      this.await(path);
      return;
    }
    // The time is taken after the size is read: every byte counted was written by then.
    const atMs = Date.now();
    if (st.ino !== w.ino) {
      // Replaced by a new file: watch that one (its smaller size resets the index).
      this.drop(path, false);
      this.start(path, true);
      return;
    }
    w.index.record(st.size, atMs);
  }

  private drop(path: string, flush = true): void {
    const w = this.watched.get(path);
    if (!w) return;
    this.watched.delete(path);
    w.watcher.close();
    w.index.close(flush);
    this.logger.debug({ path }, 'log time recorder: stopped watching');
  }
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
