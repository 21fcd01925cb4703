/**
 * A container's `ports` entry (docs/networking-ports.md) as a Kubernetes ContainerPort, parsed by
 * the same parser the runner publishes with. Returns a reason when the entry does not parse.
 */
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import { parsePublishedPort } from '../../model/published-ports.js';

export function containerPortOf(entry: string): IContainerPort | string {
  const p = parsePublishedPort(entry);
  if (typeof p === 'string') return p;
  return {
    containerPort: p.containerPort,
    protocol: p.protocol === 'udp' ? 'UDP' : 'TCP',
    hostPort: p.hostPort,
    ...(p.hostIP ? { hostIP: p.hostIP } : {}),
  };
}
