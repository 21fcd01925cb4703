import { isAbsolute } from 'node:path';
import type { Controller } from '../../controller/index.js';
import { KukeonError } from '../../errors.js';
import type { ImageSummary } from '../../images/index.js';
import { argString } from './wire-args.js';
import type { ImageInfo, MethodHandlers } from '../../protocol/method-types.js';

export const IMAGE_PATH_INVALID = 'IMAGE_PATH_INVALID';

function imageInfo(s: ImageSummary): ImageInfo {
  return {
    Name: s.name,
    Digest: s.target.digest,
    MediaType: s.target.mediaType,
    Size: s.size,
    CreatedAt: s.createdAt ? s.createdAt.toISOString() : '',
    Labels: s.labels,
  };
}

/**
 * LoadImage, ListImages, GetImage, DeleteImage — our extension (the original keeps images
 * in-process only). Images are per realm; the realm must exist (RealmNotFound otherwise) and a
 * missing image is ImageNotFound.
 */
export function imageHandlers(
  c: Controller,
): Pick<MethodHandlers, 'LoadImage' | 'ListImages' | 'GetImage' | 'DeleteImage'> {
  return {
    LoadImage: async (args) => {
      const path = argString(args, 'Path');
      // The daemon reads the archive itself: a relative path would resolve against its cwd.
      if (!isAbsolute(path)) {
        throw new KukeonError(IMAGE_PATH_INVALID, `image archive path must be absolute, got "${path}"`);
      }
      const r = await c.loadImage(argString(args, 'RealmName'), path);
      return {
        Result: {
          Images: r.images.map((i) => ({
            Name: i.name,
            Digest: i.target.digest,
            ChainID: i.chainId,
            Record: i.record,
          })),
          Unchanged: r.unchanged,
          BlobsWritten: r.blobsWritten,
          BytesWritten: r.bytesWritten,
          LayersUnpacked: r.layersUnpacked,
        },
      };
    },
    ListImages: async (args) => ({
      Images: (await c.listImages(argString(args, 'RealmName'))).map(imageInfo),
    }),
    GetImage: async (args) => ({
      Result: { Image: imageInfo(await c.getImage(argString(args, 'RealmName'), argString(args, 'Name'))) },
    }),
    DeleteImage: async (args) => {
      const name = argString(args, 'Name');
      await c.deleteImage(argString(args, 'RealmName'), name);
      return { Result: { Name: name, Deleted: true } };
    },
  };
}
