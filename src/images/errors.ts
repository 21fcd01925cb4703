import { CodedError, type CodeOf } from '../errors.js';

/** Stable codes of every failure the image layer reports. */
export const ImageErrorCode = {
  /** No image record with that name in the namespace. */
  notFound: 'IMAGE_NOT_FOUND',
  /** The tarball is not a readable OCI layout or docker save archive (truncated, no index, bad JSON). */
  archiveInvalid: 'IMAGE_ARCHIVE_INVALID',
  /** A blob's bytes, size or unpacked diff ID differ from what the archive declares. */
  digestMismatch: 'IMAGE_DIGEST_MISMATCH',
  /** No manifest in the archive matches the host platform. */
  platformNotFound: 'IMAGE_PLATFORM_NOT_FOUND',
  /** The archive's manifests carry no usable image name and none was given. */
  nameMissing: 'IMAGE_NAME_MISSING',
  /** An image reference that cannot be pulled (bad syntax, or under the local-only registry). */
  referenceInvalid: 'IMAGE_REFERENCE_INVALID',
  /** The registry refused us: no or wrong credentials. */
  registryUnauthorized: 'REGISTRY_UNAUTHORIZED',
  /** The registry has no manifest for the reference (unknown repository or tag). */
  manifestUnknown: 'REGISTRY_MANIFEST_UNKNOWN',
  /** The registry cannot be reached (DNS, connection, TLS, timeout) or broke off mid-transfer. */
  registryUnreachable: 'REGISTRY_UNREACHABLE',
  /** The registry answered something we cannot use (unexpected status, bad JSON, bad media type). */
  registryError: 'REGISTRY_ERROR',
} as const;

export type ImageErrorCode = CodeOf<typeof ImageErrorCode>;

export class ImageError extends CodedError<ImageErrorCode> {}

// containerd failures are not re-wrapped: they arrive as ContainerdError (codes CONTAINERD_*,
// e.g. CONTAINERD_UNAVAILABLE naming the socket), which are KukeonErrors already.
