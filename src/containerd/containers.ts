import type { Rpc } from './rpc.js';
import type { Any, Labels, Scope, Timestamp } from './types.js';
import { jsonAny, parseJsonAny, protoAny, SPEC_TYPE_URL, RUNC_OPTIONS_TYPE } from './any.js';

/** runc v2 shim options (`containerd.runc.v1.Options`), protobuf-encoded into an Any. */
export interface RuncOptions {
  no_pivot_root?: boolean;
  no_new_keyring?: boolean;
  shim_cgroup?: string;
  io_uid?: number;
  io_gid?: number;
  binary_name?: string;
  root?: string;
  systemd_cgroup?: boolean;
}

export function runcOptionsAny(opts: RuncOptions): Any {
  return protoAny(RUNC_OPTIONS_TYPE, opts);
}

/** What the caller provides to create a container record. */
export interface NewContainer {
  id: string;
  labels?: Labels;
  /** Image name: informational only. */
  image?: string;
  /** The full OCI runtime spec; sent as JSON inside an Any. containerd applies nothing else. */
  spec: object;
  /** Defaults to the client's runtime (io.containerd.runc.v2). */
  runtime?: string;
  runtimeOptions?: RuncOptions;
  /** Snapshot key of the rootfs (from Snapshots.Prepare). */
  snapshot_key: string;
  snapshotter?: string;
}

export interface ContainerRecord {
  id: string;
  labels: Labels;
  image: string;
  runtime: { name: string; options: Any | null } | null;
  /** The OCI spec, parsed from the stored JSON. */
  spec: Record<string, unknown> | undefined;
  snapshotter: string;
  snapshot_key: string;
  created_at: Timestamp | null;
  updated_at: Timestamp | null;
}

interface WireContainer extends Omit<ContainerRecord, 'spec'> {
  spec: Any | null;
}

function fromWire(c: WireContainer): ContainerRecord {
  return { ...c, spec: parseJsonAny<Record<string, unknown>>(c.spec) };
}

/**
 * Container records (metadata only; the process is a task). Deleting a record whose task is
 * alive breaks containerd's bookkeeping: use `deleteContainer` from teardown.ts, which refuses.
 */
export class ContainersApi {
  constructor(private readonly rpc: Rpc) {}

  async create(scope: Scope, c: NewContainer): Promise<ContainerRecord> {
    const container = {
      id: c.id,
      labels: c.labels ?? {},
      image: c.image ?? '',
      runtime: {
        name: c.runtime ?? this.rpc.runtime,
        options: c.runtimeOptions ? runcOptionsAny(c.runtimeOptions) : undefined,
      },
      spec: jsonAny(SPEC_TYPE_URL, c.spec),
      snapshotter: c.snapshotter ?? this.rpc.snapshotter,
      snapshot_key: c.snapshot_key,
    };
    const res = await this.rpc.unary<{ container: WireContainer }>(
      'containers',
      'Create',
      { container },
      scope,
    );
    return fromWire(res.container);
  }

  async get(scope: Scope, id: string): Promise<ContainerRecord> {
    const res = await this.rpc.unary<{ container: WireContainer }>('containers', 'Get', { id }, scope);
    return fromWire(res.container);
  }

  /** Filters are ORed, e.g. `labels."kukeon.io/cell"==web`. */
  async list(scope: Scope, filters: string[] = []): Promise<ContainerRecord[]> {
    const res = await this.rpc.unary<{ containers: WireContainer[] }>(
      'containers',
      'List',
      { filters },
      scope,
    );
    return res.containers.map(fromWire);
  }

  /**
   * Updates the fields named in `paths`: `spec` (replace the stored spec, e.g. to join another
   * container's namespaces before Tasks.Create), `labels`, `labels.<k>`, `snapshot_key`, `image`.
   */
  async update(
    scope: Scope,
    id: string,
    changes: { spec?: object; labels?: Labels; image?: string; snapshot_key?: string },
    paths: string[],
  ): Promise<ContainerRecord> {
    const container: Record<string, unknown> = { id, labels: changes.labels ?? {} };
    if (changes.spec !== undefined) container.spec = jsonAny(SPEC_TYPE_URL, changes.spec);
    if (changes.image !== undefined) container.image = changes.image;
    if (changes.snapshot_key !== undefined) container.snapshot_key = changes.snapshot_key;
    const res = await this.rpc.unary<{ container: WireContainer }>(
      'containers',
      'Update',
      { container, update_mask: { paths } },
      scope,
    );
    return fromWire(res.container);
  }

  /** Raw delete. It does NOT check for a live task (containerd 1.6 doesn't either). */
  async delete(scope: Scope, id: string): Promise<void> {
    await this.rpc.unary('containers', 'Delete', { id }, scope);
  }
}
