import type { Rpc } from './rpc.js';
import { labelUpdate, type LabelChanges, type Labels } from './types.js';

export interface Namespace {
  name: string;
  labels: Labels;
}

/**
 * containerd namespaces. Every call carries the `containerd-namespace` header: on 1.6 a Create
 * without it commits the namespace and then fails publishing the event (spec 04 §1.2).
 */
export class NamespacesApi {
  constructor(private readonly rpc: Rpc) {}

  async create(name: string, labels: Labels = {}): Promise<Namespace> {
    const res = await this.rpc.unary<{ namespace: Namespace }>(
      'namespaces',
      'Create',
      { namespace: { name, labels } },
      name,
    );
    return res.namespace;
  }

  async get(name: string): Promise<Namespace> {
    const res = await this.rpc.unary<{ namespace: Namespace }>('namespaces', 'Get', { name }, name);
    return res.namespace;
  }

  async list(): Promise<Namespace[]> {
    // The header may name any namespace; a read does not create it.
    const res = await this.rpc.unary<{ namespaces: Namespace[] }>('namespaces', 'List', {}, 'default');
    return res.namespaces;
  }

  /** Sets (string) or removes (null) labels, then re-reads: 1.6 answers Update with an empty namespace. */
  async updateLabels(name: string, changes: LabelChanges): Promise<Namespace> {
    const { labels, paths } = labelUpdate(changes);
    await this.rpc.unary(
      'namespaces',
      'Update',
      { namespace: { name, labels }, update_mask: { paths } },
      name,
    );
    return this.get(name);
  }

  /** Fails with ContainerdFailedPreconditionError while the namespace still holds anything. */
  async delete(name: string): Promise<void> {
    await this.rpc.unary('namespaces', 'Delete', { name }, name);
  }
}
