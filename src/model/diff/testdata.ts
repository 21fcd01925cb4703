/** Builders for diff tests. */
import type { ContainerSpec } from '../container.js';
import type { Cell } from '../resources.js';

export const spec = (id: string, over: Partial<ContainerSpec> = {}): ContainerSpec => ({
  id,
  realmId: 'r',
  spaceId: 's',
  stackId: 't',
  cellId: 'x',
  image: 'img',
  command: '',
  args: [],
  env: [],
  ports: [],
  volumes: [],
  networks: [],
  networksAliases: [],
  privileged: false,
  restartPolicy: '',
  ...over,
});

export const cell = (
  containers: ContainerSpec[],
  over: Partial<Cell['spec']> = {},
  labels: Record<string, string> = {},
): Cell => ({
  metadata: { name: 'x', labels },
  spec: { id: 'x', realmId: 'r', spaceId: 's', stackId: 't', containers, ...over },
  status: { state: 'Ready', cgroupPath: '/kukeon/r/s/t/x', network: {}, containers: [] },
});
