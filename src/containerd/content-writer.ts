import { createHash } from 'node:crypto';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import type { Rpc } from './rpc.js';
import type { Labels, Scope, Timestamp } from './types.js';
import { ContainerdError, isAlreadyExists, isNotFound, isUnavailable } from './errors.js';

/** Chunk size on the wire: well below containerd's 16 MiB message limit. */
export const WRITE_CHUNK = 1024 * 1024;

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
  data?: Buffer;
  labels?: Labels;
}

/**
 * One `Content.Write` bidi stream, driven in lockstep: every request gets exactly one response,
 * which `send` waits for. The ref stays locked while the stream is open.
 */
export class ContentWriteStream {
  private readonly call: ClientDuplexStream<WriteRequest, WriteResponse>;
  private readonly iter: AsyncIterator<WriteResponse>;

  constructor(
    private readonly rpc: Rpc,
    scope: Scope,
    readonly ref: string,
  ) {
    this.call = rpc.duplex<WriteRequest, WriteResponse>('content', 'Write', scope);
    this.iter = (this.call as AsyncIterable<WriteResponse>)[Symbol.asyncIterator]();
  }

  private async send(req: WriteRequest): Promise<WriteResponse> {
    // The first message must carry the ref; later ones may, and we always send it.
    this.call.write({ ...req, ref: this.ref });
    let next: IteratorResult<WriteResponse>;
    try {
      next = await this.iter.next();
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

  write(offset: number, data: Buffer): Promise<WriteResponse> {
    return this.send({ action: 'WRITE', offset, data });
  }

  commit(opts: {
    offset?: number;
    data?: Buffer;
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
        const r = await this.iter.next();
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
  Buffer | AsyncIterable<Uint8Array> | ((offset: number) => AsyncIterable<Uint8Array>);

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

async function* skipAndChunk(src: AsyncIterable<Uint8Array>, skip: number): AsyncIterable<Buffer> {
  let toSkip = skip;
  let pending: Buffer[] = [];
  let pendingLen = 0;
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
    pending.push(b);
    pendingLen += b.length;
    while (pendingLen >= WRITE_CHUNK) {
      const all = Buffer.concat(pending);
      yield all.subarray(0, WRITE_CHUNK);
      const rest = all.subarray(WRITE_CHUNK);
      pending = rest.length ? [rest] : [];
      pendingLen = rest.length;
    }
  }
  if (pendingLen > 0) yield Buffer.concat(pending);
}

/** The source's bytes from `offset` on, in chunks of at most WRITE_CHUNK (exported for tests). */
export function chunksFrom(data: ContentSource, offset: number): AsyncIterable<Buffer> {
  if (Buffer.isBuffer(data)) {
    return (async function* () {
      for (let o = offset; o < data.length; o += WRITE_CHUNK)
        yield data.subarray(o, Math.min(o + WRITE_CHUNK, data.length));
    })();
  }
  if (typeof data === 'function') return skipAndChunk(data(offset), 0);
  return skipAndChunk(data, offset);
}

/**
 * The verified writer loop: STAT first and continue from the offset it reports;
 * WRITE ≤1 MiB chunks in lockstep with the last chunk sent as COMMIT (expected/total/labels);
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
      let held: Buffer | undefined;
      for await (const chunk of chunksFrom(opts.data, resumedFrom)) {
        if (held) {
          const r = await w.write(offset, held);
          offset = r.offset;
        }
        held = chunk;
      }
      // The last chunk rides on the COMMIT: one round trip less.
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
