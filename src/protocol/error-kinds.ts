/**
 * The one table between our error codes and the `Kind` values of the kukeonv1 error envelope
 * (docs/daemon-rpc.md). Every code not listed travels as `Unknown`. Codes are the Kind in upper snake
 * case, so the table reads the same in both directions.
 */
export const errorKindTable = [
  { kind: 'CellNotFound', code: 'CELL_NOT_FOUND' },
  { kind: 'RealmNotFound', code: 'REALM_NOT_FOUND' },
  { kind: 'SpaceNotFound', code: 'SPACE_NOT_FOUND' },
  { kind: 'StackNotFound', code: 'STACK_NOT_FOUND' },
  { kind: 'ContainerNotFound', code: 'CONTAINER_NOT_FOUND' },
  { kind: 'NetworkNotFound', code: 'NETWORK_NOT_FOUND' },
  { kind: 'CellNameRequired', code: 'CELL_NAME_REQUIRED' },
  { kind: 'RealmNameRequired', code: 'REALM_NAME_REQUIRED' },
  { kind: 'SpaceNameRequired', code: 'SPACE_NAME_REQUIRED' },
  { kind: 'StackNameRequired', code: 'STACK_NAME_REQUIRED' },
  { kind: 'ContainerNameRequired', code: 'CONTAINER_NAME_REQUIRED' },
  { kind: 'ResourceHasDependencies', code: 'RESOURCE_HAS_DEPENDENCIES' },
  { kind: 'CreateCell', code: 'CREATE_CELL' },
  { kind: 'CreateRealm', code: 'CREATE_REALM' },
  { kind: 'CreateSpace', code: 'CREATE_SPACE' },
  { kind: 'CreateStack', code: 'CREATE_STACK' },
  { kind: 'ContainerExists', code: 'CONTAINER_EXISTS' },
  { kind: 'ConversionFailed', code: 'CONVERSION_FAILED' },
  { kind: 'AttachNotSupported', code: 'ATTACH_NOT_SUPPORTED' },
  { kind: 'AttachTaskNotRunning', code: 'ATTACH_TASK_NOT_RUNNING' },
  { kind: 'ImageNotFound', code: 'IMAGE_NOT_FOUND' },
  { kind: 'ConfigNotFound', code: 'CONFIG_NOT_FOUND' },
  { kind: 'ConfigExists', code: 'CONFIG_EXISTS' },
  { kind: 'VolumeNotFound', code: 'VOLUME_NOT_FOUND' },
  { kind: 'VolumeInUse', code: 'VOLUME_IN_USE' },
  { kind: 'SecretNotFound', code: 'SECRET_NOT_FOUND' },
  { kind: 'SecretInUse', code: 'SECRET_IN_USE' },
  { kind: 'BlueprintNotFound', code: 'BLUEPRINT_NOT_FOUND' },
] as const;

export const UNKNOWN_KIND = 'Unknown';
/** Code given to a remote error that carries neither a mapped Kind nor a `Code`. */
export const UNKNOWN_CODE = 'UNKNOWN';

export type ErrorKind = (typeof errorKindTable)[number]['kind'] | typeof UNKNOWN_KIND;

const kindByCode = new Map<string, ErrorKind>(errorKindTable.map((row) => [row.code, row.kind]));
const codeByKind = new Map<string, string>(errorKindTable.map((row) => [row.kind, row.code]));

/** The envelope Kind for an error code; `Unknown` when the code has no dedicated Kind. */
export function kindForCode(code: string): ErrorKind {
  return kindByCode.get(code) ?? UNKNOWN_KIND;
}

/** The error code for an envelope Kind; undefined for `Unknown` and for Kinds we do not know. */
export function codeForKind(kind: string): string | undefined {
  return codeByKind.get(kind);
}
