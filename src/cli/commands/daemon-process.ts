import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostConfig } from '../../config.js';
import { DaemonClient } from '../../client/daemon-client.js';
import { daemonPidFilePath } from '../../protocol/socket-path.js';
import { CliError, cliErrorCodes } from '../cli-error.js';
import { errorText } from '../run-command.js';

/** Where `kukeond` is: `KUKEOND_BIN`, next to the running `kuke`, or this build's entry point. */
export function kukeondPath(env: NodeJS.ProcessEnv): string {
  const candidates = [
    env.KUKEOND_BIN,
    process.argv[1] ? join(dirname(process.argv[1]), 'kukeond') : undefined,
    process.argv[1] ? join(dirname(process.argv[1]), 'kukeond.js') : undefined,
    // tsc layout (dist/src/cli/commands/) and bundle layout (dist/kuke/).
    fileURLToPath(new URL('../../daemon/kukeond.js', import.meta.url)),
    fileURLToPath(new URL('../src/daemon/kukeond.js', import.meta.url)),
  ];
  for (const c of candidates) if (c && existsSync(c)) return c;
  throw new CliError(cliErrorCodes.failed, 'kukeond not found next to kuke (set KUKEOND_BIN)');
}

/** The `kukeond serve` arguments that reproduce this HostConfig (hermetic instances included). */
export function serveArgs(
  config: HostConfig,
  serverConfigPath: string,
  socket: string,
  socketGid: number,
): string[] {
  const args = [
    '--configuration',
    serverConfigPath,
    '--socket',
    socket,
    '--run-path',
    config.runPath,
    '--containerd-socket',
    config.containerdSocket,
    '--containerd-namespace-suffix',
    config.namespaceSuffix,
    '--cgroup-root',
    `/${config.cgroupRoot}`,
    '--pod-subnet-cidr',
    config.subnetPool,
    '--cni-conf-dir',
    config.cniConfDir,
    '--cni-cache-dir',
    config.cniCacheDir,
    '--cni-ipam-dir',
    config.cniIpamDir,
    '--cni-bin-dir',
    config.cniBinDirs.join(':'),
    '--bridge-prefix',
    config.bridgePrefix,
  ];
  if (socketGid > 0) args.push('--socket-gid', String(socketGid));
  return [...args, 'serve'];
}

/** The pid in `<sockdir>/kukeond.pid` when that process is alive. */
export function runningPid(socket: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(daemonPidFilePath(socket), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** One Ping; resolves with the version, rejects with the dial/RPC error. */
export async function ping(socket: string, timeoutMs = 500): Promise<string> {
  const client = new DaemonClient({
    socketPath: socket,
    connectTimeoutMs: timeoutMs,
    callTimeoutMs: timeoutMs,
  });
  try {
    return (await client.ping()).Version;
  } finally {
    client.close();
  }
}

/** Polls Ping every 200 ms until it answers or `timeoutMs` passes. */
export async function waitReady(socket: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await ping(socket);
      return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new CliError(
    cliErrorCodes.failed,
    `kukeond did not become ready: timed out after ${Math.round(timeoutMs / 1000)}s: ${last ? errorText(last) : 'no answer'}`,
  );
}

/**
 * Node flags kukeond runs with (node flags: not settable from inside the process). Its live JS
 * heap is small (≈ 17 MB idle, ≈ 25 MB at 200 cells) and its work is I/O: containerd, runc, CNI.
 * - `--max-semi-space-size=1`: a 1 MiB young generation instead of up to 16 MiB semi-spaces;
 * - `--optimize-for-size`: V8's heap-growth and GC heuristics favour size (the peak while 200
 *   cells are applied: 159 → 95 MB);
 * - `--no-opt`: no TurboFan. Its optimized code, deopt data and the compile zones its background
 *   threads allocate (kept by glibc's per-thread arenas) were ≈ 15 MB of RSS, including ≈ 4 MB
 *   of the node binary's pages it alone touches. Costs: a reconcile pass over 100 cells takes
 *   21 instead of 15 ms of CPU; applying 200 cells is not slower (containerd and runc bound);
 * - `--expose-gc`: the memory trimmer (serve/memory-trimmer.ts) runs a full GC once a burst of
 *   requests is over, so the pages the burst grew into go back at once.
 * Together: 200 cells at ≈ 76 MB instead of ≈ 100 MB (docs/bench-cli.md).
 */
export const KUKEOND_NODE_FLAGS: readonly string[] = [
  '--max-semi-space-size=1',
  '--optimize-for-size',
  '--no-opt',
  '--expose-gc',
];

/** Starts `kukeond serve` detached, its output appended to `<runPath>/kukeond.log`. */
export function startDetached(kukeond: string, args: string[], logFile: string): number {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(process.execPath, [...KUKEOND_NODE_FLAGS, kukeond, ...args], {
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.unref();
    return child.pid ?? 0;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
export async function stopPid(pid: number, graceMs: number): Promise<'stopped' | 'force-killed'> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'stopped';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return 'stopped';
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'stopped';
  }
  return 'force-killed';
}

/** SIGKILL, and resolves once the process is gone (a killed process cannot delay that long). */
export async function killPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    // A zombie of ours would answer signal 0 for ever: only a detached grandchild is expected.
    if (readProcState(pid) === 'Z') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readProcState(pid: number): string | undefined {
  try {
    return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** The socket shared with the group: `root:<gid>`, mode 0660. */
export function shareSocket(socket: string, gid: number): void {
  chownSync(socket, 0, gid);
  chmodSync(socket, 0o660);
}

/** Removes the socket and pid file; the paths actually removed. */
export function removeSocketFiles(socket: string): string[] {
  const removed: string[] = [];
  for (const p of [socket, daemonPidFilePath(socket)]) {
    if (!existsSync(p)) continue;
    rmSync(p, { force: true });
    removed.push(p);
  }
  return removed;
}

export { parseDurationMs } from '../duration.js';
