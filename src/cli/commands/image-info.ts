import type { ImageSummary } from '../../images/index.js';

/** An image as `kuke get image -o json` prints it. */
export interface ImageInfoDoc {
  name: string;
  size: number;
  createdAt?: string;
  digest: string;
  mediaType: string;
  labels: Record<string, string>;
}

export function imageInfo(s: ImageSummary): ImageInfoDoc {
  return {
    name: s.name,
    size: s.size,
    createdAt: s.createdAt ? s.createdAt.toISOString() : undefined,
    digest: s.target.digest,
    mediaType: s.target.mediaType,
    labels: s.labels ?? {},
  };
}
