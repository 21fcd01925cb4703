import type { Rpc } from './rpc.js';
import { labelUpdate, type LabelChanges, type Labels, type Scope, type Timestamp } from './types.js';
import {
  writeContent,
  ContentWriteStream,
  type WriteContentOptions,
  type WriteContentResult,
} from './content-writer.js';

export interface ContentInfo {
  digest: string;
  size: number;
  created_at: Timestamp | null;
  updated_at: Timestamp | null;
  labels: Labels;
}

/** An unfinished ingest (partial write) as `ListStatuses`/`Status` report it. */
export interface IngestStatus {
  ref: string;
  offset: number;
  total: number;
  expected: string;
  started_at: Timestamp | null;
  updated_at: Timestamp | null;
}

/** containerd's content store (blobs by digest, plus ingests in progress). */
export class ContentApi {
  constructor(private readonly rpc: Rpc) {}

  async info(scope: Scope, digest: string): Promise<ContentInfo> {
    const res = await this.rpc.unary<{ info: ContentInfo }>('content', 'Info', { digest }, scope);
    return res.info;
  }

  /** Sets (string) or removes (null) labels on a blob; returns the updated info. */
  async updateLabels(scope: Scope, digest: string, changes: LabelChanges): Promise<ContentInfo> {
    const { labels, paths } = labelUpdate(changes);
    const res = await this.rpc.unary<{ info: ContentInfo }>(
      'content',
      'Update',
      { info: { digest, labels }, update_mask: { paths } },
      scope,
    );
    return res.info;
  }

  async list(scope: Scope, filters: string[] = []): Promise<ContentInfo[]> {
    const out: ContentInfo[] = [];
    for await (const msg of this.rpc.serverStream<{ info: ContentInfo[] }>(
      'content',
      'List',
      { filters },
      scope,
    )) {
      out.push(...msg.info);
    }
    return out;
  }

  async delete(scope: Scope, digest: string): Promise<void> {
    await this.rpc.unary('content', 'Delete', { digest }, scope);
  }

  /** Streams a blob (the daemon sends 1 MiB chunks). `size` 0 reads to the end. */
  async *read(
    scope: Scope,
    digest: string,
    opts: { offset?: number; size?: number } = {},
  ): AsyncIterable<Buffer> {
    const req = { digest, offset: opts.offset ?? 0, size: opts.size ?? 0 };
    for await (const msg of this.rpc.serverStream<{ data: Buffer }>('content', 'Read', req, scope)) {
      yield msg.data;
    }
  }

  /** Reads a whole blob into memory (manifests, configs: small JSON). */
  async readAll(scope: Scope, digest: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.read(scope, digest)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  async status(scope: Scope, ref: string): Promise<IngestStatus> {
    const res = await this.rpc.unary<{ status: IngestStatus }>('content', 'Status', { ref }, scope);
    return res.status;
  }

  async listStatuses(scope: Scope, filters: string[] = []): Promise<IngestStatus[]> {
    const res = await this.rpc.unary<{ statuses: IngestStatus[] }>(
      'content',
      'ListStatuses',
      { filters },
      scope,
    );
    return res.statuses;
  }

  async abort(scope: Scope, ref: string): Promise<void> {
    await this.rpc.unary('content', 'Abort', { ref }, scope);
  }

  /** Writes one blob with resume, verification and cleanup. See WriteContentOptions. */
  write(scope: Scope, opts: WriteContentOptions): Promise<WriteContentResult> {
    return writeContent(this.rpc, scope, opts);
  }

  /** Low-level lockstep Write stream on one ref (STAT/WRITE/COMMIT by hand). Prefer `write`. */
  openWriter(scope: Scope, ref: string): ContentWriteStream {
    return new ContentWriteStream(this.rpc, scope, ref);
  }
}
