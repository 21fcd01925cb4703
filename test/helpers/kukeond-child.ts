/**
 * A hermetic kukeond child process for fault-tolerance tests: the built daemon started with
 * flags only (no configuration file), against the containerd of the given HostConfig.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HostConfig } from '../../src/config.js';
import { daemonPidFilePath } from '../../src/protocol/socket-path.js';

const kukeond = fileURLToPath(new URL('../../src/daemon/kukeond.js', import.meta.url));

export interface KukeondChild {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the daemon wrote (pino JSON lines on stderr, anything on stdout). */
  output: () => string;
  alive: () => boolean;
  /** SIGTERM and wait for the exit. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function kukeondFlags(c: HostConfig, dir: string, interval: string, extra: string[] = []): string[] {
  return [
    '--configuration',
    join(dir, 'no-such-kukeond.yaml'),
    'serve',
    '--socket',
    c.daemonSocket,
    '--run-path',
    c.runPath,
    '--containerd-socket',
    c.containerdSocket,
    '--cgroup-root',
    `/${c.cgroupRoot}`,
    '--pod-subnet-cidr',
    c.subnetPool,
    '--containerd-namespace-suffix',
    c.namespaceSuffix,
    '--cni-cache-dir',
    c.cniCacheDir,
    '--cni-ipam-dir',
    c.cniIpamDir,
    '--cni-bin-dir',
    c.cniBinDirs.join(':'),
    '--bridge-prefix',
    c.bridgePrefix,
    '--reconcile-interval',
    interval,
    '--log-level',
    'debug',
    ...extra,
  ];
}

/** Starts kukeond and resolves once it serves (socket present and the pid file names it). */
export async function startKukeond(
  c: HostConfig,
  dir: string,
  interval: string,
  extra: string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<KukeondChild> {
  const env = { ...process.env, ...extraEnv };
  delete env.KUKEON_TEST_FAILPOINTS;
  const child = spawn(process.execPath, [kukeond, ...kukeondFlags(c, dir, interval, extra)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  const d: KukeondChild = {
    child,
    exited,
    output: () => out,
    alive,
    stop: async () => {
      if (alive()) child.kill('SIGTERM');
      return exited;
    },
  };
  const pidFile = daemonPidFilePath(c.daemonSocket);
  const deadline = Date.now() + 30_000;
  const serving = () =>
    existsSync(c.daemonSocket) && existsSync(pidFile) && readFileSync(pidFile, 'utf8') === `${child.pid}\n`;
  while (!serving()) {
    if (!alive()) throw new Error(`kukeond exited before serving: ${out}`);
    if (Date.now() > deadline) throw new Error(`kukeond did not publish its socket: ${out}`);
    await sleep(50);
  }
  return d;
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or throws at the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 100,
): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return { value: v, ms: Date.now() - t0 };
    } catch (err) {
      last = err;
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await sleep(everyMs);
  }
}
