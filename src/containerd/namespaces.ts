import type { Rpc } from './rpc.js';
import { ContainerdNotFoundError } from './errors.js';
import { labelUpdate, type LabelChanges, type Labels } from './types.js';

export interface Namespace {
  name: string;
  labels: Labels;
}

/**
 * containerd namespaces. Every call carries the `containerd-namespace` header: on 1.6 a Create
 * without it commits the namespace and then fails publishing the event.
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

  /**
   * containerd 1.6's Namespaces.Get answers with empty labels for a namespace that does not
   * exist (verified), so existence is checked with List; ContainerdNotFoundError when absent.
   */
  async get(name: string): Promise<Namespace> {
    const found = (await this.list()).find((n) => n.name === name);
    if (!found) {
      throw new ContainerdNotFoundError(`containerd namespace ${name} not found`, {
        method: 'namespaces.Get',
      });
    }
    return found;
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
