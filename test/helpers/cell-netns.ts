import { execFileSync } from 'node:child_process';
import { cellRef } from '../../src/runner/cell/cell-ref.js';
import type { Runner } from '../../src/runner/runner.js';
import { ctr } from './containerd.js';
import type { RunnerEnv } from './runner-env.js';

/** The pid of a running cell's root task (its network namespace is the cell's). */
export function cellRootPid(
  env: RunnerEnv,
  runner: Runner,
  at: { realm: string; space: string; stack: string },
  name: string,
): string {
  const root = cellRef(runner.ctx, { ...at, name }).rootContainerdId;
  const tasks = ctr(
    env.config.containerdSocket,
    ['tasks', 'ls'],
    `${at.realm}.${env.config.namespaceSuffix}`,
  );
  const pid = tasks
    .split('\n')
    .find((l) => l.startsWith(`${root} `))
    ?.trim()
    .split(/\s+/)[1];
  if (!pid) throw new Error(`cell ${name}: no running root task ${root}`);
  return pid;
}

/** Runs a host command in the network namespace of `pid` (a cell's root); throws on failure. */
export function inNetns(pid: string, ...args: string[]): string {
  return execFileSync('nsenter', ['-t', pid, '-n', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The default gateway of the namespace of `pid` (the space bridge's address). */
export function netnsGateway(pid: string): string {
  const gw = /default via (\S+)/.exec(inNetns(pid, 'ip', '-4', 'route', 'show', 'default'))?.[1];
  if (!gw) throw new Error(`no default route in the network namespace of ${pid}`);
  return gw;
}
