/** Envelope pieces shared by the runtime kinds. */
import { bool, int, list, map, str, state, struct, time } from './fields.js';
import type { StateKind } from '../../model/states.js';

export const apiVersion = 'v1beta1';

/** metadata of Realm, Space, Stack. `labels` has no omit-empty. */
export function resourceMetadata() {
  return struct({
    name: str(),
    labels: map(str()),
    generation: int('omit'),
  });
}

/** Common lifecycle status. `cgroupPathOmit`: Realm/Space omit it when empty, Stack/Cell don't. */
export function commonStatusShape(kind: StateKind, cgroupPathOmit: boolean) {
  return {
    state: state(kind),
    cgroupPath: cgroupPathOmit ? str('omit') : str(),
    subtreeControllers: list(str(), 'omit'),
    createdAt: time('omit'),
    updatedAt: time('omit'),
    readyAt: time('omit'),
    reason: str('omit'),
    message: str('omit'),
    cgroupReady: bool('omit'),
    observedGeneration: int('omit'),
  };
}
