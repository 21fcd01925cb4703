/** Cell. */
import { z } from 'zod';
import { bool, int, jsonOnly, list, map, obj, str, struct } from './fields.js';
import { commonStatusShape } from './common.js';
import { containerSpecSchema, containerStatusSchema } from './container.js';

export const cellTtySchema = obj({ default: str('omit') }, 'omit');

export const cellBindingRefSchema = struct({
  name: str(),
  realm: str(),
  space: str('omit'),
  stack: str('omit'),
});

export const cellProvenanceSchema = obj(
  {
    bindingKind: str(),
    bindingRef: cellBindingRefSchema,
    params: map(str(), 'omit'),
    envOverrides: list(str(), 'omit'),
    // Ours: the generation of the bound Blueprint/Config (and of a Config's Blueprint) the cell
    // was made from; a newer one marks the cell OutOfSync (docs/blueprints.md).
    generation: int('omit'),
    blueprintGeneration: int('omit'),
  },
  'omit',
);

export const cellDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  metadata: struct({
    name: str(),
    labels: map(str()),
    annotations: map(str(), 'omit'),
    generation: int('omit'),
  }),
  spec: struct({
    id: str(),
    realmId: str(),
    spaceId: str(),
    stackId: str(),
    rootContainerId: str('omit'),
    tty: cellTtySchema,
    containers: list(containerSpecSchema),
    autoDelete: bool('omit'),
    nestedCgroupRuntime: bool('omit'),
    provenance: cellProvenanceSchema,
    // Transport-only (RPC JSON), never read from YAML nor persisted.
    runtimeEnv: jsonOnly(list(str(), 'omit')),
    ignoreDiskPressure: jsonOnly(bool('omit')),
  }),
  status: struct({
    ...commonStatusShape('cell', false),
    network: struct({ bridgeName: str('omit') }, 'omit'),
    containers: list(containerStatusSchema),
    readyObserved: bool('omit'),
    outOfSync: bool('omit'),
    outOfSyncReason: str('omit'),
    outOfSyncError: str('omit'),
  }),
});
export type CellDoc = z.output<typeof cellDocSchema>;
