import type { JoinNamespaces } from './container-spec-input.js';
import type { OciNamespaceType, OciSpec } from './oci-spec.js';

export function removeNamespace(spec: OciSpec, type: OciNamespaceType): void {
  spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== type);
}

/** Adds a new (pathless) namespace unless one of that type is already there. */
export function addNamespace(spec: OciSpec, type: OciNamespaceType): void {
  if (!spec.linux.namespaces.some((n) => n.type === type)) spec.linux.namespaces.push({ type });
}

/** Sets the path of the namespace of that type, appending the entry when there is none. */
export function setNamespacePath(spec: OciSpec, type: OciNamespaceType, path: string): void {
  const existing = spec.linux.namespaces.find((n) => n.type === type);
  if (existing) existing.path = path;
  else spec.linux.namespaces.push({ type, path });
}

const JOINABLE: readonly [keyof JoinNamespaces, OciNamespaceType][] = [
  ['network', 'network'],
  ['ipc', 'ipc'],
  ['uts', 'uts'],
];

/**
 * Make a stored workload spec join the root's namespaces before its task is created. Old
 * net/ipc/uts paths are cleared first (the root's PID changes across restarts). Joining a UTS
 * namespace drops `hostname`: runc would otherwise rename the shared namespace.
 * Returns a new spec; the input is not modified.
 */
export function joinNamespaces(spec: OciSpec, paths: JoinNamespaces): OciSpec {
  const out = structuredClone(spec);
  for (const n of out.linux.namespaces) {
    if (n.type === 'network' || n.type === 'ipc' || n.type === 'uts') delete n.path;
  }
  for (const [key, type] of JOINABLE) {
    const path = paths[key];
    if (path) setNamespacePath(out, type, path);
  }
  if (paths.uts) delete out.hostname;
  return out;
}
