import { KukeonError } from '../errors.js';

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
} as const;

export type ImageErrorCode = (typeof ImageErrorCode)[keyof typeof ImageErrorCode];

export class ImageError extends KukeonError {
  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

// containerd failures are not re-wrapped: they arrive as ContainerdError (codes CONTAINERD_*,
// e.g. CONTAINERD_UNAVAILABLE naming the socket), which are KukeonErrors already.
