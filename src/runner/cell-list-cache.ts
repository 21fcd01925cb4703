import { ErrorCode } from '../error-codes.js';
import { readFileSync, type BigIntStats } from 'node:fs';
import { decodeResource, resourceToPlain } from '../api/index.js';
import type { Logger } from '../log.js';
import { StoreError, type ChildDocumentStat, type DocumentStore } from '../store/index.js';

/** The store calls the cache reads through (a Pick of the real store, so tests can fake it). */
export type CellDocumentSource = Pick<DocumentStore, 'statChildDocuments' | 'statChildDocument' | 'read'>;

/** A cell as ListCells replies with it: the plain v1beta1 document. */
export type CellWireDoc = Record<string, unknown>;

interface Entry {
  /** The metadata.json bytes the document was decoded from. */
  bytes: Buffer;
  doc: CellWireDoc;
  /** The file's stat when its bytes were last found to be `bytes`, and when that was. */
  stat: BigIntStats;
  verifiedAtMs: number;
}

/**
 * A file whose stat is unchanged is trusted without reading it only when it was last modified
 * this long before its bytes were verified. File times come from a coarse clock (a few ms): a
 * rewrite within the same tick could keep size and times (and a rename may reuse the inode), so
 * a recently modified file is compared byte for byte — git's "racily clean" rule.
 */
const RACY_MS = 1_000;

/** Exported for tests. */
export function trustedUnchanged(e: Pick<Entry, 'stat' | 'verifiedAtMs'>, st: BigIntStats): boolean {
  const same =
    e.stat.ino === st.ino &&
    e.stat.dev === st.dev &&
    e.stat.size === st.size &&
    e.stat.mtimeNs === st.mtimeNs &&
    e.stat.ctimeNs === st.ctimeNs;
  return same && e.verifiedAtMs - Number(st.mtimeNs / 1_000_000n) > RACY_MS;
}

/**
 * The wire documents of each listed stack's cells, kept between listings so a daemon answering
 * `kuke get cells` does not lock, parse, validate and re-serialise every cell on every call
 * (most of a 200-cell listing). Safe across writers of any process: every store write replaces
 * the file by an atomic rename, so an entry is reused while its file is the same file — same
 * inode, size and times, last modified well before it was verified (see RACY_MS) — or, when
 * that cannot be told from the stat, while its bytes are unchanged (read without the lock: a
 * reader sees one complete version). A changed or new document goes through the store's locked
 * read and the same decode/encode as before. Callers must treat the returned documents as
 * read-only (they are shared between replies).
 */
export class CellListCache {
  private readonly stacks = new Map<string, Map<string, Entry>>();

  constructor(
    private readonly source: CellDocumentSource,
    private readonly log: Logger,
  ) {}

  /** The cells of one stack scope (`[realm, space, stack]`), in the store's (name) order. */
  async list(parent: readonly string[]): Promise<CellWireDoc[]> {
    const key = parent.join('/');
    const children = this.source.statChildDocuments(parent);
    const before = this.stacks.get(key);
    // Entries still trusted by their stat are taken as they are, synchronously: a promise per
    // cell was a measurable part of a 200-cell listing (kukeond runs with async hooks and --no-opt).
    const entries: (Entry | undefined)[] = [];
    const pending: Promise<void>[] = [];
    children.forEach((c, i) => {
      const cached = before?.get(c.name);
      if (cached && trustedUnchanged(cached, c.stat)) entries[i] = cached;
      else pending.push(this.entry(parent, c, cached).then((e) => void (entries[i] = e)));
    });
    if (pending.length > 0) await Promise.all(pending);
    // Only what this listing saw is kept: deleted cells (and emptied stacks) are forgotten.
    const now = new Map<string, Entry>();
    children.forEach((c, i) => {
      const e = entries[i];
      if (e) now.set(c.name, e);
    });
    if (now.size > 0) this.stacks.set(key, now);
    else this.stacks.delete(key);
    return entries.filter((e): e is Entry => e !== undefined).map((e) => e.doc);
  }

  /**
   * One cell of a stack scope (GetCell without observing containers), revalidated as a listing
   * revalidates it: one stat, and a read only when the file changed. Undefined when it has no
   * (readable) document.
   */
  async get(parent: readonly string[], name: string): Promise<CellWireDoc | undefined> {
    const key = parent.join('/');
    const child = this.source.statChildDocument(parent, name);
    const e = child && (await this.entry(parent, child, this.stacks.get(key)?.get(name)));
    const stack = this.stacks.get(key);
    if (e) {
      if (stack) stack.set(name, e);
      else this.stacks.set(key, new Map([[name, e]]));
    } else {
      stack?.delete(name);
    }
    return e?.doc;
  }

  private async entry(
    parent: readonly string[],
    child: ChildDocumentStat,
    cached: Entry | undefined,
  ): Promise<Entry | undefined> {
    if (cached && trustedUnchanged(cached, child.stat)) return cached;
    const verifiedAtMs = Date.now();
    if (cached && readBytes(child.path)?.equals(cached.bytes))
      return { ...cached, stat: child.stat, verifiedAtMs };
    const scope = [...parent, child.name];
    let stored;
    try {
      stored = await this.source.read<unknown>(scope);
    } catch (err) {
      // As the runner's listing: a cell deleted meanwhile is skipped, a corrupt one reported.
      if (!(err instanceof StoreError)) throw err;
      if (err.code !== ErrorCode.STORE_NOT_FOUND)
        this.log.warn({ err, kind: 'Cell', scope }, 'skipping unreadable metadata');
      return undefined;
    }
    try {
      return {
        bytes: stored.bytes,
        doc: resourceToPlain('Cell', decodeResource('Cell', stored.doc)) as CellWireDoc,
        // The stat was taken before the read: if a write came between, the next listing sees a
        // stat that differs from the file's and compares bytes again.
        stat: child.stat,
        verifiedAtMs,
      };
    } catch (err) {
      this.log.warn({ err, kind: 'Cell', scope }, 'skipping undecodable metadata');
      return undefined;
    }
  }
}

/**
 * A synchronous read: one small file costs a few microseconds of syscalls, far less than the
 * four thread-pool round trips of fs/promises' readFile (open, fstat, read, close).
 */
function readBytes(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}
