import { CodedError, type CodeOf } from '../errors.js';

/**
 * Stable codes of the runner's own errors. The daemon's error envelope maps the ones kukeon's
 * protocol knows (REALM_NOT_FOUND → RealmNotFound, …); the rest travel as Unknown with their text.
 */
export const RunnerErrorCode = {
  RealmNotFound: 'REALM_NOT_FOUND',
  SpaceNotFound: 'SPACE_NOT_FOUND',
  StackNotFound: 'STACK_NOT_FOUND',
  CellNotFound: 'CELL_NOT_FOUND',
  RealmNameRequired: 'REALM_NAME_REQUIRED',
  SpaceNameRequired: 'SPACE_NAME_REQUIRED',
  StackNameRequired: 'STACK_NAME_REQUIRED',
  CellNameRequired: 'CELL_NAME_REQUIRED',
  InvalidName: 'INVALID_NAME',
  ResourceHasDependencies: 'RESOURCE_HAS_DEPENDENCIES',
  BreakingUpdate: 'BREAKING_UPDATE',
  CreateRealm: 'CREATE_REALM',
  CreateSpace: 'CREATE_SPACE',
  CreateStack: 'CREATE_STACK',
  DeleteRealm: 'DELETE_REALM',
  DeleteSpace: 'DELETE_SPACE',
  DeleteStack: 'DELETE_STACK',
  NetworkAlreadyExists: 'NETWORK_ALREADY_EXISTS',
  ImageNotFound: 'IMAGE_NOT_FOUND',
  ContainerNotFound: 'CONTAINER_NOT_FOUND',
  CellStartFailed: 'CELL_START_FAILED',
  DeleteCell: 'DELETE_CELL',
  InvalidCell: 'INVALID_CELL',
  SecretFromEnvNotSet: 'SECRET_FROM_ENV_NOT_SET',
  SecretFromFileNotFound: 'SECRET_FROM_FILE_NOT_FOUND',
  SecretNotSupported: 'SECRET_NOT_SUPPORTED',
  SecretRefNotFound: 'SECRET_REF_NOT_FOUND',
  SecretStagingFailed: 'SECRET_STAGING_FAILED',
  SecretNotFound: 'SECRET_NOT_FOUND',
  SecretInUse: 'SECRET_IN_USE',
  SecretScopeNotFound: 'SECRET_SCOPE_NOT_FOUND',
  InvalidSecret: 'INVALID_SECRET',
  TemplateScopeNotFound: 'TEMPLATE_SCOPE_NOT_FOUND',
  BlueprintNotFound: 'BLUEPRINT_NOT_FOUND',
  ConfigNotFound: 'CONFIG_NOT_FOUND',
  InvalidConfig: 'INVALID_CONFIG',
  PortConflict: 'PORT_CONFLICT',
  VolumeNotFound: 'VOLUME_NOT_FOUND',
  VolumeInUse: 'VOLUME_IN_USE',
  WriteVolume: 'WRITE_VOLUME',
} as const;
export type RunnerErrorCode = CodeOf<typeof RunnerErrorCode>;

export class RunnerError extends CodedError<RunnerErrorCode> {}

/** `<what>: <cause message>`, keeping the cause, as the original wraps its sentinels. */
export function wrapError(code: RunnerErrorCode, what: string, cause: unknown): RunnerError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new RunnerError(code, `${what}: ${detail}`, { cause });
}
