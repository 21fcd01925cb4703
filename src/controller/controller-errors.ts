import { CodedError, KukeonError, type CodeOf } from '../errors.js';

/**
 * Codes of the controller's own errors. The ones the kukeonv1 envelope knows (REALM_NOT_FOUND →
 * RealmNotFound, RESOURCE_HAS_DEPENDENCIES → ResourceHasDependencies, …) use the same code as the
 * runner, so clients see one identity whichever layer noticed.
 */
export const ControllerErrorCode = {
  RealmNotFound: 'REALM_NOT_FOUND',
  SpaceNotFound: 'SPACE_NOT_FOUND',
  StackNotFound: 'STACK_NOT_FOUND',
  CellNotFound: 'CELL_NOT_FOUND',
  ContainerNotFound: 'CONTAINER_NOT_FOUND',
  /** Attach to a container that is not attachable (or is the root). */
  AttachNotSupported: 'ATTACH_NOT_SUPPORTED',
  /** Attach to an attachable container whose task does not run. */
  AttachTaskNotRunning: 'ATTACH_TASK_NOT_RUNNING',
  ResourceHasDependencies: 'RESOURCE_HAS_DEPENDENCIES',
  BreakingUpdate: 'BREAKING_UPDATE',
  /** A cell ended an apply Failed or Error (ErrCellReconcileFailed). */
  CellReconcileFailed: 'CELL_RECONCILE_FAILED',
  /** StartCell of a Pending/Unknown cell. */
  CellNotStartable: 'CELL_NOT_STARTABLE',
  DeleteRealm: 'DELETE_REALM',
  DeleteSpace: 'DELETE_SPACE',
  DeleteStack: 'DELETE_STACK',
  /** A kind or feature this build does not implement yet (cells before the cell runner lands). */
  NotSupported: 'NOT_SUPPORTED',
  VolumeNotFound: 'VOLUME_NOT_FOUND',
  /** Delete of a volume a running cell mounts. */
  VolumeInUse: 'VOLUME_IN_USE',
  SecretNotFound: 'SECRET_NOT_FOUND',
  BlueprintNotFound: 'BLUEPRINT_NOT_FOUND',
  ConfigNotFound: 'CONFIG_NOT_FOUND',
  /** A CellConfig whose blueprint or slot fills do not hold (docs/blueprints.md). */
  InvalidConfig: 'INVALID_CONFIG',
  /** A cell could not be made from a Blueprint/Config (a parameter, a slot, the name). */
  MaterializeCell: 'MATERIALIZE_CELL',
  /** A manifest document of a kind the verb does not accept (delete -f of a Secret). */
  UnknownKind: 'UNKNOWN_KIND',
} as const;
export type ControllerErrorCode = CodeOf<typeof ControllerErrorCode>;

export class ControllerError extends CodedError<ControllerErrorCode> {}

/** `<what>: <cause>`, keeping the cause (the envelope picks the innermost mapped code). */
export function wrapControllerError(
  code: ControllerErrorCode,
  what: string,
  cause: unknown,
): ControllerError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ControllerError(code, `${what}: ${detail}`, { cause });
}

/** True for the not-found codes of every level (used by delete -f: "not found" is not a failure). */
export function isNotFoundError(err: unknown): boolean {
  if (!(err instanceof KukeonError)) return false;
  return (
    err.code === ControllerErrorCode.RealmNotFound ||
    err.code === ControllerErrorCode.SpaceNotFound ||
    err.code === ControllerErrorCode.StackNotFound ||
    err.code === ControllerErrorCode.CellNotFound ||
    err.code === ControllerErrorCode.VolumeNotFound ||
    err.code === ControllerErrorCode.SecretNotFound ||
    err.code === ControllerErrorCode.BlueprintNotFound ||
    err.code === ControllerErrorCode.ConfigNotFound
  );
}

export const notFound = {
  realm: (realm: string) =>
    new ControllerError(ControllerErrorCode.RealmNotFound, `realm "${realm}" not found`),
  space: (realm: string, space: string) =>
    new ControllerError(ControllerErrorCode.SpaceNotFound, `space "${space}" not found in realm "${realm}"`),
  stack: (realm: string, space: string, stack: string) =>
    new ControllerError(
      ControllerErrorCode.StackNotFound,
      `stack "${stack}" not found in realm "${realm}", space "${space}"`,
    ),
  cell: (realm: string, space: string, stack: string, cell: string) =>
    new ControllerError(
      ControllerErrorCode.CellNotFound,
      `cell "${cell}" not found in realm "${realm}", space "${space}", stack "${stack}"`,
    ),
};

/**
 * `failed to delete realm: resource has child resources: realm "r" has 2 space(s).
 * Use --cascade to delete them or --force to skip validation` (purge says "purge").
 */
export function hasChildren(
  verb: 'delete' | 'purge',
  kind: 'realm' | 'space' | 'stack',
  name: string,
  count: number,
  childKind: 'space' | 'stack' | 'cell',
): ControllerError {
  return new ControllerError(
    ControllerErrorCode.ResourceHasDependencies,
    `failed to ${verb} ${kind}: resource has child resources: ${kind} "${name}" has ${count} ${childKind}(s). ` +
      `Use --cascade to ${verb} them or --force to skip validation`,
  );
}
