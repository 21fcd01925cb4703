/**
 * A space as a Kubernetes Namespace, and its egress policy (docs/egress.md) as a NetworkPolicy
 * on every Pod of that namespace. kukeon's policy never filters traffic between the cells of a
 * space, so the NetworkPolicy allows the namespace's own Pods too — unless the space keeps its
 * cells apart (`isolation: cells`, docs/cell-isolation.md): then an ingress NetworkPolicy admits
 * every source but the namespace's own Pods. Host-name rules have no NetworkPolicy form: they
 * become an annotation and a note.
 */
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { SpaceDoc } from '../../api/v1beta1/space.js';
import type { ConversionNote } from '../conversion-note.js';
import { namespaceOfSpace } from './cell-to-pod.js';
import { isolatesCells } from '../../model/space-isolation.js';

export type KukeonSpace = {
  metadata: NonNullable<SpaceDoc['metadata']> & { name: string };
  spec?: NonNullable<SpaceDoc['spec']>;
};

export function spaceToKubernetes(
  space: KukeonSpace,
  notes: ConversionNote[],
): (INamespace | INetworkPolicy)[] {
  const where = `space "${space.metadata.name}"`;
  const name = namespaceOfSpace(space.metadata.name, notes);
  const realm = space.spec?.realmId ?? 'default';
  const ns: INamespace = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        ...(space.metadata.labels ?? {}),
        'kukeon.io/realm': realm,
        'kukeon.io/space': space.metadata.name,
      },
    },
  };
  const out: (INamespace | INetworkPolicy)[] = [ns];
  if (space.spec?.defaults?.container)
    notes.push({
      where: `${where} defaults.container`,
      reason: 'Kubernetes has no namespace-wide container defaults; the exported Pods carry them already',
    });
  const isolated = isolatesCells(space.spec?.network);
  if (isolated) {
    out.push(isolationPolicy(name));
    notes.push({
      where: `${where} network.isolation`,
      reason:
        "an ingress NetworkPolicy admits everything but the namespace's own Pods; whether its 0.0.0.0/0 ipBlock also admits Pod addresses depends on the network plugin",
    });
  }
  const egress = space.spec?.network?.egress;
  if (!egress || (egress.default ?? '').toLowerCase() !== 'deny') {
    if ((egress?.allow ?? []).length)
      notes.push({
        where: `${where} network.egress.allow`,
        reason: 'the default is allow, so the rules change nothing; no NetworkPolicy',
      });
    return out;
  }
  const rules: INetworkPolicyEgressRule[] = isolated ? [] : [{ to: [{ podSelector: {} }] }];
  const hosts: string[] = [];
  for (const r of egress.allow ?? []) {
    const ports = (r.ports ?? []).flatMap((port) => [
      { protocol: 'TCP' as const, port },
      { protocol: 'UDP' as const, port },
    ]);
    if (r.cidr) rules.push({ to: [{ ipBlock: { cidr: r.cidr } }], ...(ports.length ? { ports } : {}) });
    else if (r.host) hosts.push(r.ports?.length ? `${r.host}:${r.ports.join('+')}` : r.host);
  }
  const policy: INetworkPolicy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'kukeon-egress', namespace: name },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: rules },
  };
  if (hosts.length) {
    policy.metadata!.annotations = { 'kukeon.io/egress-allow-hosts': hosts.join(',') };
    notes.push({
      where: `${where} network.egress.allow`,
      reason: `host rules (${hosts.join(', ')}) have no NetworkPolicy form: kept as an annotation, not enforced`,
    });
  }
  notes.push({
    where: `${where} network.egress`,
    reason:
      'the NetworkPolicy denies DNS too unless your cluster DNS is allowed (kukeon cells resolve through the host)',
  });
  out.push(policy);
  return out;
}

/** `isolation: cells`: ingress from other namespaces and from outside the cluster only. */
function isolationPolicy(namespace: string): INetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'kukeon-isolation', namespace },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchExpressions: [
                  { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [namespace] },
                ],
              },
            },
            { ipBlock: { cidr: '0.0.0.0/0' } },
          ],
        },
      ],
    },
  };
}
