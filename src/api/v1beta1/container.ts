/** ContainerSpec and its parts. */
import { z } from 'zod';
import { bool, ignored, int, intPtr, list, obj, state, str, time, uint32, struct } from './fields.js';

export const capabilitiesSchema = obj({ drop: list(str(), 'omit'), add: list(str(), 'omit') }, 'omit');

export function tmpfsMountSchema() {
  return obj({ path: str(), sizeBytes: int('omit'), options: list(str(), 'omit') });
}

export const resourcesSchema = obj(
  { memoryLimitBytes: intPtr(), cpuShares: intPtr(), pidsLimit: intPtr() },
  'omit',
);

export function volumeRefSchema() {
  return obj({ name: str(), realm: str(), space: str('omit'), stack: str('omit') }, 'omit');
}

export const volumeMountSchema = obj({
  kind: str('omit'),
  source: str('omit'),
  target: str(),
  volumeRef: volumeRefSchema(),
  readOnly: bool('omit'),
  sizeBytes: int('omit'),
  mode: uint32('omit'),
  ensure: bool('omit'),
});

export const containerSecretSchema = obj({
  name: str(),
  fromFile: str('omit'),
  fromEnv: str('omit'),
  secretRef: obj(
    { name: str(), realm: str(), space: str('omit'), stack: str('omit'), cell: str('omit') },
    'omit',
  ),
  mountPath: str('omit'),
});

export const containerRepoSchema = obj({
  name: str(),
  target: str(),
  url: str('omit'),
  branch: str('omit'),
  ref: str('omit'),
  required: bool('omit'),
});

const gitIdentity = () => obj({ name: str(), email: str() }, 'omit');

export const containerGitSchema = obj(
  {
    author: gitIdentity(),
    committer: gitIdentity(),
    signingKey: str('omit'),
    sign: list(str(), 'omit'),
    allowedSigners: str('omit'),
  },
  'omit',
);

export const ttyStageSchema = obj({ script: str('omit'), runOn: str('omit') });

export const containerTtySchema = obj(
  {
    prompt: str('omit'),
    onInit: list(ttyStageSchema, 'omit'),
    logFile: str('omit'),
    logLevel: str('omit'),
    // Removed by the original; still accepted and dropped so old manifests load.
    profile: ignored(),
    profilesDir: ignored(),
  },
  'omit',
);

/** Every container field, in the order of docs/manifests.md's table (= serialisation key order). */
export const containerSpecShape = {
  id: str(),
  containerdId: str('omit'),
  realmId: str(),
  spaceId: str(),
  stackId: str(),
  cellId: str(),
  root: bool('omit'),
  image: str(),
  // Our extension (docs/images.md): when the image is pulled at create.
  imagePullPolicy: str('omit'),
  command: str(),
  args: list(str()),
  workingDir: str('omit'),
  env: list(str()),
  ports: list(str()),
  volumes: list(volumeMountSchema),
  networks: list(str()),
  networksAliases: list(str()),
  privileged: bool(),
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
  secrets: list(containerSecretSchema, 'omit'),
  repos: list(containerRepoSchema, 'omit'),
  git: containerGitSchema,
  cniConfigPath: str('omit'),
  restartPolicy: str(),
  restartBackoffSeconds: intPtr(),
  restartMaxRetries: intPtr(),
  // Our extensions (docs/manifests.md): the signal `stop`/`delete` send first, and how long they
  // wait for the exit before SIGKILL.
  stopSignal: str('omit'),
  stopGracePeriodSeconds: intPtr(),
  attachable: bool('omit'),
  tty: containerTtySchema,
  kukeonGroupGID: int('omit'),
};

export const containerSpecSchema = struct(containerSpecShape);
export type ContainerSpecDoc = z.output<typeof containerSpecSchema>;

export const repoStatusSchema = obj({
  name: str(),
  target: str(),
  state: str(),
  commit: str('omit'),
  error: str('omit'),
});

export const stageStatusSchema = obj({ index: int(), state: str(), error: str('omit'), hash: str('omit') });

/** A container's observed status. */
export const containerStatusSchema = struct({
  name: str(),
  id: str(),
  state: state('container'),
  createdAt: time('omit'),
  restartCount: int(),
  restartTime: time(),
  startTime: time(),
  finishTime: time(),
  exitCode: int(),
  exitSignal: str(),
  repos: list(repoStatusSchema, 'omit'),
  stages: list(stageStatusSchema, 'omit'),
});
export type ContainerStatusDoc = z.output<typeof containerStatusSchema>;
