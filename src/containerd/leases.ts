import { randomBytes } from 'node:crypto';
import type { Rpc } from './rpc.js';
import type { Labels, Scope, Timestamp } from './types.js';
import { isNotFound } from './errors.js';

export const GC_EXPIRE_LABEL = 'containerd.io/gc.expire';

/** RFC 3339 in UTC without fractional seconds, the form containerd's GC parses. */
export function gcExpireValue(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, 'Z');
}

export interface Lease {
  id: string;
  created_at: Timestamp | null;
  labels: Labels;
}

export interface CreateLeaseOptions {
  /** Lease id; a random `kukeon-<hex>` when omitted. */
  id?: string;
  labels?: Labels;
  /** Sets `containerd.io/gc.expire` so an abandoned lease (client died) expires by itself. */
  expiresInMs?: number;
}

/**
 * Leases protect what a multi-step write creates (ingests, blobs, snapshots) from GC until a
 * long-lived record references it. Pass `{namespace, lease: id}` as the scope of those calls.
 */
export class LeasesApi {
  constructor(private readonly rpc: Rpc) {}

  async create(namespace: string, opts: CreateLeaseOptions = {}): Promise<Lease> {
    const labels: Labels = { ...opts.labels };
    if (opts.expiresInMs !== undefined)
      labels[GC_EXPIRE_LABEL] = gcExpireValue(new Date(Date.now() + opts.expiresInMs));
    const id = opts.id ?? `kukeon-${randomBytes(8).toString('hex')}`;
    const res = await this.rpc.unary<{ lease: Lease }>('leases', 'Create', { id, labels }, namespace);
    return res.lease;
  }

  /** `sync` runs GC before replying, so what only the lease held is gone on return. */
  async delete(namespace: string, id: string, opts: { sync?: boolean } = {}): Promise<void> {
    await this.rpc.unary('leases', 'Delete', { id, sync: opts.sync ?? false }, namespace);
  }

  async list(namespace: string, filters: string[] = []): Promise<Lease[]> {
    const res = await this.rpc.unary<{ leases: Lease[] }>('leases', 'List', { filters }, namespace);
    return res.leases;
  }

  /**
   * Runs `fn` under a fresh lease (default expiry 1 h) and deletes the lease afterwards, also on
   * failure. `fn` gets the scope to pass to every call that must be protected.
   */
  async withLease<T>(
    namespace: string,
    fn: (scope: Exclude<Scope, string>) => Promise<T>,
    opts: CreateLeaseOptions & { syncDelete?: boolean } = {},
  ): Promise<T> {
    const lease = await this.create(namespace, { expiresInMs: 3600_000, ...opts });
    try {
      return await fn({ namespace, lease: lease.id });
    } finally {
      await this.delete(namespace, lease.id, { sync: opts.syncDelete }).catch((err: unknown) => {
        if (!isNotFound(err)) this.rpc.log.warn({ lease: lease.id, err }, 'lease delete failed');
      });
    }
  }
}
