import { execFileSync } from 'node:child_process';
import type { RunnerEnv } from './runner-env.js';

/**
 * `ctr` in one realm's namespace of the test's private containerd, and a task's host pid. Both
 * are read when called (a test file sets them up in its `before`).
 */
export function realmCtr(
  env: () => RunnerEnv,
  namespace: () => string,
): { ctr: (...args: string[]) => string; pidOf: (containerdId: string) => number } {
  const ctr = (...args: string[]): string =>
    execFileSync('ctr', ['--address', env().config.containerdSocket, '--namespace', namespace(), ...args], {
      encoding: 'utf8',
    });
  const pidOf = (containerdId: string): number => {
    const line = ctr('tasks', 'ls')
      .split('\n')
      .find((l) => l.startsWith(containerdId + ' '));
    return Number(line?.trim().split(/\s+/)[1] ?? 0);
  };
  return { ctr, pidOf };
}
