/** Public surface of the OCI spec builder; the runner imports from here. */
export { buildOciSpec, cgroupsPath, CNI_CONFIG_ANNOTATION, SHIM_GROUP_ANNOTATION } from './build-oci-spec.js';
export type {
  ContainerSpecInput,
  ImageConfig,
  JoinNamespaces,
  ResourcesInput,
  TmpfsInput,
  VolumeInput,
} from './container-spec-input.js';
export type { HostFacts, DeviceNode } from './host-facts.js';
export type * from './oci-spec.js';
export { OciSpecError } from './oci-errors.js';
export { joinNamespaces } from './namespaces.js';
export {
  DEFAULT_CAPABILITIES,
  REDUCED_CAPABILITIES,
  capabilityMask,
  normalizeCapability,
} from './capabilities.js';
export { DEFAULT_PATH_ENV, identityEnv, gitEnv, composeEnv, replaceOrAppendEnv } from './env.js';
export type { GitEnvInput } from './env.js';
export { parseResolvConf, renderEtcHosts, renderEtcHostname, renderResolvConf } from './etc-files.js';
export { writeEtcFileInPlace } from './etc-file-writer.js';
export {
  specHash,
  specHashDomain,
  specHashLabels,
  decideSpecHash,
  diffSpecHashDomain,
  SPEC_HASH_LABEL,
  SPEC_HASH_VERSION,
  SPEC_HASH_VERSION_LABEL,
} from './spec-hash.js';
export type { SpecHashDecision, SpecHashDomain } from './spec-hash.js';
export { readHostFacts, hostRootDir } from './read-host-facts.js';
export { resolveUser } from './user.js';
