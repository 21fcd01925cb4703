import type { ContainerSpec } from '../../src/model/container.js';
import type { Cell, Realm, Space, Stack } from '../../src/model/resources.js';
import type { Runner } from '../../src/runner/runner.js';

export const realmModel = (name: string): Realm => ({
  metadata: { name, labels: {} },
  spec: { namespace: '' },
  status: { state: 'Pending', cgroupPath: '' },
});
export const spaceModel = (realm: string, name: string): Space => ({
  metadata: { name, labels: {} },
  spec: { realmId: realm },
  status: { state: 'Pending', cgroupPath: '' },
});
export const stackModel = (realm: string, space: string, name: string): Stack => ({
  metadata: { name, labels: {} },
  spec: { id: '', realmId: realm, spaceId: space },
  status: { state: 'Pending', cgroupPath: '' },
});

export function containerModel(id: string, image: string, over: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    id,
    realmId: '',
    spaceId: '',
    stackId: '',
    cellId: '',
    image,
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
  };
}

export function cellModel(
  at: { realm: string; space: string; stack: string },
  name: string,
  containers: ContainerSpec[],
  over: Partial<Cell['spec']> = {},
): Cell {
  return {
    metadata: { name, labels: { app: name } },
    spec: { id: name, realmId: at.realm, spaceId: at.space, stackId: at.stack, containers, ...over },
    status: { state: 'Pending', cgroupPath: '', network: {}, containers: [] },
  };
}

/**
 * The realm, space and stack of `at` made through the runner, with the image tarballs loaded
 * into the realm: the common start of the runner-level tests and benches.
 */
export async function provisionStack(
  runner: Pick<Runner, 'createRealm' | 'createSpace' | 'createStack' | 'loadImage'>,
  at: { realm: string; space: string; stack: string },
  imageFiles: readonly string[],
): Promise<void> {
  await runner.createRealm(realmModel(at.realm));
  await runner.createSpace(spaceModel(at.realm, at.space));
  await runner.createStack(stackModel(at.realm, at.space, at.stack));
  for (const file of imageFiles) await runner.loadImage(at.realm, file);
}
