import { createHash, randomBytes } from 'node:crypto';
import { ownProcess, type ProcessIdentity } from './process-identity.js';
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { atomicWriteFile, ensureDir, fsyncDir, isTempName } from './atomic-write.js';
import { canonicalJSON } from '../model/canonical-json.js';
import { withFileLock } from './file-lock.js';
import { assertSafeSegment } from './scope-path.js';
import { corrupt, isErrno, stale, StoreError, writeFailed } from './store-errors.js';

/** What a multi-step operation wants the resource to end as once it is finished or recovered. */
export type Desired = 'present' | 'absent';

/** The caller's half of an intent. */
export interface IntentInput<P = unknown> {
  /** The operation, e.g. `create`, `start`, `delete`, `purge`, `apply`. */
  op: string;
  /** Resource kind, e.g. `Cell`. The journal attaches no meaning to it. */
  kind: string;
  /** Resource key, `/`-separated segments, e.g. `realm/space/stack/cell`. */
  key: string;
  desired: Desired;
  /** Whatever the operation needs to finish or roll back (must be JSON-serialisable). */
  payload?: P;
}

/** A durable intent as stored and listed. */
export interface Intent<P = unknown> extends IntentInput<P> {
  /** Unique, and sortable by creation time within one process. */
  id: string;
  /** RFC 3339 UTC time the intent was recorded. */
  startedAt: string;
  /**
   * The process that recorded it. While that process runs, the operation is in progress there,
   * not interrupted: another process on the same run path (kukeond beside an in-process `kuke`)
   * must not finish it behind its back (docs/store.md). Absent in entries of older builds.
   */
  owner?: ProcessIdentity;
}

/** A journal file that could not be read back, reported instead of crashing the listing. */
export interface CorruptIntent {
  file: string;
  error: StoreError;
}

export interface JournalListing {
  /** Pending intents, oldest first. */
  intents: Intent[];
  corrupt: CorruptIntent[];
}

export interface IntentJournalOptions {
  /** Directory of the journal, e.g. `<runPath>/journal` (kept out of `data/`). */
  dir: string;
  /** Mode of intent files (default 0600: payloads may name secrets' locations). */
  fileMode?: number;
  dirMode?: number;
  now?: () => Date;
  lockTimeoutMs?: number;
}

const FORMAT_VERSION = 1;
const SUFFIX = '.intent.json';

/**
 * Intent journal: before a multi-step side-effecting operation the runner records what it is
 * about to do; when done it clears the intent; after a crash the daemon lists what is pending
 * and finishes or rolls back each.
 *
 * One file per resource (named from kind + key), written atomically and fsynced before
 * `record` returns. One file per resource rather than an append-only log because:
 *   - "the latest intent for a resource supersedes earlier ones" is a plain rename over the file;
 *   - listing reads only pending intents (a log would need compaction to stay cheap);
 *   - a corrupt file damages one entry, not the tail of a log and everything after it.
 * Every file carries a SHA-256 of its canonical entry so corruption that still parses as JSON
 * (a bit flip, a hand edit) is detected too.
 */
export class IntentJournal {
  readonly dir: string;
  private readonly fileMode: number;
  private readonly dirMode: number | undefined;
  private readonly now: () => Date;
  private readonly lockTimeoutMs: number;
  private counter = 0;

  constructor(options: IntentJournalOptions) {
    this.dir = options.dir;
    this.fileMode = options.fileMode ?? 0o600;
    this.dirMode = options.dirMode;
    this.now = options.now ?? (() => new Date());
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  /** `<runPath>/journal` for a run path. */
  static forRunPath(runPath: string, options: Omit<IntentJournalOptions, 'dir'> = {}): IntentJournal {
    return new IntentJournal({ ...options, dir: join(runPath, 'journal') });
  }

  /**
   * Durably records an intent, replacing any earlier intent for the same kind + key.
   * When this resolves the intent is on disk (file and directory fsynced).
   */
  async record<P>(input: IntentInput<P>): Promise<Intent<P>> {
    if (input.desired !== 'present' && input.desired !== 'absent') {
      throw new TypeError(`intent desired must be 'present' or 'absent', got ${String(input.desired)}`);
    }
    const file = this.fileFor(input.kind, input.key);
    const now = this.now();
    const intent: Intent<P> = {
      id: this.newId(now),
      op: input.op,
      kind: input.kind,
      key: input.key,
      desired: input.desired,
      ...(input.payload === undefined ? {} : { payload: input.payload }),
      startedAt: now.toISOString(),
      owner: ownProcess(),
    };
    const bytes = encode(intent);
    await this.locked(file, async () => {
      try {
        await atomicWriteFile(file, bytes, {
          mode: this.fileMode,
          dirMode: this.dirMode,
          tmpPrefix: '.intent-',
        });
      } catch (err) {
        throw writeFailed(file, err);
      }
    });
    return intent;
  }

  /**
   * Clears an intent once its operation is complete. Only removes the file if it still holds
   * this intent's id: a newer intent that superseded it stays. Returns whether it was removed.
   */
  async clear(intent: Pick<Intent, 'id' | 'kind' | 'key'>): Promise<boolean> {
    const file = this.fileFor(intent.kind, intent.key);
    return this.locked(file, async () => {
      let current: Intent;
      try {
        current = decode(file, await readFile(file));
      } catch (err) {
        if (isErrno(err, 'ENOENT')) {
          // Already cleared (e.g. superseded by a nested operation that finished): the sidecar
          // this call just created must not outlive the entry.
          await unlinkIfExists(lockPathOf(file));
          return false;
        }
        throw err;
      }
      if (current.id !== intent.id) return false;
      try {
        await unlink(file);
        await unlinkIfExists(lockPathOf(file));
        await fsyncDir(this.dir);
      } catch (err) {
        if (isErrno(err, 'ENOENT')) return false;
        throw writeFailed(file, err);
      }
      return true;
    });
  }

  /**
   * Rewrites the payload of a pending intent in place (same id), e.g. to note which steps are
   * done. Durable when it resolves. STORE_STALE when the file no longer holds this intent
   * (cleared or superseded), so a late step of an old operation cannot overwrite a newer one.
   */
  async update<P>(intent: Intent<P>, payload: P): Promise<Intent<P>> {
    const file = this.fileFor(intent.kind, intent.key);
    return this.locked(file, async () => {
      let current: Intent;
      try {
        current = decode(file, await readFile(file));
      } catch (err) {
        if (isErrno(err, 'ENOENT')) throw stale(file, `intent ${intent.id} was cleared`);
        throw err;
      }
      if (current.id !== intent.id) throw stale(file, `intent ${intent.id} was superseded by ${current.id}`);
      const next: Intent<P> = { ...(current as Intent<P>), payload };
      try {
        await atomicWriteFile(file, encode(next), {
          mode: this.fileMode,
          dirMode: this.dirMode,
          tmpPrefix: '.intent-',
        });
      } catch (err) {
        throw writeFailed(file, err);
      }
      return next;
    });
  }

  /** The pending intent for a resource, if any. A corrupt file throws STORE_CORRUPT. */
  async get(kind: string, key: string): Promise<Intent | undefined> {
    const file = this.fileFor(kind, key);
    try {
      return decode(file, await readFile(file));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  /**
   * Every pending intent, oldest first, plus every file that failed to decode. Never throws
   * for a bad entry: recovery must be able to proceed with the good ones and report the rest.
   */
  async list(): Promise<JournalListing> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return { intents: [], corrupt: [] };
      throw err;
    }
    const intents: Intent[] = [];
    const bad: CorruptIntent[] = [];
    // Read in parallel: recovery lists once at start-up, possibly with many pending intents.
    const results = await Promise.all(
      names.filter((n) => n.endsWith(SUFFIX) && !n.startsWith('.')).map((name) => this.readEntry(name)),
    );
    for (const r of results) {
      if (r === undefined) continue;
      if ('error' in r) bad.push(r);
      else intents.push(r);
    }
    intents.sort((a, b) => (a.startedAt === b.startedAt ? cmp(a.id, b.id) : cmp(a.startedAt, b.startedAt)));
    return { intents, corrupt: bad };
  }

  /** One listed file: the intent, a corrupt report, or undefined if it was cleared meanwhile. */
  private async readEntry(name: string): Promise<Intent | CorruptIntent | undefined> {
    const file = join(this.dir, name);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      return { file, error: corrupt(file, `unreadable (${(err as Error).message})`, err) };
    }
    try {
      const intent = decode(file, bytes);
      if (name !== this.fileNameFor(intent.kind, intent.key)) {
        return {
          file,
          error: corrupt(file, `holds ${intent.kind} ${intent.key}, which belongs in another file`),
        };
      }
      return intent;
    } catch (err) {
      if (err instanceof StoreError) return { file, error: err };
      throw err;
    }
  }

  /** Removes a file reported corrupt by `list`, once the caller has dealt with it. */
  async discard(file: string): Promise<void> {
    if (!file.startsWith(this.dir + '/') || !file.endsWith(SUFFIX)) {
      throw new TypeError(`not a journal file: ${file}`);
    }
    await this.locked(file, async () => {
      try {
        await unlinkIfExists(file);
        await unlinkIfExists(lockPathOf(file));
      } catch (err) {
        throw writeFailed(file, err);
      }
      await fsyncDir(this.dir);
    });
  }

  /**
   * Removes temp files a crash left between create and rename, when older than `olderThanMs`
   * (another process may be mid-write on a younger one). Returns how many were removed.
   */
  async sweepTempFiles(olderThanMs = 60_000): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return 0;
      throw err;
    }
    let removed = 0;
    const cutoff = Date.now() - olderThanMs;
    for (const name of names.filter(isTempName)) {
      const file = join(this.dir, name);
      const st = await stat(file).catch(() => undefined);
      if (st === undefined || st.mtimeMs > cutoff) continue;
      await unlink(file).catch(() => undefined);
      removed++;
    }
    return removed;
  }

  /** File of the intent for kind + key. */
  fileFor(kind: string, key: string): string {
    return join(this.dir, this.fileNameFor(kind, key));
  }

  private fileNameFor(kind: string, key: string): string {
    assertSafeSegment(kind);
    const segments = key.split('/');
    segments.forEach((s) => assertSafeSegment(s));
    // Percent-encode so any validated name maps to one file name and back without collisions.
    return [kind, ...segments].map(encodeSegment).join('+') + SUFFIX;
  }

  private newId(now: Date): string {
    // Time first so ids sort by creation; a counter orders ids of the same millisecond.
    const seq = (this.counter++ % 0x100000).toString(16).padStart(5, '0');
    return `${now.getTime().toString(16).padStart(12, '0')}-${seq}-${randomBytes(4).toString('hex')}`;
  }

  /**
   * Holds the flock of one intent file. Per resource, not journal-wide, so intents of
   * different resources are recorded in parallel (each record waits for two fsyncs).
   */
  private async locked<R>(file: string, fn: () => Promise<R>): Promise<R> {
    await ensureDir(this.dir, this.dirMode);
    return withFileLock(
      lockPathOf(file),
      'exclusive',
      { create: true, fileMode: 0o600, timeoutMs: this.lockTimeoutMs },
      fn,
    );
  }
}

/** Lock sidecar of an intent file: a dot name, so listings never mistake it for an entry. */
function lockPathOf(file: string): string {
  return join(dirname(file), `.${basename(file)}.lock`);
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
}

function encodeSegment(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checksum(intent: Intent): string {
  return createHash('sha256').update(canonicalJSON(intent)).digest('hex');
}

function encode(intent: Intent): string {
  return JSON.stringify({ v: FORMAT_VERSION, sha256: checksum(intent), intent }) + '\n';
}

/** Decodes and verifies one journal file; any defect is STORE_CORRUPT naming the file. */
function decode(file: string, bytes: Buffer): Intent {
  let envelope: unknown;
  try {
    envelope = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw corrupt(file, bytes.length === 0 ? 'empty file' : 'not valid JSON', err);
  }
  if (envelope === null || typeof envelope !== 'object') throw corrupt(file, 'not a journal entry');
  const { v, sha256, intent } = envelope as { v?: unknown; sha256?: unknown; intent?: unknown };
  if (v !== FORMAT_VERSION) throw corrupt(file, `unknown journal format version ${String(v)}`);
  if (!isIntentShape(intent)) throw corrupt(file, 'entry lacks id/op/kind/key/desired/startedAt');
  if (sha256 !== checksum(intent)) throw corrupt(file, 'checksum mismatch');
  return intent;
}

function isIntentShape(x: unknown): x is Intent {
  if (x === null || typeof x !== 'object') return false;
  const i = x as Record<string, unknown>;
  return (
    typeof i.id === 'string' &&
    typeof i.op === 'string' &&
    typeof i.kind === 'string' &&
    typeof i.key === 'string' &&
    (i.desired === 'present' || i.desired === 'absent') &&
    typeof i.startedAt === 'string'
  );
}
