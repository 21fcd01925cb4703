import { isAbsolute } from 'node:path';
import type { Controller } from '../../controller/index.js';
import { ErrorCode } from '../../error-codes.js';
import { KukeonError } from '../../errors.js';
import type { ImageSummary } from '../../images/index.js';
import { argBool, argString } from './wire-args.js';
import type { ImageInfo, MethodHandlers } from '../../protocol/method-types.js';

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
 * LoadImage, ListImages, GetImage, DeleteImage, PullImage — our extension (the original keeps
 * images in-process only). Images are per realm; the realm must exist (RealmNotFound otherwise) and
 * a missing image is ImageNotFound. PullImage pulls with the realm's credentials and the daemon's
 * registry settings; kukeond shows its progress on the pull board (docs/images.md, "Pulling").
 * PruneImages removes the images no container uses (docs/images.md, "Pruning").
 */
export function imageHandlers(
  c: Controller,
): Pick<
  MethodHandlers,
  'LoadImage' | 'ListImages' | 'GetImage' | 'DeleteImage' | 'PullImage' | 'PruneImages'
> {
  return {
    LoadImage: async (args) => {
      const path = argString(args, 'Path');
      // The daemon reads the archive itself: a relative path would resolve against its cwd.
      if (!isAbsolute(path)) {
        throw new KukeonError(
          ErrorCode.IMAGE_PATH_INVALID,
          `image archive path must be absolute, got "${path}"`,
        );
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
    PullImage: async (args) => {
      const r = await c.pullImage(argString(args, 'RealmName'), argString(args, 'Name'));
      return {
        Result: {
          Name: r.name,
          Namespace: r.namespace,
          Digest: r.target.digest,
          MediaType: r.target.mediaType,
          Record: r.record,
          BlobsFetched: r.blobsFetched,
          BytesFetched: r.bytesFetched,
          LayersUnpacked: r.layersUnpacked,
        },
      };
    },
    PruneImages: async (args) => {
      const r = await c.pruneImages(argString(args, 'RealmName'), { dryRun: argBool(args, 'DryRun') });
      return {
        Result: {
          Namespace: r.namespace,
          Removed: r.removed,
          InUse: r.inUse,
          LeasesReleased: r.leasesReleased,
          BytesFreed: r.bytesFreed,
        },
      };
    },
  };
}
