/** Standalone `kind: Container` document: applied into an existing cell. */
import { z } from 'zod';
import { map, str, struct } from './fields.js';
import { containerSpecSchema, containerStatusSchema } from './container.js';

export const containerDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  // Container metadata has only name and labels.
  metadata: struct({ name: str(), labels: map(str()) }),
  spec: containerSpecSchema,
  status: containerStatusSchema,
});
export type ContainerDoc = z.output<typeof containerDocSchema>;
