import { createHash } from 'node:crypto';
import type { Rpc } from './rpc.js';
import type { Labels, Scope, Timestamp } from './types.js';
import { BytesPieces } from './bytes-pieces.js';
import { ContainerdError, isAlreadyExists, isNotFound, isUnavailable } from './errors.js';
import type { FramedDuplex } from './framed-stream.js';

/** Chunk size on the wire: well below containerd's 16 MiB message limit. */
export const WRITE_CHUNK = 1024 * 1024;

/**
 * WRITEs sent before waiting for the first one's answer: containerd handles a stream's requests in
 * order, so a window keeps its disk busy while the next chunk travels instead of one round trip
 * per chunk (docs/bench.md, Pull).
 */
export const WRITE_WINDOW = 4;

export interface WriteResponse {
  action: 'STAT' | 'WRITE' | 'COMMIT';
  started_at: Timestamp | null;
  updated_at: Timestamp | null;
  offset: number;
  total: number;
  digest: string;
}

interface WriteRequest {
  action: 'STAT' | 'WRITE' | 'COMMIT';
  ref?: string;
  total?: number;
  expected?: string;
  offset?: number;
  data?: Buffer | BytesPieces;
  labels?: Labels;
}

/**
 * One `Content.Write` bidi stream: every request gets exactly one response, in order, which `send`
 * waits for; several sends may be outstanding (their reads queue). The ref stays locked while the
 * stream is open. Framed by us (FramedDuplex), so a WRITE's message goes out from the buffer it
 * was encoded into.
 */
export class ContentWriteStream {
  private readonly call: FramedDuplex<WriteResponse>;

  constructor(
    private readonly rpc: Rpc,
    scope: Scope,
    readonly ref: string,
  ) {
    this.call = rpc.framedDuplex<WriteResponse>('content', 'Write', scope);
  }

  private async send(req: WriteRequest): Promise<WriteResponse> {
    // The first message must carry the ref; later ones may, and we always send it.
    this.call.write({ ...req, ref: this.ref });
    let next: IteratorResult<WriteResponse>;
    try {
      next = await this.call.next();
    } catch (err) {
      throw this.rpc.mapError(err, `content.Write(${req.action})`);
    }
    if (next.done)
      throw new ContainerdError(`containerd content.Write(${req.action}): stream closed without a response`);
    return next.value;
  }

  stat(total?: number, expected?: string): Promise<WriteResponse> {
    return this.send({ action: 'STAT', total, expected });
  }

  write(offset: number, data: Buffer | BytesPieces): Promise<WriteResponse> {
    return this.send({ action: 'WRITE', offset, data });
  }

  commit(opts: {
    offset?: number;
    data?: Buffer | BytesPieces;
    total?: number;
    expected?: string;
    labels?: Labels;
  }): Promise<WriteResponse> {
    return this.send({ action: 'COMMIT', ...opts });
  }

  /** Ends our side and drains: after a COMMIT the server sends one extra response before closing. */
  async finish(): Promise<void> {
    this.call.end();
    try {
      for (;;) {
        const r = await this.call.next();
        if (r.done) return;
      }
    } catch (err) {
      throw this.rpc.mapError(err, 'content.Write(drain)');
    }
  }

  /** Drops the stream without committing; the ingest survives and can be resumed. */
  cancel(): void {
    this.call.cancel();
  }
}

export type ContentSource =
  | Buffer
  | AsyncIterable<Uint8Array>
  | ((offset: number) => AsyncIterable<Uint8Array> | Promise<StartedSource>);

/**
 * What a function source answers when it may not start where asked: `offset` 0 writes the ingest
 * over (containerd truncates it on a WRITE at offset 0), e.g. a registry that ignored a Range
 * request (docs/images.md, "Resuming a pull").
 */
export interface StartedSource {
  offset: number;
  data: AsyncIterable<Uint8Array>;
}

export interface WriteContentOptions {
  /** Ingest name; one per blob (e.g. `import-<digest>`). Resuming uses the same ref. */
  ref: string;
  /** The bytes. A function gets the offset to resume from; an iterable is read and the first `offset` bytes skipped. */
  data: ContentSource;
  /** Expected digest (verified at commit). Optional: without it the daemon reports the computed one. */
  expected?: string;
  /** Expected size (verified at commit). Required with a non-Buffer source. */
  total?: number;
  /** Labels stored on the blob at commit (e.g. `containerd.io/gc.ref.content.*`). */
  labels?: Labels;
  /**
   * Abort the ingest on failure (default true; not when containerd is unavailable or another
   * writer holds the ref). False leaves it for a later resume.
   */
  abortOnFailure?: boolean;
}

export interface WriteContentResult {
  digest: string;
  size: number;
  /** The blob already existed in this namespace: nothing was written. */
  existed: boolean;
  /** Offset the write resumed from (0 for a fresh write; total when the bytes were shared). */
  resumedFrom: number;
}

/**
 * The framed-message buffers of one blob's writes, reused once their WRITE is answered: a blob
 * costs WRITE_WINDOW + 1 large allocations instead of one per MiB. Buffers that live until
 * containerd reads them outlive V8's young generation, and their memory outside the heap is what
 * made V8 run full collections every few MiB (docs/bench.md, Pull). Not kept beyond the blob:
 * kukeond's memory stays as it was.
 */
class MessageBuffers {
  private readonly free: Buffer[] = [];

  /** Room for a WRITE_CHUNK of data and the request's other fields (ref, offset, action). */
  private static readonly SIZE = WRITE_CHUNK + 4096;

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(MessageBuffers.SIZE);
  }

  give(b: Buffer): void {
    this.free.push(b);
  }
}

/** The source's bytes from `skip` on, grouped into pieces of WRITE_CHUNK bytes (the last fewer); no copy. */
async function* skipAndGroup(src: AsyncIterable<Uint8Array>, skip: number): AsyncIterable<BytesPieces> {
  let toSkip = skip;
  let group: Buffer[] = [];
  let groupLen = 0;
  for await (const piece of src) {
    let b = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (toSkip > 0) {
      if (b.length <= toSkip) {
        toSkip -= b.length;
        continue;
      }
      b = b.subarray(toSkip);
      toSkip = 0;
    }
    while (b.length > 0) {
      const take = Math.min(b.length, WRITE_CHUNK - groupLen);
      group.push(take === b.length ? b : b.subarray(0, take));
      groupLen += take;
      b = b.subarray(take);
      if (groupLen === WRITE_CHUNK) {
        yield new BytesPieces(group, groupLen);
        group = [];
        groupLen = 0;
      }
    }
  }
  if (groupLen > 0) yield new BytesPieces(group, groupLen);
}

/** The source's bytes from `offset` on, in groups of pieces of at most WRITE_CHUNK bytes. */
type SyncSource = Buffer | AsyncIterable<Uint8Array> | ((offset: number) => AsyncIterable<Uint8Array>);

function piecesFrom(data: SyncSource, offset: number): AsyncIterable<BytesPieces> {
  if (Buffer.isBuffer(data)) {
    return (async function* () {
      for (let o = offset; o < data.length; o += WRITE_CHUNK)
        yield new BytesPieces([data.subarray(o, Math.min(o + WRITE_CHUNK, data.length))]);
    })();
  }
  return skipAndGroup(
    typeof data === 'function' ? data(offset) : data,
    typeof data === 'function' ? 0 : offset,
  );
}

/** The source's bytes from `offset` on, in chunks of at most WRITE_CHUNK (exported for tests). */
export async function* chunksFrom(data: SyncSource, offset: number): AsyncIterable<Buffer> {
  for await (const g of piecesFrom(data, offset))
    yield g.pieces.length === 1 ? g.pieces[0] : Buffer.concat(g.pieces, g.length);
}

/**
 * The verified writer loop: STAT first and continue from the offset it reports;
 * WRITE ≤1 MiB chunks, up to WRITE_WINDOW unanswered, with the last chunk sent as COMMIT (expected/total/labels);
 * a bare COMMIT when STAT already reports the blob complete (bytes shared from another
 * namespace); drain the extra response; ALREADY_EXISTS counts as success; Abort the ingest on
 * failure so no partial write is left behind.
 */
export async function writeContent(
  rpc: Rpc,
  scope: Scope,
  opts: WriteContentOptions,
): Promise<WriteContentResult> {
  const total = opts.total ?? (Buffer.isBuffer(opts.data) ? opts.data.length : undefined);
  if (total === undefined)
    throw new ContainerdError(`content write ${opts.ref}: total size is required for a streamed source`);
  const existing = (): WriteContentResult => ({
    // Without `expected` the digest is only known for an in-memory source.
    digest:
      opts.expected ??
      (Buffer.isBuffer(opts.data) ? `sha256:${createHash('sha256').update(opts.data).digest('hex')}` : ''),
    size: total,
    existed: true,
    resumedFrom: total,
  });
  const w = new ContentWriteStream(rpc, scope, opts.ref);
  let committed = false;
  try {
    const st = await w.stat(total, opts.expected);
    const resumedFrom = st.offset;
    if (resumedFrom > total) {
      throw new ContainerdError(
        `content write ${opts.ref}: ingest is at ${resumedFrom}, beyond the expected ${total} bytes`,
      );
    }
    let res: WriteResponse;
    if (resumedFrom === total && total > 0) {
      res = await w.commit({ offset: total, total, expected: opts.expected, labels: opts.labels });
    } else {
      let offset = resumedFrom;
      let source: AsyncIterable<BytesPieces>;
      if (typeof opts.data === 'function') {
        const opened = await opts.data(resumedFrom);
        const started = 'offset' in opened ? opened : { offset: resumedFrom, data: opened };
        if (started.offset !== 0 && started.offset !== resumedFrom)
          throw new ContainerdError(`content write ${opts.ref}: a source may start at 0 or ${resumedFrom}`);
        offset = started.offset;
        source = piecesFrom(started.data, 0);
      } else source = piecesFrom(opts.data, resumedFrom);
      let held: BytesPieces | undefined;
      const pending: Promise<void>[] = [];
      const buffers = new MessageBuffers();
      const sendWrite = (at: number, data: BytesPieces): Promise<void> => {
        const into = (data.into = buffers.take());
        const p = w
          .write(at, data)
          .then((r) => {
            if (r.offset !== at + data.length)
              throw new ContainerdError(
                `content write ${opts.ref}: containerd is at ${r.offset} after a write up to ${at + data.length}`,
              );
          })
          .finally(() => buffers.give(into));
        // Awaited in order below; a failure while an earlier one is awaited must not go unhandled.
        p.catch(() => undefined);
        return p;
      };
      for await (const chunk of source) {
        if (held) {
          pending.push(sendWrite(offset, held));
          offset += held.length;
          if (pending.length >= WRITE_WINDOW) await pending.shift();
        }
        held = chunk;
      }
      for (const p of pending) await p;
      // The last chunk rides on the COMMIT: one round trip less.
      if (held) held.into = buffers.take();
      res = await w.commit({
        offset,
        data: held,
        total,
        expected: opts.expected,
        labels: opts.labels,
      });
    }
    committed = true;
    // The blob is committed once the COMMIT answered; a failure while draining changes nothing.
    await w
      .finish()
      .catch((err: unknown) => rpc.log.debug({ ref: opts.ref, err }, 'content write drain failed'));
    return {
      digest: res.digest || opts.expected || '',
      size: res.offset || total,
      existed: false,
      resumedFrom,
    };
  } catch (err) {
    w.cancel();
    if (isAlreadyExists(err)) return existing();
    // UNAVAILABLE is a ref locked by another live writer (whose ingest we must not destroy) or
    // the daemon gone (the ingest is then kept for a resume).
    if (!committed && opts.abortOnFailure !== false && !isUnavailable(err)) {
      await rpc.unary('content', 'Abort', { ref: opts.ref }, scope).catch((abortErr: unknown) => {
        if (!isNotFound(abortErr))
          rpc.log.warn({ ref: opts.ref, err: abortErr }, 'content ingest abort failed');
      });
    }
    throw err instanceof ContainerdError ? err : rpc.mapError(err, 'content.Write');
  }
}
