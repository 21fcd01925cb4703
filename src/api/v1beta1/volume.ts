/** Volume; `status` is what kukeond observes (docs/volumes.md). */
import { z } from 'zod';
import { int, list, str, struct } from './fields.js';

export const volumeDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  metadata: struct({ name: str(), realm: str(), space: str('omit'), stack: str('omit') }),
  spec: struct({ reclaimPolicy: str('omit') }, 'omit'),
  status: struct(
    {
      /** `Available`, `InUse` (a running cell mounts it), `Retained` or `Orphaned` (scope gone). */
      state: str('omit'),
      /** The directory on the host. */
      path: str('omit'),
      /** Bytes on disk (allocated blocks) under the directory. */
      sizeBytes: int('omit'),
      /** Cells whose containers mount it, `realm/space/stack/cell`. */
      mountedBy: list(str(), 'omit'),
      createdAt: str('omit'),
    },
    'omit',
  ),
});
export type VolumeDoc = z.output<typeof volumeDocSchema>;
