/**
 * A cell as Kubernetes objects: one Pod (its root container dropped: Kubernetes makes its own
 * sandbox), plus a Secret per secret source and a PersistentVolumeClaim per mounted Volume.
 * A cell without secrets or volumes is exactly one Pod.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPod } from 'kubernetes-models/v1/Pod';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { CellDoc } from '../../api/v1beta1/cell.js';
import type { ConversionNote } from '../conversion-note.js';
import {
  containerToKubernetes,
  type KukeonContainer,
  type PodContext,
  type SecretKey,
} from './container-to-kubernetes.js';
import { labelName, subdomainName } from './kubernetes-names.js';

/** A cell as the daemon returns it (omit-empty fields may be absent). */
export type KukeonCell = {
  metadata: NonNullable<CellDoc['metadata']> & { name: string };
  spec: Omit<NonNullable<CellDoc['spec']>, 'containers'> & { containers?: KukeonContainer[] };
};

export interface CellExportOptions {
  /** The value of one secret key, or undefined when it cannot be had (a note says why). Absent: no values. */
  secretValue?: (key: SecretKey, notes: ConversionNote[]) => string | Uint8Array | undefined;
}

export interface CellObjects {
  pod: IPod;
  secrets: ISecret[];
  claims: IPersistentVolumeClaim[];
}

const restartPolicies: Record<string, 'Always' | 'OnFailure' | 'Never'> = {
  always: 'Always',
  'on-failure': 'OnFailure',
  never: 'Never',
  '': 'Never',
};

/** The Kubernetes namespace a space's objects go to (docs/convert.md). */
export function namespaceOfSpace(space: string, notes: ConversionNote[]): string {
  return labelName(space, `space "${space}"`, notes);
}

export function cellToKubernetes(
  cell: KukeonCell,
  notes: ConversionNote[],
  opts: CellExportOptions = {},
): CellObjects {
  const cellName = cell.metadata.name;
  const where = `cell "${cellName}"`;
  const name = subdomainName(cellName, where, notes);
  const namespace = namespaceOfSpace(cell.spec.spaceId ?? 'default', notes);
  const ctx: PodContext = {
    where,
    secretName: `${name}-secrets`.slice(0, 253),
    notes,
    volumes: [],
    secretKeys: [],
    claims: new Set(),
  };
  const all = cell.spec.containers ?? [];
  const rootId = cell.spec.rootContainerId;
  const isRoot = (c: KukeonContainer) => c.root === true || (!!rootId && c.id === rootId);
  const root = all.find(isRoot);
  const workloads = all.filter((c) => !isRoot(c));
  if (root?.image && !/pause/.test(root.image))
    notes.push({
      where: `${where} container "${root.id}"`,
      reason: `the root container (image ${root.image}) is dropped: a Pod's sandbox is made by Kubernetes`,
    });
  const containers: IContainer[] = workloads.map((c) => containerToKubernetes(c, ctx));

  const policies = [...new Set(workloads.map((c) => c.restartPolicy ?? ''))];
  const restartPolicy = restartPolicies[policies[0] ?? ''] ?? 'Never';
  if (policies.length > 1)
    notes.push({
      where: `${where} restartPolicy`,
      reason: `containers differ (${policies.map((p) => p || 'never').join(', ')}); a Pod has one policy: ${restartPolicy}`,
    });
  const graces = workloads
    .map((c) => c.stopGracePeriodSeconds)
    .filter((g): g is number => typeof g === 'number');
  const pod: IPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: {
        ...(cell.metadata.labels ?? {}),
        'kukeon.io/realm': cell.spec.realmId ?? 'default',
        'kukeon.io/space': cell.spec.spaceId ?? 'default',
        'kukeon.io/stack': cell.spec.stackId ?? 'default',
        'kukeon.io/cell': cellName,
      },
      ...(cell.metadata.annotations && Object.keys(cell.metadata.annotations).length
        ? { annotations: { ...cell.metadata.annotations } }
        : {}),
    },
    spec: {
      containers,
      restartPolicy,
      ...(ctx.volumes.length ? { volumes: ctx.volumes } : {}),
      ...(graces.length ? { terminationGracePeriodSeconds: Math.max(...graces) } : {}),
      ...(containers.some((c) => c.lifecycle?.stopSignal) ? { os: { name: 'linux' } } : {}),
    },
  };
  if (new Set(graces).size > 1)
    notes.push({
      where: `${where} stopGracePeriodSeconds`,
      reason: `containers differ; the Pod waits the longest (${Math.max(...graces)} s)`,
    });
  if (root?.hostNetwork) pod.spec!.hostNetwork = true;
  const hostPID = workloads.filter((c) => c.hostPID);
  if (hostPID.length) {
    pod.spec!.hostPID = true;
    if (hostPID.length < workloads.length)
      notes.push({
        where: `${where} hostPID`,
        reason: 'a Pod shares the host PID namespace for all its containers or none',
      });
  }
  if (cell.spec.autoDelete)
    notes.push({ where: `${where} autoDelete`, reason: 'a Pod is not deleted when its containers exit' });
  if (cell.spec.nestedCgroupRuntime)
    notes.push({ where: `${where} nestedCgroupRuntime`, reason: 'no Kubernetes equivalent' });
  if (cell.spec.tty?.default)
    notes.push({
      where: `${where} tty.default`,
      reason: 'no Kubernetes equivalent (kubectl attach -c names the container)',
    });

  const secrets = new Map<string, ISecret>();
  for (const k of ctx.secretKeys) {
    let s = secrets.get(k.secret);
    if (!s) {
      s = { apiVersion: 'v1', kind: 'Secret', metadata: { name: k.secret, namespace }, type: 'Opaque' };
      secrets.set(k.secret, s);
    }
    if (opts.secretValue) {
      const value = opts.secretValue(k, notes);
      // `data` (base64) rather than `stringData`: a file's bytes need not be text, and podman 4.3's
      // kube play reads only `data` into a secret volume.
      if (value !== undefined) (s.data ??= {})[k.key] = Buffer.from(value).toString('base64');
    } else {
      // No values: the keys are named so the user knows what to fill in.
      const keys = s.metadata!.annotations?.['kukeon.io/keys-without-values'];
      s.metadata!.annotations = { 'kukeon.io/keys-without-values': keys ? `${keys},${k.key}` : k.key };
    }
  }
  if (secrets.size && !opts.secretValue)
    notes.push({
      where: `${where} secrets`,
      reason: `exported without values (${[...secrets.keys()].join(', ')}); fill them in, or export with --include-secret-values`,
    });
  const claims: IPersistentVolumeClaim[] = [...ctx.claims].map((claimName) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claimName, namespace },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  }));
  if (claims.length)
    notes.push({
      where: `${where} volumes`,
      reason: `kukeon Volumes have no size; each PersistentVolumeClaim (${[...ctx.claims].join(', ')}) asks for 1Gi`,
    });
  return { pod, secrets: [...secrets.values()], claims };
}
