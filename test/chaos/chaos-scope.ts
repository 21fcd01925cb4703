import type { Cell } from '../../src/model/resources.js';
import { cellModel, containerModel } from '../helpers/cell-docs.js';

/**
 * The resources a chaos run plays with: one realm/space/stack holding `cellCount` cells, plus an
 * extra space/stack pair that the worker creates and deletes now and then (networks, bridges and
 * stack cgroups under crashes). The realm name carries the pid so parallel runs never collide on
 * network names, which are what CNI chains and lease directories are keyed by.
 */
export interface ChaosScope {
  realm: string;
  space: string;
  stack: string;
  extraSpace: string;
  extraStack: string;
  cellCount: number;
  image: string;
  /**
   * An image on the run's own registry (docs/chaos.md): the worker pulls and deletes it, and the
   * cells `usesPulledImage` names run it, so their creates pull it when the realm lacks it.
   */
  pulledImage?: string;
}

/** Every fifth cell's `w` runs the registry image (an implicit pull at its create). */
export const usesPulledImage = (name: string): boolean => Number(name.slice(1)) % 5 === 0;

export const cellName = (i: number): string => `c${String(i).padStart(2, '0')}`;

export const cellNames = (scope: ChaosScope): string[] =>
  Array.from({ length: scope.cellCount }, (_, i) => cellName(i));

/** A workload that stops at once on SIGTERM (PID 1 without a handler would ignore it). */
const sleeper = (image: string, id: string, env: string[] = []) =>
  containerModel(id, image, {
    command: 'sh',
    args: ['-c', 'trap "exit 0" TERM; sleep 3600 & wait'],
    env,
  });

/**
 * The volumes the worker creates and deletes (docs/volumes.md): one at the realm (policy Delete)
 * and one in the extra space with policy Retain, which must outlive every delete of that space.
 */
export const chaosVolumes = (scope: ChaosScope) => [
  { name: 'vol-realm', scope: { realm: scope.realm }, policy: 'Delete' as const },
  { name: 'vol-keep', scope: { realm: scope.realm, space: scope.extraSpace }, policy: 'Retain' as const },
];

/**
 * The registry logins the worker sets and removes on the chaos realm (docs/images.md,
 * "Credentials"): the default entry and one server. Nothing pulls with them; what is checked is
 * that a crash leaves each login whole (its user with that user's password) or absent.
 */
export const chaosCredentialServers = ['', 'registry.chaos.test:5000'];

/** `credential:<server>` (`credential:default` for the entry without a server). */
export const credentialTarget = (server: string): string => `credential:${server || 'default'}`;

/** A password that says whose it is, so the audit can tell one user's login from a mixed one. */
export const chaosPassword = (username: string, n: number): string => `${username}:${n}`;

/** The user a chaosPassword belongs to. */
export const passwordOwner = (password: string): string => password.split(':')[0];

/** Whether the cell's `w` mounts the realm volume (every third cell). */
export const mountsVolume = (name: string): boolean => Number(name.slice(1)) % 3 === 0;

/** The realm Secret odd cells use (written by the harness before the first round). */
export const chaosSecret = (scope: ChaosScope) => ({ name: 'chaos-token', realm: scope.realm });

/**
 * The cell as the user first declares it: default root + workload `w` (+ `v` for odd cells, which
 * also get the chaos Secret as an env variable and as a staged file, docs/secrets.md). Every
 * third cell's `w` mounts the realm volume the worker creates and deletes (docs/volumes.md), so
 * volume deletes race cell creates, starts and updates: while such a cell runs or is being
 * brought up, the delete is refused; when the volume is missing, the cell's operation fails.
 */
export function cellTemplate(scope: ChaosScope, name: string): Cell {
  const at = { realm: scope.realm, space: scope.space, stack: scope.stack };
  const odd = Number(name.slice(1)) % 2 === 1;
  const w = sleeper(scope.pulledImage && usesPulledImage(name) ? scope.pulledImage : scope.image, 'w', [
    'GEN=0',
  ]);
  if (mountsVolume(name))
    w.volumes = [{ kind: 'volume', source: chaosVolumes(scope)[0].name, target: '/data' }];
  if (odd)
    w.secrets = [
      { name: 'TOKEN', secretRef: chaosSecret(scope) },
      { name: 'token', secretRef: chaosSecret(scope), mountPath: '/run/secrets/token' },
    ];
  const containers = [w];
  if (odd) containers.push(sleeper(scope.image, 'v'));
  return cellModel(at, name, containers);
}

/** An update of a stored cell: a new GEN for `w` (recreates it), and sometimes `v` added or removed. */
export function updatedCell(scope: ChaosScope, stored: Cell, gen: number, toggleV: boolean): Cell {
  const desired = structuredClone(stored);
  const workloads = desired.spec.containers.filter((c) => !c.root);
  desired.spec.containers = workloads.map((c) => (c.id === 'w' ? { ...c, env: [`GEN=${gen}`] } : c));
  if (toggleV) {
    const hasV = desired.spec.containers.some((c) => c.id === 'v');
    desired.spec.containers = hasV
      ? desired.spec.containers.filter((c) => c.id !== 'v')
      : [...desired.spec.containers, sleeper(scope.image, 'v')];
  }
  return desired;
}
