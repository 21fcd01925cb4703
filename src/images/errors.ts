import { CodedError } from '../errors.js';

/** A failure of the image layer: import, pull, prune (codes `IMAGE_*`, `REGISTRY_*`). */
export class ImageError extends CodedError {}

// containerd failures are not re-wrapped: they arrive as ContainerdError (codes CONTAINERD_*,
// e.g. CONTAINERD_UNAVAILABLE naming the socket), which are KukeonErrors already.
