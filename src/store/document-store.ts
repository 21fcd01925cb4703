import { ErrorCode } from '../error-codes.js';
import { readdirSync, statSync, type BigIntStats, type Dirent } from 'node:fs';
import { readdir, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

import {
  atomicWriteFile,
  DEFAULT_DIR_MODE,
  DEFAULT_FILE_MODE,
  ensureDir,
  fsyncDir,
  isTempName,
} from './atomic-write.js';
import { acquireFileLock, type FileLock, type LockMode } from './file-lock.js';
import {
  nextGeneration,
  prepareWrite,
  stateIsReady,
  type GenerationalDocument,
  type ReadyPredicate,
} from './generation.js';
import {
  LOCK_SUFFIX,
  METADATA_FILE,
  RESERVED_SCOPE_NAMES,
  scopeDir,
  scopeSegments,
  type Scope,
} from './scope-path.js';
import { corrupt, isErrno, notFound, readFailed, stale, StoreError, writeFailed } from './store-errors.js';
import { reclaimScopeDir, VOLUMES_DIR } from './volume-dirs.js';

export interface DocumentStoreOptions {
  /** Root of the metadata tree: `<runPath>/data`. */
  dataRoot: string;
  /** Mode of created scope directories (default 02750). */
  dirMode?: number;
  /** Mode of metadata.json and its sidecar (default 0644). */
  fileMode?: number;
  /** How long to wait for another process's file lock (default 10 s). */
  lockTimeoutMs?: number;
  /** Clock for lifecycle stamps (tests inject a fixed one). */
  now?: () => Date;
  /** What counts as Ready for `status.readyAt` (default `status.state === 'Ready'`). */
  isReady?: ReadyPredicate;
}

/** A document as read from or written to disk, with the exact bytes (for compare-and-swap). */
export interface StoredDocument<T> {
  doc: T;
  bytes: Buffer;
  path: string;
}

/**
 * What a raw write expects on disk: `undefined` writes unconditionally, `null` requires the
 * file to be absent, bytes require the file to hold exactly those bytes.
 */
export type Expectation = Buffer | null | undefined;

export interface ListedChild<T> {
  name: string;
  doc?: T;
  /** The bytes `doc` was parsed from and their file (with `doc`). */
  bytes?: Buffer;
  path?: string;
  /** Set instead of `doc` when the child's metadata.json is corrupt or vanished mid-listing. */
  error?: StoreError;
}

// A concurrent delete may prune the scope directory between our mkdir and our lock; retry.
// Each retry means another writer's delete completed, so this bounds progress, not time.
const DIR_RACE_RETRIES = 50;

/**
 * The on-disk metadata store: one `metadata.json` per scope directory, with a flock sidecar,
 * atomic replace, compare-and-swap and the generation protocol. Generic over the
 * JSON document type; it knows nothing of realms or cells beyond the directory nesting.
 */
export class DocumentStore {
  readonly dataRoot: string;
  private readonly dirMode: number;
  private readonly fileMode: number;
  private readonly lockTimeoutMs: number;
  private readonly now: () => Date;
  private readonly isReady: ReadyPredicate;

  constructor(options: DocumentStoreOptions) {
    this.dataRoot = options.dataRoot;
    this.dirMode = options.dirMode ?? DEFAULT_DIR_MODE;
    this.fileMode = options.fileMode ?? DEFAULT_FILE_MODE;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.now = options.now ?? (() => new Date());
    this.isReady = options.isReady ?? stateIsReady;
  }

  /** `<runPath>/data` for a run path. */
  static forRunPath(runPath: string, options: Omit<DocumentStoreOptions, 'dataRoot'> = {}): DocumentStore {
    return new DocumentStore({ ...options, dataRoot: join(runPath, 'data') });
  }

  /** Directory of a scope. Throws STORE_INVALID_PATH for unsafe segments. */
  scopeDir(scope: Scope | readonly string[]): string {
    return scopeDir(this.dataRoot, scope);
  }

  /** Path of a scope's metadata.json. */
  documentPath(scope: Scope | readonly string[]): string {
    return join(this.scopeDir(scope), METADATA_FILE);
  }

  /**
   * Reads a scope's document under a shared lock. Missing → STORE_NOT_FOUND (and no sidecar is
   * created); unparsable → STORE_CORRUPT naming the file.
   */
  async read<T>(scope: Scope | readonly string[]): Promise<StoredDocument<T>> {
    const path = this.documentPath(scope);
    let lock: FileLock | undefined;
    try {
      lock = await this.lockExisting(path, 'shared');
      const bytes = await readBytes(path);
      if (bytes === undefined) throw notFound(path);
      return { doc: parseDocument<T>(path, bytes), bytes, path };
    } catch (err) {
      throw err instanceof StoreError ? err : readFailed(path, err);
    } finally {
      await lock?.release();
    }
  }

  /** Like read, but undefined when the document does not exist. Corruption still throws. */
  async tryRead<T>(scope: Scope | readonly string[]): Promise<StoredDocument<T> | undefined> {
    try {
      return await this.read<T>(scope);
    } catch (err) {
      if (err instanceof StoreError && err.code === ErrorCode.STORE_NOT_FOUND) return undefined;
      throw err;
    }
  }

  /** True when the scope has a metadata.json (does not parse it, takes no lock). */
  async exists(scope: Scope | readonly string[]): Promise<boolean> {
    return (await statOrUndefined(this.documentPath(scope)))?.isFile() ?? false;
  }

  /**
   * Writes `doc` as-is (no generation protocol) under the exclusive lock, after checking
   * `expect` (see Expectation). A mismatch is STORE_STALE. A corrupt current file is only
   * replaced when `expect` is undefined (an explicit overwrite).
   */
  async write<T>(scope: Scope | readonly string[], doc: T, expect?: Expectation): Promise<StoredDocument<T>> {
    const path = this.documentPath(scope);
    return this.withWriteLock(path, async () => {
      if (expect !== undefined) {
        const current = await readBytes(path);
        checkExpectation(path, current, expect);
      }
      const bytes = serialize(doc);
      await this.replace(path, bytes);
      return { doc, bytes, path };
    });
  }

  /**
   * Writes a Realm/Space/Stack/Cell document with the generation protocol and the lifecycle
   * stamps of docs/store.md, all under one exclusive lock. `observed` optionally adds the CAS
   * check: the file must still hold exactly the bytes the caller read earlier.
   * Returns the document as written (with generation and stamps).
   */
  async writeGenerational<T extends GenerationalDocument>(
    scope: Scope | readonly string[],
    doc: T,
    options: { observed?: Expectation } = {},
  ): Promise<StoredDocument<T>> {
    const path = this.documentPath(scope);
    return this.withWriteLock(path, async () => {
      const currentBytes = await readBytes(path);
      if (options.observed !== undefined) checkExpectation(path, currentBytes, options.observed);
      // Never build on a corrupt file: parse throws STORE_CORRUPT and nothing is written.
      const onDisk =
        currentBytes === undefined ? undefined : parseDocument<GenerationalDocument>(path, currentBytes);
      const generation = nextGeneration(doc, onDisk, path);
      const written = prepareWrite(doc, onDisk, generation, this.now(), this.isReady);
      const bytes = serialize(written);
      await this.replace(path, bytes);
      return { doc: written, bytes, path };
    });
  }

  /**
   * Removes a scope's document under the exclusive lock: metadata.json, then the sidecar, then
   * every directory from the scope up to (not including) the data root that is left empty.
   * Missing document = success. Returns whether a document was removed.
   */
  async delete(scope: Scope | readonly string[], expect?: Expectation): Promise<boolean> {
    const path = this.documentPath(scope);
    const lockPath = path + LOCK_SUFFIX;
    const lock = await this.lockExisting(path, 'exclusive');
    let removed: boolean;
    try {
      if (expect !== undefined) checkExpectation(path, await readBytes(path), expect);
      removed = await unlinkIfExists(path);
      await unlinkIfExists(lockPath);
    } catch (err) {
      throw err instanceof StoreError ? err : writeFailed(path, err);
    } finally {
      await lock?.release();
    }
    await this.pruneEmptyDirs(dirname(path));
    return removed;
  }

  /**
   * Scope teardown: removes the whole scope directory, including scoped secrets,
   * blueprints, configs, Delete-policy volumes and child scopes — but not Retain volumes, which
   * outlive their scope (docs/volumes.md) — then prunes empty parents.
   */
  async removeScope(scope: Scope | readonly string[]): Promise<void> {
    const dir = this.scopeDir(scope);
    try {
      await reclaimScopeDir(dir, scopeSegments(scope).length);
    } catch (err) {
      throw writeFailed(dir, err);
    }
    await this.pruneEmptyDirs(dirname(dir));
  }

  /**
   * Names of the child scopes of `parent` (of the data root when `parent` is undefined) that
   * have a metadata.json file, sorted. Reserved directories and dot-names are skipped.
   */
  async listChildren(parent?: Scope | readonly string[]): Promise<string[]> {
    const dir = parent === undefined ? this.dataRoot : this.scopeDir(parent);
    const depth = parent === undefined ? 0 : scopeSegments(parent).length;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return [];
      throw err;
    }
    const candidates = entries.filter((e) => isChildScopeEntry(e, depth));
    const present = await Promise.all(
      candidates.map(
        async (e) => (await statOrUndefined(join(dir, e.name, METADATA_FILE)))?.isFile() ?? false,
      ),
    );
    return candidates
      .filter((_, i) => present[i])
      .map((e) => e.name)
      .sort();
  }

  /**
   * The children listChildren returns, each with its document's path and stat (with ns times),
   * read synchronously: one readdir and one stat per child, no thread-pool round trips. For a
   * cache that revalidates what it holds by the file's identity (every write replaces the file
   * by a rename: a new inode, new times).
   */
  statChildDocuments(parent: Scope | readonly string[]): ChildDocumentStat[] {
    const dir = this.scopeDir(parent);
    const depth = scopeSegments(parent).length;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return [];
      throw err;
    }
    const out: ChildDocumentStat[] = [];
    for (const e of entries) {
      if (!isChildScopeEntry(e, depth)) continue;
      // dir is normalised and a readdir name is one component: join's normalising would only
      // cost (≈ 40% of a 200-cell listing's time under kukeond's node flags).
      const path = `${dir}${sep}${e.name}${sep}${METADATA_FILE}`;
      let st: BigIntStats;
      try {
        st = statSync(path, { bigint: true });
      } catch {
        continue; // no document (or gone meanwhile): not a child, as in listChildren
      }
      if (st.isFile()) out.push({ name: e.name, path, stat: st });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** One child of statChildDocuments by name: undefined when it has no document. */
  statChildDocument(parent: Scope | readonly string[], name: string): ChildDocumentStat | undefined {
    const path = `${this.scopeDir(parent)}${sep}${name}${sep}${METADATA_FILE}`;
    let st: BigIntStats | undefined;
    try {
      st = statSync(path, { bigint: true, throwIfNoEntry: false });
    } catch {
      return undefined; // as statChildDocuments: not a child
    }
    return st?.isFile() ? { name, path, stat: st } : undefined;
  }

  /**
   * Reads every child document of `parent`. A child whose file is corrupt (or vanished while
   * listing) is returned with `error` set instead of failing the whole listing.
   */
  async listDocuments<T>(parent?: Scope | readonly string[]): Promise<ListedChild<T>[]> {
    const prefix = parent === undefined ? [] : scopeSegments(parent);
    const children = await Promise.all(
      (await this.listChildren(parent)).map(async (name): Promise<ListedChild<T> | undefined> => {
        try {
          const { doc, bytes, path } = await this.read<T>([...prefix, name]);
          return { name, doc, bytes, path };
        } catch (err) {
          if (!(err instanceof StoreError)) throw err;
          return err.code === ErrorCode.STORE_NOT_FOUND ? undefined : { name, error: err };
        }
      }),
    );
    return children.filter((c): c is ListedChild<T> => c !== undefined);
  }

  /** Locks the sidecar of a document that may not exist; undefined when neither exists. */
  /**
   * Removes `.meta-*.tmp` files a crash left between create and rename, anywhere in the tree,
   * when older than `olderThanMs` (a live writer may be between its two steps on a younger one).
   * For the daemon's start-up. Returns the paths removed.
   */
  async sweepTempFiles(olderThanMs = 60_000): Promise<string[]> {
    const cutoff = Date.now() - olderThanMs;
    const removed: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return;
        throw err;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        // Volume directories hold user data, not metadata: a file of theirs is never ours to remove.
        if (e.isDirectory()) {
          if (e.name !== VOLUMES_DIR) await walk(p);
        } else if (e.isFile() && e.name.startsWith('.meta-') && isTempName(e.name)) {
          const st = await statOrUndefined(p);
          if (st === undefined || st.mtimeMs > cutoff) continue;
          if (await unlinkIfExists(p)) removed.push(p);
        }
      }
    };
    await walk(this.dataRoot);
    return removed;
  }

  private async lockExisting(path: string, mode: LockMode): Promise<FileLock | undefined> {
    const lockPath = path + LOCK_SUFFIX;
    const lock = await acquireFileLock(lockPath, mode, { timeoutMs: this.lockTimeoutMs });
    if (lock !== undefined) return lock;
    // No sidecar: probing a missing document must not create one, but a legacy
    // document without a sidecar gets one.
    if (!(await statOrUndefined(path))) return undefined;
    return this.lock(lockPath, mode);
  }

  private async lock(lockPath: string, mode: LockMode): Promise<FileLock> {
    const lock = await acquireFileLock(lockPath, mode, {
      create: true,
      fileMode: this.fileMode,
      timeoutMs: this.lockTimeoutMs,
    });
    return lock as FileLock;
  }

  private async withWriteLock<R>(path: string, fn: () => Promise<R>): Promise<R> {
    const dir = dirname(path);
    for (let attempt = 0; ; attempt++) {
      let lock: FileLock;
      try {
        await ensureDir(dir, this.dirMode);
        lock = await this.lock(path + LOCK_SUFFIX, 'exclusive');
      } catch (err) {
        // mkdir -p reports ENOENT or ENOTDIR when a parent is pruned under it mid-way.
        if ((isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) && attempt < DIR_RACE_RETRIES) continue;
        throw err instanceof StoreError ? err : writeFailed(path, err);
      }
      try {
        return await fn();
      } finally {
        await lock.release();
      }
    }
  }

  private async replace(path: string, bytes: Buffer): Promise<void> {
    try {
      await atomicWriteFile(path, bytes, { mode: this.fileMode, dirMode: this.dirMode, tmpPrefix: '.meta-' });
    } catch (err) {
      throw writeFailed(path, err);
    }
  }

  /** rmdir each directory from `dir` up to the data root while it is empty. */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    const rel = relative(this.dataRoot, dir);
    if (rel === '' || rel.startsWith('..')) return;
    let d = dir;
    for (let i = rel.split(sep).length; i > 0; i--) {
      try {
        await rmdir(d);
      } catch (err) {
        if (isErrno(err, 'ENOTEMPTY') || isErrno(err, 'EEXIST')) break;
        if (!isErrno(err, 'ENOENT')) throw writeFailed(d, err);
      }
      d = dirname(d);
    }
    await fsyncDir(d).catch(() => undefined);
  }
}

/** Indented JSON with a trailing newline. */
export function serialize(doc: unknown): Buffer {
  return Buffer.from(JSON.stringify(doc, null, 2) + '\n');
}

/** Parses a stored document; anything but a JSON object is STORE_CORRUPT naming the file. */
export function parseDocument<T>(path: string, bytes: Buffer): T {
  if (bytes.length === 0) throw corrupt(path, 'empty file');
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw corrupt(path, `not valid JSON (${(err as Error).message})`, err);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw corrupt(path, 'not a JSON object');
  }
  return value as T;
}

function checkExpectation(path: string, current: Buffer | undefined, expect: Buffer | null): void {
  if (expect === null) {
    if (current !== undefined) throw stale(path, 'expected no document, one exists');
  } else if (current === undefined) {
    throw stale(path, 'document was deleted');
  } else if (!current.equals(expect)) {
    throw stale(path, 'document changed');
  }
}

async function readBytes(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    if (isErrno(err, 'EISDIR')) throw corrupt(path, 'is a directory', err);
    throw err;
  }
}

/** A directory entry that can be a child scope: not hidden, not a reserved name below the root. */
function isChildScopeEntry(e: Dirent, depth: number): boolean {
  return e.isDirectory() && !e.name.startsWith('.') && !(depth > 0 && RESERVED_SCOPE_NAMES.has(e.name));
}

/** A child scope with a document: its name, the document's path and stat. */
export interface ChildDocumentStat {
  name: string;
  path: string;
  stat: BigIntStats;
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
}

async function unlinkIfExists(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}
