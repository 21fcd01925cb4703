import { ErrorCode } from '../error-codes.js';
import type { VolumeDoc } from '../api/index.js';
import type { VolumeRecord, VolumeScope } from '../runner/volume/volume-store.js';
import type { VolumeUse } from '../runner/volume/volume-users.js';
import { ControllerError, notFound } from './controller-errors.js';
import type { ScopeRunner, VolumePort } from './runner-port.js';
import type { ScopedCoordinates, ScopedOps } from './scoped-ops.js';

/** A Volume document with its identity typed (metadata.name and realm are required). */
export type VolumeDocument = VolumeDoc & { metadata: { name: string; realm: string } };

function scopeOf(doc: VolumeDocument): VolumeScope {
  const m = doc.metadata;
  return {
    realm: m.realm,
    ...(m.space && { space: m.space }),
    ...(m.space && m.stack && { stack: m.stack }),
  };
}

const cellName = (u: VolumeUse): string => `${u.realm}/${u.space}/${u.stack}/${u.cell}`;

/** `volume "v" not found in realm "r", space "s"`. */
export function volumeNotFound(name: string, s: VolumeScope): ControllerError {
  const where = [`realm "${s.realm}"`, s.space && `space "${s.space}"`, s.stack && `stack "${s.stack}"`]
    .filter(Boolean)
    .join(', ');
  return new ControllerError(ErrorCode.VOLUME_NOT_FOUND, `volume "${name}" not found in ${where}`);
}

/**
 * The Volume kind (docs/volumes.md): create needs its scope to exist, get and list report the
 * size on disk and the cells that mount each volume, delete refuses a volume a running cell
 * mounts (`volume "<n>" is in use by cell "<c>"`).
 */
export function volumeOps(volumes: VolumePort, scopes: ScopeRunner): ScopedOps<VolumeDocument> {
  const document = async (v: VolumeRecord, uses: Map<string, VolumeUse[]>): Promise<VolumeDocument> => {
    const users = uses.get(v.path) ?? [];
    const state = users.some((u) => u.running)
      ? 'InUse'
      : v.scopeExists
        ? 'Available'
        : v.reclaimPolicy === 'Retain'
          ? 'Retained'
          : 'Orphaned';
    return {
      apiVersion: 'v1beta1',
      kind: 'Volume',
      metadata: { name: v.name, ...v.scope },
      spec: { reclaimPolicy: v.reclaimPolicy },
      status: {
        state,
        path: v.path,
        sizeBytes: await volumes.volumeDiskUsage(v.path),
        mountedBy: users.map(cellName),
        createdAt: v.createdAt.toISOString(),
      },
    };
  };

  const requireScope = async (s: VolumeScope): Promise<void> => {
    if (!(await scopes.getRealm(s.realm))) throw notFound.realm(s.realm);
    if (s.space && !(await scopes.getSpace(s.realm, s.space))) throw notFound.space(s.realm, s.space);
    if (s.space && s.stack && !(await scopes.getStack(s.realm, s.space, s.stack)))
      throw notFound.stack(s.realm, s.space, s.stack);
  };

  return {
    async create(doc) {
      const scope = scopeOf(doc);
      await requireScope(scope);
      const policy = doc.spec?.reclaimPolicy === 'Retain' ? 'Retain' : 'Delete';
      const r = await volumes.writeVolume(scope, doc.metadata.name, policy);
      return {
        resource: await document(r.record, await volumes.volumeUses()),
        facts: { Created: r.created, Updated: r.updated },
      };
    },
    async get(doc) {
      const v = await volumes.getVolume(scopeOf(doc), doc.metadata.name);
      if (!v) return { resource: doc, facts: { Exists: false } };
      return { resource: await document(v, await volumes.volumeUses()), facts: { Exists: true } };
    },
    async list(filter: ScopedCoordinates) {
      const found = await volumes.listVolumes(filter);
      const uses = found.length > 0 ? await volumes.volumeUses() : new Map<string, VolumeUse[]>();
      return Promise.all(found.map((v) => document(v, uses)));
    },
    async delete(doc) {
      const scope = scopeOf(doc);
      const name = doc.metadata.name;
      const v = await volumes.getVolume(scope, name);
      if (!v) throw volumeNotFound(name, scope);
      const resource: VolumeDocument = {
        apiVersion: 'v1beta1',
        kind: 'Volume',
        metadata: { name, ...scope },
        spec: { reclaimPolicy: v.reclaimPolicy },
      };
      // The runner refuses a volume in use (VOLUME_IN_USE), under the volume's lock.
      const deleted = await volumes.deleteVolume(scope, name);
      return { resource, facts: { Deleted: deleted } };
    },
  };
}
