/** Volume (spec 01 §4.7). */
import { z } from 'zod';
import { str, struct } from './fields.js';

export const volumeDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  metadata: struct({ name: str(), realm: str(), space: str('omit'), stack: str('omit') }),
  spec: struct({ reclaimPolicy: str('omit') }, 'omit'),
});
export type VolumeDoc = z.output<typeof volumeDocSchema>;
