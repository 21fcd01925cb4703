import type { ContainerSpec } from '../../model/container.js';
import type { Cell } from '../../model/resources.js';
import type { RunnerContext } from '../runner-context.js';

/** Where the pause binary appears inside the default root container. */
const PAUSE_PATH = '/.kukeon/bin/busybox';

/**
 * PID 1 of a default root: waits forever, exits 0 at once on SIGTERM/SIGINT (a PID 1 without a
 * handler would ignore SIGTERM and make every stop wait for the SIGKILL grace period).
 */
const PAUSE_SCRIPT = `trap "exit 0" TERM INT; while :; do ${PAUSE_PATH} sleep 2147483647 & wait; done`;

export const DEFAULT_ROOT_ID = 'root';

/**
 * The root container the runner synthesises for a cell that names none. Unlike
 * the original (busybox image + a staged kukepause), it needs no image at all: an empty rootfs
 * with the host's static busybox bind-mounted read-only, so a cell starts even in a realm that
 * holds only its workloads' images, and nothing is ever staged into a user's image.
 */
export function defaultRoot(ctx: RunnerContext, cell: Cell): ContainerSpec {
  return {
    id: DEFAULT_ROOT_ID,
    realmId: cell.spec.realmId,
    spaceId: cell.spec.spaceId,
    stackId: cell.spec.stackId,
    cellId: cell.spec.id,
    root: true,
    image: '',
    command: PAUSE_PATH,
    args: ['sh', '-c', PAUSE_SCRIPT],
    env: [],
    ports: [],
    volumes: [{ kind: 'bind', source: ctx.config.pauseBinary, target: PAUSE_PATH, readOnly: true }],
    networks: [],
    networksAliases: [],
    privileged: false,
    hostNetwork: cell.spec.containers.some((c) => c.hostNetwork) || undefined,
    readOnlyRootFilesystem: true,
    restartPolicy: '',
  };
}

/**
 * Resolves the cell's root: the container flagged `root` or named by
 * `rootContainerId`, else a synthesised default root inserted first. Returns the cell with
 * exactly one root container and `rootContainerId` set.
 */
export function withRoot(ctx: RunnerContext, cell: Cell): Cell {
  const containers = cell.spec.containers.map((c) => ({ ...c }));
  const explicit = cell.spec.rootContainerId?.trim();
  let root =
    containers.find((c) => c.root) ?? (explicit ? containers.find((c) => c.id === explicit) : undefined);
  if (root) {
    root.root = true;
  } else {
    root = defaultRoot(ctx, cell);
    containers.unshift(root);
  }
  return { ...cell, spec: { ...cell.spec, containers, rootContainerId: root.id } };
}
