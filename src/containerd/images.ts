import type { Rpc } from './rpc.js';
import type { Descriptor, Labels, Scope, Timestamp } from './types.js';

export interface ImageRecord {
  name: string;
  labels: Labels;
  /** Usually the manifest descriptor (single-platform import); may be an index. */
  target: Descriptor;
  created_at?: Timestamp | null;
  updated_at?: Timestamp | null;
}

/** Image records: a name pointing at a manifest/index in the content store. */
export class ImagesApi {
  constructor(private readonly rpc: Rpc) {}

  async create(
    scope: Scope,
    image: { name: string; target: Descriptor; labels?: Labels },
  ): Promise<ImageRecord> {
    const res = await this.rpc.unary<{ image: ImageRecord }>(
      'images',
      'Create',
      { image: { labels: {}, ...image } },
      scope,
    );
    return res.image;
  }

  async get(scope: Scope, name: string): Promise<ImageRecord> {
    const res = await this.rpc.unary<{ image: ImageRecord }>('images', 'Get', { name }, scope);
    return res.image;
  }

  /** Filters are ORed; a comma inside one filter ANDs (e.g. `name~="^x"`, `labels."k"==v`). */
  async list(scope: Scope, filters: string[] = []): Promise<ImageRecord[]> {
    const res = await this.rpc.unary<{ images: ImageRecord[] }>('images', 'List', { filters }, scope);
    return res.images;
  }

  /**
   * Updates the fields named in `paths` (`target`, `labels`, `labels.<key>`); without paths, all
   * mutable fields. Use it to re-point a name at a new manifest.
   */
  async update(
    scope: Scope,
    image: { name: string; target?: Descriptor; labels?: Labels },
    paths: string[] = [],
  ): Promise<ImageRecord> {
    const res = await this.rpc.unary<{ image: ImageRecord }>(
      'images',
      'Update',
      { image, update_mask: paths.length ? { paths } : undefined },
      scope,
    );
    return res.image;
  }

  /** `sync` (default true) runs GC before replying: unshared blobs and snapshots are gone on return. */
  async delete(scope: Scope, name: string, opts: { sync?: boolean } = {}): Promise<void> {
    await this.rpc.unary('images', 'Delete', { name, sync: opts.sync ?? true }, scope);
  }
}
