import { readFileSync } from 'node:fs';
import { decodeResource, resourceToPlain } from '../api/index.js';
import type { Logger } from '../log.js';
import { StoreError, type DocumentStore } from '../store/index.js';

/** The store calls the cache reads through (a Pick of the real store, so tests can fake it). */
export type CellDocumentSource = Pick<DocumentStore, 'listChildren' | 'read' | 'documentPath'>;

/** A cell as ListCells replies with it: the plain v1beta1 document (spec 01 §1.8). */
export type CellWireDoc = Record<string, unknown>;

interface Entry {
  /** The metadata.json bytes the document was decoded from. */
  bytes: Buffer;
  doc: CellWireDoc;
}

/**
 * The wire documents of each listed stack's cells, kept between listings so a daemon answering
 * `kuke get cells` does not lock, parse, validate and re-serialise every cell on every call
 * (most of a 200-cell listing). Safe across writers of any process: an entry is reused only when
 * the file's bytes are unchanged — read without the lock, which is enough because every store
 * write replaces the file by an atomic rename, so a reader sees one complete version. A changed
 * or new document goes through the store's locked read and the same decode/encode as before.
 * Callers must treat the returned documents as read-only (they are shared between replies).
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
    const names = await this.source.listChildren(parent);
    const before = this.stacks.get(key);
    const entries = await Promise.all(names.map((n) => this.entry([...parent, n], before?.get(n))));
    // Only what this listing saw is kept: deleted cells (and emptied stacks) are forgotten.
    const now = new Map<string, Entry>();
    names.forEach((n, i) => {
      const e = entries[i];
      if (e) now.set(n, e);
    });
    if (now.size > 0) this.stacks.set(key, now);
    else this.stacks.delete(key);
    return entries.filter((e): e is Entry => e !== undefined).map((e) => e.doc);
  }

  private async entry(scope: string[], cached: Entry | undefined): Promise<Entry | undefined> {
    if (cached) {
      const bytes = readBytes(this.source.documentPath(scope));
      if (bytes?.equals(cached.bytes)) return cached;
    }
    let stored;
    try {
      stored = await this.source.read<unknown>(scope);
    } catch (err) {
      // As the runner's listing: a cell deleted meanwhile is skipped, a corrupt one reported.
      if (!(err instanceof StoreError)) throw err;
      if (err.code !== 'STORE_NOT_FOUND')
        this.log.warn({ err, kind: 'Cell', scope }, 'skipping unreadable metadata');
      return undefined;
    }
    try {
      return {
        bytes: stored.bytes,
        doc: resourceToPlain('Cell', decodeResource('Cell', stored.doc)) as CellWireDoc,
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
