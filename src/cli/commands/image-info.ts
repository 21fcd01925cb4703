import type { ImageInfo } from '../../protocol/method-types.js';

/** An image as `kuke get image -o json` prints it. */
export interface ImageInfoDoc {
  name: string;
  size: number;
  createdAt?: string;
  digest: string;
  mediaType: string;
  labels: Record<string, string>;
}

/** From the wire's ImageInfo (GetImage, ListImages; an empty CreatedAt is unknown). */
export function imageInfo(i: ImageInfo): ImageInfoDoc {
  return {
    name: i.Name,
    size: i.Size,
    createdAt: i.CreatedAt || undefined,
    digest: i.Digest,
    mediaType: i.MediaType,
    labels: i.Labels ?? {},
  };
}
