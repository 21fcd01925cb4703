import { runnerEnvOn, type RunnerEnv } from './runner-env.js';
import { ownContainerd, type OwnContainerd } from './own-containerd.js';

/**
 * runnerEnv (same per-process names) but on a containerd this test file owns alone, so it may be
 * stopped and restarted without disturbing other test files sharing `npm test`'s instance.
 */
export function ownContainerdEnv(label: string): RunnerEnv & { containerd: OwnContainerd } {
  return runnerEnvOn(label, ownContainerd());
}
