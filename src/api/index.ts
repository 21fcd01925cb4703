/** Public surface of the api layer: manifests in, model out, text out. */
export { parseManifestStream, type ParsedDocument, type ParseOptions } from './parse-manifest.js';
export {
  ManifestValidationError,
  EmptyManifestError,
  ConversionError,
  MANIFEST_INVALID,
  MANIFEST_EMPTY,
  CONVERSION_FAILED,
  type DocumentIssue,
} from './manifest-error.js';
export * from './convert.js';
export { toJson, toYaml, toYamlList, encodeValue, type Encoding, type EncodeOptions } from './serialise.js';
export {
  encodeResource,
  decodeResource,
  resourceToPlain,
  DocumentDecodeError,
  DOCUMENT_INVALID,
  type ResourceKind,
  type ResourceModels,
} from './resource-codec.js';
export {
  parseServerConfiguration,
  ServerConfigurationError,
  type ServerConfiguration,
} from './server-configuration.js';
export { checkName, isPathSafeSegment, type NameKind } from './validate/names.js';
export {
  applyKinds,
  kindRank,
  kindSchemas,
  sortForApply,
  sortForDelete,
  type ApplyKind,
  type ManifestDoc,
} from './v1beta1/kinds.js';
export { checkEgressPolicy, normaliseEgressPolicy } from './validate/egress-rules.js';
export type { RealmDoc } from './v1beta1/realm.js';
export type { SpaceDoc } from './v1beta1/space.js';
export type { StackDoc } from './v1beta1/stack.js';
export type { CellDoc } from './v1beta1/cell.js';
export type { ContainerDoc } from './v1beta1/container-doc.js';
export type { SecretDoc } from './v1beta1/secret.js';
export type { VolumeDoc } from './v1beta1/volume.js';
export type { CellBlueprintDoc } from './v1beta1/cell-blueprint.js';
export type { CellConfigDoc } from './v1beta1/cell-config.js';
export {
  refusedFields,
  refusedInDocuments,
  refuseUnsupportedFields,
  UnsupportedFieldsError,
  FIELD_NOT_SUPPORTED,
  type Refusal,
} from './refused-fields.js';
export { fieldSupport, type FieldSupport, type Proof } from './field-support.js';
