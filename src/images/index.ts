/** Public surface of the image layer (the runner and CLI import from here). */
export {
  ImageService,
  type ImageServiceOptions,
  type ImageSummary,
  type PullRequest,
  type ResolvedImage,
} from './image-service.js';
export {
  importArchive,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  type ImportedImage,
} from './import-archive.js';
export { ImageError } from './errors.js';
export { type PullProgress, type PullResult } from './pull-image.js';
export {
  type RegistryAuth,
  type RegistryClientOptions,
  type RegistryCredential,
} from './registry/registry-client.js';
export { parseRegistryReference, type RegistryReference } from './registry/registry-reference.js';
export { chainIds } from './chain-id.js';
export { normalizeReference } from './reference.js';
export { hostPlatform, type Platform } from './archive-plan.js';
export type { Descriptor } from './descriptor.js';

import type { ImageService } from './image-service.js';
/** What the runner depends on: ImageService or a test fake with the same methods. */
export type ImageManager = Pick<ImageService, 'import' | 'pull' | 'list' | 'get' | 'delete' | 'resolve'>;
