import type { Rpc } from './rpc.js';
import type { Labels, Mount, Scope, Timestamp } from './types.js';

export interface SnapshotInfo {
  name: string;
  parent: string;
  kind: 'UNKNOWN' | 'VIEW' | 'ACTIVE' | 'COMMITTED';
  created_at: Timestamp | null;
  updated_at: Timestamp | null;
  labels: Labels;
}

export interface SnapshotUsage {
  size: number;
  inodes: number;
}

/**
 * Snapshots of one snapshotter (the client's default, HostConfig.snapshotter, unless a call
 * names another). Prepare/View return the mounts to hand to Diff.Apply or Tasks.Create.
 */
export class SnapshotsApi {
  constructor(private readonly rpc: Rpc) {}

  private sn(snapshotter?: string): string {
    return snapshotter ?? this.rpc.snapshotter;
  }

  /** Creates an active (writable) snapshot `key` on top of committed `parent` ('' for none). */
  async prepare(
    scope: Scope,
    key: string,
    parent = '',
    opts: { labels?: Labels; snapshotter?: string } = {},
  ): Promise<Mount[]> {
    const req = { snapshotter: this.sn(opts.snapshotter), key, parent, labels: opts.labels ?? {} };
    const res = await this.rpc.unary<{ mounts: Mount[] }>('snapshots', 'Prepare', req, scope);
    return res.mounts;
  }

  /** A read-only view of committed `parent`. */
  async view(
    scope: Scope,
    key: string,
    parent: string,
    opts: { labels?: Labels; snapshotter?: string } = {},
  ): Promise<Mount[]> {
    const req = { snapshotter: this.sn(opts.snapshotter), key, parent, labels: opts.labels ?? {} };
    const res = await this.rpc.unary<{ mounts: Mount[] }>('snapshots', 'View', req, scope);
    return res.mounts;
  }

  async mounts(scope: Scope, key: string, snapshotter?: string): Promise<Mount[]> {
    const res = await this.rpc.unary<{ mounts: Mount[] }>(
      'snapshots',
      'Mounts',
      { snapshotter: this.sn(snapshotter), key },
      scope,
    );
    return res.mounts;
  }

  /** Turns active snapshot `key` into committed snapshot `name` (e.g. a chain ID). */
  async commit(
    scope: Scope,
    name: string,
    key: string,
    opts: { labels?: Labels; snapshotter?: string } = {},
  ): Promise<void> {
    const req = { snapshotter: this.sn(opts.snapshotter), name, key, labels: opts.labels ?? {} };
    await this.rpc.unary('snapshots', 'Commit', req, scope);
  }

  async remove(scope: Scope, key: string, snapshotter?: string): Promise<void> {
    await this.rpc.unary('snapshots', 'Remove', { snapshotter: this.sn(snapshotter), key }, scope);
  }

  async stat(scope: Scope, key: string, snapshotter?: string): Promise<SnapshotInfo> {
    const res = await this.rpc.unary<{ info: SnapshotInfo }>(
      'snapshots',
      'Stat',
      { snapshotter: this.sn(snapshotter), key },
      scope,
    );
    return res.info;
  }

  async list(scope: Scope, filters: string[] = [], snapshotter?: string): Promise<SnapshotInfo[]> {
    const out: SnapshotInfo[] = [];
    const req = { snapshotter: this.sn(snapshotter), filters };
    for await (const msg of this.rpc.serverStream<{ info: SnapshotInfo[] }>(
      'snapshots',
      'List',
      req,
      scope,
    )) {
      out.push(...msg.info);
    }
    return out;
  }

  async usage(scope: Scope, key: string, snapshotter?: string): Promise<SnapshotUsage> {
    return this.rpc.unary<SnapshotUsage>(
      'snapshots',
      'Usage',
      { snapshotter: this.sn(snapshotter), key },
      scope,
    );
  }
}
