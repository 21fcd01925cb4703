/** Published ports of a cell's containers (docs/networking-ports.md). */
import { cellPublishedPorts } from '../../model/published-ports.js';

interface PortsLike {
  id?: string;
  ports?: string[];
  hostNetwork?: boolean;
}

/**
 * Every `ports` entry parses, no host port is published twice in the cell, and no container on
 * the host network publishes (it has no namespace of the cell's to forward to).
 */
export function checkPublishedPorts(containers: readonly PortsLike[]): string | undefined {
  for (const c of containers) {
    if (c.hostNetwork && (c.ports ?? []).length > 0) {
      return `container "${(c.id ?? '').trim()}": ports cannot be published by a container with hostNetwork: true (it uses the host's ports directly)`;
    }
  }
  const r = cellPublishedPorts(containers.map((c) => ({ id: (c.id ?? '').trim(), ports: c.ports })));
  return typeof r === 'string' ? r : undefined;
}
