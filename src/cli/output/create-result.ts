import { q } from '../cli-error.js';
import { field, str } from './doc-fields.js';
import { outcome, outcomeLine } from './outcome.js';

type Result = Record<string, unknown>;

/** `kuke create realm`. */
export function renderCreateRealm(name: string, r: Result): string {
  const ns = str(r.Realm, 'spec.namespace');
  return (
    `Realm ${q(name)} (namespace ${q(ns)})\n` +
    outcomeLine('metadata', outcome(r.Created, r.MetadataExistsPost)) +
    outcomeLine(
      'containerd namespace',
      outcome(r.ContainerdNamespaceCreated, r.ContainerdNamespaceExistsPost),
    ) +
    outcomeLine('cgroup', outcome(r.CgroupCreated, r.CgroupExistsPost))
  );
}

/** `kuke create space`. */
export function renderCreateSpace(name: string, realm: string, r: Result): string {
  return (
    `Space ${q(name)} (realm ${q(realm)}, network ${q(`${realm}-${name}`)})\n` +
    outcomeLine('metadata', outcome(r.Created, r.MetadataExistsPost)) +
    outcomeLine('network', outcome(r.CNINetworkCreated, r.CNINetworkExistsPost)) +
    outcomeLine('cgroup', outcome(r.CgroupCreated, r.CgroupExistsPost))
  );
}

/** `kuke create stack`. */
export function renderCreateStack(name: string, realm: string, space: string, r: Result): string {
  return (
    `Stack ${q(name)} (realm ${q(realm)}, space ${q(space)})\n` +
    outcomeLine('metadata', outcome(r.Created, r.MetadataExistsPost)) +
    outcomeLine('cgroup', outcome(r.CgroupCreated, r.CgroupExistsPost))
  );
}

/** `kuke create cell` / the `kuke run` summary. */
export function renderCellOutcome(
  cell: { name: string; realm: string; space: string; stack: string },
  r: Result,
): string {
  let out =
    `Cell ${q(cell.name)} (realm ${q(cell.realm)}, space ${q(cell.space)}, stack ${q(cell.stack)})\n` +
    outcomeLine('metadata', outcome(r.Created, r.MetadataExistsPost)) +
    outcomeLine('cgroup', outcome(r.CgroupCreated, r.CgroupExistsPost)) +
    outcomeLine('root container', outcome(r.RootContainerCreated, r.RootContainerExistsPost));
  // The root container has its own line; only the declared workloads are listed.
  const roots = rootContainerIds(r.Cell);
  const containers = (Array.isArray(r.Containers) ? (r.Containers as Result[]) : []).filter(
    (c) => !roots.has(String(c.Name ?? '')),
  );
  if (containers.length === 0) out += outcomeLine('containers', 'none defined');
  for (const c of containers) {
    out += outcomeLine(`container ${q(String(c.Name ?? ''))}`, outcome(c.Created, c.ExistsPost));
  }
  const started = r.Started === true || r.StartedPost === true;
  return out + outcomeLine('containers', started ? 'started' : 'not started');
}

/** Ids of a cell's root container: `spec.rootContainerId`, a `root: true` container, or `root`. */
function rootContainerIds(cell: unknown): Set<string> {
  const ids = new Set(['root']);
  const explicit = str(cell, 'spec.rootContainerId');
  if (explicit) ids.add(explicit);
  const specs = field(cell, 'spec.containers');
  for (const c of Array.isArray(specs) ? specs : []) if (field(c, 'root') === true) ids.add(str(c, 'id'));
  return ids;
}
