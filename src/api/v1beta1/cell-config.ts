/** CellConfig. */
import { z } from 'zod';
import { int, map, obj, str, struct } from './fields.js';

export const cellConfigDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  metadata: struct({
    name: str(),
    realm: str(),
    space: str('omit'),
    stack: str('omit'),
    labels: map(str(), 'omit'),
    annotations: map(str(), 'omit'),
    /** Counted by kukeond: one more on every change of labels or spec. */
    generation: int('omit'),
  }),
  spec: struct({
    prefix: str('omit'),
    blueprint: struct({ name: str(), realm: str(), space: str('omit'), stack: str('omit') }),
    values: map(str(), 'omit'),
    repos: map(obj({ url: str(), branch: str('omit'), ref: str('omit') }), 'omit'),
    secrets: map(
      obj({
        secretRef: obj({
          name: str(),
          realm: str(),
          space: str('omit'),
          stack: str('omit'),
          cell: str('omit'),
        }),
      }),
      'omit',
    ),
  }),
});
export type CellConfigDoc = z.output<typeof cellConfigDocSchema>;
