/**
 * The root container the daemon adds to a cell that names none (spec 01 §4.4.3 case 3, spec 02
 * §2.3): id `root`, busybox filesystem, the kukepause binary bind-mounted read-only from the run
 * path, host network iff any container of the cell wants it.
 */
import type { ContainerSpec } from './container.js';
import type { Cell } from './resources.js';

export const defaultRootId = 'root';
export const defaultRootImage = 'docker.io/library/busybox:latest';
export const kukepauseContainerPath = '/.kukeon/bin/kukepause';

export function defaultRootContainer(cell: Cell, runPath: string): ContainerSpec {
  return {
    id: defaultRootId,
    realmId: cell.spec.realmId,
    spaceId: cell.spec.spaceId,
    stackId: cell.spec.stackId,
    cellId: cell.spec.id,
    root: true,
    image: defaultRootImage,
    command: kukepauseContainerPath,
    args: [],
    env: [],
    ports: [],
    volumes: [
      {
        source: `${runPath.replace(/\/+$/, '')}/bin/kukepause`,
        target: kukepauseContainerPath,
        readOnly: true,
      },
    ],
    networks: [],
    networksAliases: [],
    privileged: false,
    ...(cell.spec.containers.some((c) => c.hostNetwork) ? { hostNetwork: true } : {}),
    restartPolicy: '',
  };
}

/**
 * A copy of `cell` with a root: unchanged when one is flagged, else with the default root appended
 * and `rootContainerId: root`.
 */
export function withRootContainer(cell: Cell, runPath: string): Cell {
  if (cell.spec.containers.some((c) => c.root)) return cell;
  return {
    ...cell,
    spec: {
      ...cell.spec,
      rootContainerId: defaultRootId,
      containers: [...cell.spec.containers, defaultRootContainer(cell, runPath)],
    },
  };
}
