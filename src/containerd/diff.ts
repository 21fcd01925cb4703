import type { Rpc } from './rpc.js';
import type { Descriptor, Mount, Scope } from './types.js';

/** The diff service: the daemon applies a layer blob from its content store onto mounts. */
export class DiffApi {
  constructor(private readonly rpc: Rpc) {}

  /**
   * Applies `layer` (descriptor as in the manifest, compressed media type included) onto
   * `mounts` (from Snapshots.Prepare). Returns the applied, uncompressed descriptor: its digest
   * is the layer's diff ID, which the caller must check against the image config.
   */
  async apply(scope: Scope, layer: Descriptor, mounts: Mount[]): Promise<Descriptor> {
    const res = await this.rpc.unary<{ applied: Descriptor }>(
      'diff',
      'Apply',
      { diff: { annotations: {}, ...layer }, mounts, payloads: {} },
      scope,
    );
    return res.applied;
  }
}
