/** CellBlueprint. */
import { z } from 'zod';
import { bool, int, list, map, obj, str, struct } from './fields.js';
import {
  capabilitiesSchema,
  containerGitSchema,
  containerRepoSchema,
  containerTtySchema,
  resourcesSchema,
  tmpfsMountSchema,
  volumeMountSchema,
} from './container.js';
import { cellTtySchema } from './cell.js';

export const blueprintSecretSlotSchema = obj({
  name: str(),
  mode: str('omit'),
  envName: str('omit'),
  mountPath: str('omit'),
  required: bool('omit'),
});

/** The user-authorable ContainerSpec subset; all omit-empty except id and image. */
export const blueprintContainerSchema = obj({
  id: str(),
  root: bool('omit'),
  image: str(),
  command: str('omit'),
  args: list(str(), 'omit'),
  workingDir: str('omit'),
  env: list(str(), 'omit'),
  ports: list(str(), 'omit'),
  volumes: list(volumeMountSchema, 'omit'),
  networks: list(str(), 'omit'),
  networksAliases: list(str(), 'omit'),
  privileged: bool('omit'),
  hostNetwork: bool('omit'),
  hostPID: bool('omit'),
  hostCgroup: bool('omit'),
  user: str('omit'),
  readOnlyRootFilesystem: bool('omit'),
  capabilities: capabilitiesSchema,
  securityOpts: list(str(), 'omit'),
  devices: list(str(), 'omit'),
  tmpfs: list(tmpfsMountSchema(), 'omit'),
  resources: resourcesSchema,
  secrets: list(blueprintSecretSlotSchema, 'omit'),
  repos: list(containerRepoSchema, 'omit'),
  git: containerGitSchema,
  restartPolicy: str('omit'),
  attachable: bool('omit'),
  tty: containerTtySchema,
});

export const blueprintParameterSchema = obj({
  name: str(),
  description: str('omit'),
  // A pointer in the original: an explicit "" default differs from none.
  default: str('omit'),
  required: bool('omit'),
});

export const cellBlueprintDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  metadata: struct({
    name: str(),
    realm: str(),
    space: str('omit'),
    stack: str('omit'),
    labels: map(str(), 'omit'),
    /** Counted by kukeond: one more on every change of labels or spec. */
    generation: int('omit'),
  }),
  spec: struct({
    prefix: str('omit'),
    parameters: list(blueprintParameterSchema, 'omit'),
    cell: struct({
      tty: cellTtySchema,
      containers: list(blueprintContainerSchema),
      autoDelete: bool('omit'),
      nestedCgroupRuntime: bool('omit'),
    }),
  }),
});
export type CellBlueprintDoc = z.output<typeof cellBlueprintDocSchema>;
