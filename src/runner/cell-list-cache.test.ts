import assert from 'node:assert/strict';
import type { BigIntStats } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resourceToPlain } from '../api/index.js';
import type { Logger } from '../log.js';
import type { Cell } from '../model/resources.js';
import { listCells } from './cell/cell-store.js';
import type { RunnerContext } from './runner-context.js';
import { DocumentStore } from '../store/index.js';
import { CellListCache, trustedUnchanged } from './cell-list-cache.js';
import { cellModel, containerModel } from '../../test/helpers/cell-docs.js';

const stack = ['r', 's', 't'];

function cell(name: string, state: Cell['status']['state'] = 'Ready'): Cell {
  const w = containerModel('w', 'kukeon.test/busybox:1', {
    realmId: 'r',
    spaceId: 's',
    stackId: 't',
    cellId: name,
    command: 'sh',
    args: ['-c', 'sleep 3600'],
  });
  const c = cellModel({ realm: 'r', space: 's', stack: 't' }, name, [w]);
  return { ...c, status: { ...c.status, state, cgroupPath: `/k/r/s/t/${name}` } };
}

/** A logger that records warnings (the cache reports unreadable documents like the runner). */
function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log = {
    warnings,
    warn: (_o: unknown, msg?: string) => void warnings.push(msg ?? ''),
    info: () => {},
    debug: () => {},
    error: () => {},
    trace: () => {},
    fatal: () => {},
    child: () => log,
  };
  return log as unknown as Logger & { warnings: string[] };
}

describe('CellListCache', () => {
  let dir: string;
  let store: DocumentStore;
  let reads: number;
  let cache: CellListCache;
  let log: ReturnType<typeof recordingLog>;

  const put = (c: Cell) => store.write([...stack, c.metadata.name], resourceToPlain('Cell', c));
  /** What the runner's listing (the uncached path) replies with, as wire documents. */
  const uncached = async () =>
    (await listCells({ store, log } as unknown as RunnerContext, 'r', 's', 't')).map((c) =>
      resourceToPlain('Cell', c),
    );

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `kukeon-cell-list-cache-${process.pid}-`));
    store = new DocumentStore({ dataRoot: join(dir, 'data') });
    log = recordingLog();
    // Counts the store's locked reads: a reused entry must not cause one.
    const source = {
      statChildDocuments: store.statChildDocuments.bind(store),
      statChildDocument: store.statChildDocument.bind(store),
      read: <T>(scope: readonly string[]) => {
        reads++;
        return store.read<T>(scope);
      },
    };
    cache = new CellListCache(source, log);
    for (const n of ['c1', 'c2', 'c3']) await put(cell(n));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists what the runner lists, then reuses unchanged documents without reading them again', async () => {
    reads = 0;
    const first = await cache.list(stack);
    assert.deepEqual(first, await uncached());
    assert.deepEqual(
      first.map((d) => (d.metadata as { name: string }).name),
      ['c1', 'c2', 'c3'],
    );
    assert.equal(reads, 3);
    reads = 0;
    const second = await cache.list(stack);
    assert.equal(reads, 0);
    assert.deepEqual(second, first);
    assert.equal(second[0], first[0], 'the same document object is reused');
  });

  it('re-reads a document another writer changed, and sees new and deleted cells', async () => {
    await cache.list(stack);
    await put(cell('c2', 'Stopped'));
    await put(cell('c4'));
    await store.removeScope([...stack, 'c1']);
    reads = 0;
    const docs = await cache.list(stack);
    assert.equal(reads, 2, 'only the changed c2 and the new c4 are read through the store');
    assert.deepEqual(docs, await uncached());
    assert.deepEqual(
      docs.map((d) => [(d.metadata as { name: string }).name, (d.status as { state: string }).state]),
      [
        ['c2', 'Stopped'],
        ['c3', 'Ready'],
        ['c4', 'Ready'],
      ],
    );
  });

  it('skips a corrupt document with a warning, as the runner does, and picks it up once repaired', async () => {
    await cache.list(stack);
    await writeFile(store.documentPath([...stack, 'c3']), '{ not json');
    const warned = log.warnings.length;
    const docs = await cache.list(stack);
    assert.deepEqual(
      docs.map((d) => (d.metadata as { name: string }).name),
      ['c2', 'c4'],
    );
    assert.deepEqual(log.warnings.slice(warned), ['skipping unreadable metadata']);
    await put(cell('c3', 'Failed'));
    const repaired = await cache.list(stack);
    assert.deepEqual(repaired, await uncached());
    assert.equal((repaired[1].status as { state: string }).state, 'Failed');
  });

  it('get: one cell as the listing has it, reused while unchanged, re-read once changed', async () => {
    const listed = await cache.list(stack);
    reads = 0;
    const c2 = await cache.get(stack, 'c2');
    assert.equal(reads, 0, 'the listed entry is reused');
    assert.equal(c2, listed[0]);
    await put(cell('c2', 'Ready'));
    const changed = await cache.get(stack, 'c2');
    assert.equal(reads, 1);
    assert.equal((changed?.status as { state: string }).state, 'Ready');
    assert.deepEqual((await cache.list(stack))[0], changed, 'the listing then has the same document');
    assert.equal(await cache.get(stack, 'nope'), undefined);
    assert.equal(await cache.get(['r', 's', 'nope'], 'c2'), undefined);
  });

  it('get of a stack never listed reads the cell once, then reuses it', async () => {
    const fresh = new CellListCache(
      {
        statChildDocuments: store.statChildDocuments.bind(store),
        statChildDocument: store.statChildDocument.bind(store),
        read: <T>(scope: readonly string[]) => {
          reads++;
          return store.read<T>(scope);
        },
      },
      log,
    );
    reads = 0;
    const first = await fresh.get(stack, 'c4');
    const c4 = (await uncached()).find((d) => (d as { metadata: { name: string } }).metadata.name === 'c4');
    assert.deepEqual(first, c4);
    assert.equal(reads, 1);
    await fresh.list(stack);
    assert.equal(reads, 1 + (await uncached()).length - 1, 'the listing reads only the others');
  });

  it('an empty or missing stack lists nothing', async () => {
    assert.deepEqual(await cache.list(['r', 's', 'nope']), []);
  });
});

describe('trustedUnchanged: when a stat alone says a cached document is current', () => {
  const stat = (o: Partial<Record<'ino' | 'size' | 'mtimeNs' | 'ctimeNs', bigint>> = {}): BigIntStats =>
    ({
      dev: 1n,
      ino: 10n,
      size: 100n,
      mtimeNs: 1_000_000_000_000n,
      ctimeNs: 1_000_000_000_000n,
      ...o,
    }) as BigIntStats;
  const mtimeMs = 1_000_000; // the stat's mtime, in ms

  it('the same file, modified well before it was verified: trusted', () => {
    assert.equal(trustedUnchanged({ stat: stat(), verifiedAtMs: mtimeMs + 5_000 }, stat()), true);
  });
  it('modified shortly before the verification (a same-tick rewrite could look identical): compared', () => {
    assert.equal(trustedUnchanged({ stat: stat(), verifiedAtMs: mtimeMs + 200 }, stat()), false);
  });
  it('another inode, size or time: compared', () => {
    const cached = { stat: stat(), verifiedAtMs: mtimeMs + 5_000 };
    assert.equal(trustedUnchanged(cached, stat({ ino: 11n })), false);
    assert.equal(trustedUnchanged(cached, stat({ size: 101n })), false);
    assert.equal(trustedUnchanged(cached, stat({ mtimeNs: 1_000_000_000_001n })), false);
    assert.equal(trustedUnchanged(cached, stat({ ctimeNs: 1_000_000_000_001n })), false);
  });
});
