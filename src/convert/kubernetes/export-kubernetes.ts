/**
 * `kuke export … --format kubernetes`: kukeon documents as Kubernetes objects, each built as a
 * typed model of the `kubernetes-models` package and validated against the OpenAPI schema that
 * package ships before it is printed. Pure: the caller fetches the documents (and secret values).
 */
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { stringify } from 'yaml';
import { KukeonError } from '../../errors.js';
import type { ConversionNote } from '../conversion-note.js';
import { cellToKubernetes, type CellExportOptions, type KukeonCell } from './cell-to-pod.js';
import { spaceToKubernetes, type KukeonSpace } from './space-to-namespace.js';

export type { KukeonCell } from './cell-to-pod.js';
export type { KukeonSpace } from './space-to-namespace.js';
export type { SecretKey } from './container-to-kubernetes.js';

export interface KubernetesExportInput {
  /** Spaces to export as Namespaces (a realm or space export); none for a stack or cell. */
  spaces: KukeonSpace[];
  cells: KukeonCell[];
}

/** A Kubernetes object, as the models print it. */
export type KubernetesObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
};

export interface KubernetesExport {
  objects: KubernetesObject[];
  notes: ConversionNote[];
}

const models = { Namespace, NetworkPolicy, Pod, Secret, PersistentVolumeClaim } as const;

export const kubernetesErrorCodes = { invalid: 'KUBERNETES_EXPORT_INVALID' } as const;

/**
 * Every object, validated: a model the schema rejects is our bug or a value Kubernetes cannot
 * take, and nothing is printed (KUBERNETES_EXPORT_INVALID names the object and the field).
 */
export function exportToKubernetes(
  input: KubernetesExportInput,
  opts: CellExportOptions = {},
): KubernetesExport {
  const notes: ConversionNote[] = [];
  const raw: KubernetesObject[] = [];
  for (const s of input.spaces) raw.push(...spaceToKubernetes(s, notes));
  const claims = new Set<string>();
  for (const c of input.cells) {
    const o = cellToKubernetes(c, notes, opts);
    raw.push(...o.secrets);
    for (const pvc of o.claims) {
      // Two cells mounting one Volume share one claim.
      const key = `${pvc.metadata?.namespace}/${pvc.metadata?.name}`;
      if (!claims.has(key)) raw.push(pvc);
      claims.add(key);
    }
    raw.push(o.pod);
  }
  return { objects: raw.map(validated), notes };
}

function validated(o: KubernetesObject): KubernetesObject {
  const Model = models[o.kind as keyof typeof models];
  const model = new Model(o as never);
  try {
    model.validate();
  } catch (err) {
    throw new KukeonError(
      kubernetesErrorCodes.invalid,
      `${o.kind} "${o.metadata?.name}" does not validate against the Kubernetes schema: ${(err as Error).message}`,
    );
  }
  return model.toJSON() as KubernetesObject;
}

/** The objects as one YAML stream (`---` between documents). */
export function kubernetesYaml(objects: readonly KubernetesObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}
