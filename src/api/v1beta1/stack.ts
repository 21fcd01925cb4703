/** Stack. */
import { z } from 'zod';
import { str, struct } from './fields.js';
import { commonStatusShape, resourceMetadata } from './common.js';

export const stackDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  metadata: resourceMetadata(),
  spec: struct({ id: str(), realmId: str(), spaceId: str() }),
  status: struct(commonStatusShape('stack', false)),
});
export type StackDoc = z.output<typeof stackDocSchema>;
