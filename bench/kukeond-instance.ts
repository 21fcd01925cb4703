// A hermetic kukeond for the benchmarks that go through `kuke` as a user does: the daemon as
// users run it (the node flags `kuke init` gives it, reconcile loop on its default interval),
// its own run path and cgroup root on the benchmark's private containerd, and `kuke` — the
// built bin — run as a child process per command. Also the cell manifests the benchmarks apply
// and the daemon's memory read from /proc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveArgs, waitReady, KUKEOND_NODE_FLAGS } from '../src/cli/commands/daemon-process.js';
import { hostConfigEnv } from '../src/cli/host-config-from-settings.js';
import { Runner } from '../src/runner/runner.js';
import { removeCgroupRoot } from '../test/helpers/host-snapshot.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from '../test/helpers/runner-env.js';

// Exits at once on SIGTERM, so a graceful stop costs the same on every side compared.
export const SLEEP_SCRIPT = 'trap "exit 0" TERM; sleep 3600 & wait';

const bundleEntry = fileURLToPath(new URL('../kuke/kuke.cjs', import.meta.url));
const tscEntry = fileURLToPath(new URL('../src/cli/kuke.js', import.meta.url));
/** The `kuke` a user runs: the bundled bin when built, else the tsc output. */
export const kukeEntry = existsSync(bundleEntry) ? bundleEntry : tscEntry;
export const kukeIsBundle = kukeEntry === bundleEntry;
const kukeondEntry = fileURLToPath(new URL('../src/daemon/kukeond.js', import.meta.url));

/** Runs a command to its end; resolves with its stdout, rejects with its stderr on failure. */
export function spawnTimed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err}`)),
    );
  });
}

export interface Scope {
  realm: string;
  space: string;
  stack: string;
}

export const scopeFlags = (at: Scope): string[] => [
  '--realm',
  at.realm,
  '--space',
  at.space,
  '--stack',
  at.stack,
];

/** A cell of a root and one busybox workload that sleeps (and exits at once on SIGTERM). */
export function cellDoc(at: Scope, name: string, image: string): string {
  return [
    'kind: Cell',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  realmId: ${at.realm}`,
    `  spaceId: ${at.space}`,
    `  stackId: ${at.stack}`,
    '  containers:',
    '    - id: w',
    `      image: ${image}`,
    '      command: sh',
    `      args: ['-c', '${SLEEP_SCRIPT}']`,
    '',
  ].join('\n');
}

export const cellsManifest = (at: Scope, names: string[], image: string): string =>
  names.map((n) => cellDoc(at, n, image)).join('---\n');

/** VmRSS and VmHWM of a process and the RSS split, in MB. */
export interface Memory {
  rss: number;
  hwm: number;
  /** The process's own pages (heap, stacks) vs mapped files (mostly the node binary, shared). */
  anon: number;
  file: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return {
    rss: kb('VmRSS') / 1024,
    hwm: kb('VmHWM') / 1024,
    anon: kb('RssAnon') / 1024,
    file: kb('RssFile') / 1024,
  };
}

/**
 * The daemon's memory once a burst is over: kukeond gives back what a burst of requests grew into
 * (a full GC and malloc_trim) after 1 s without requests, at most every 5 s
 * (src/daemon/serve/memory-trimmer.ts); 6 s covers both.
 */
export async function settledMemory(pid: number): Promise<Memory> {
  await new Promise((r) => setTimeout(r, 6_000));
  return memoryOf(pid);
}

export const memText = (m: Memory): string =>
  `rss ${m.rss.toFixed(1)} (anon ${m.anon.toFixed(1)}, file ${m.file.toFixed(1)}) hwm ${m.hwm.toFixed(1)}`;

export interface KukeondInstance {
  env: RunnerEnv;
  daemon: ChildProcess;
  pid: number;
  /** The daemon's log file (printed on failure). */
  log: string;
  /** The daemon's working directory (where a heap snapshot lands). */
  cwd: string;
  /** The environment `kuke` runs with (KUKEON_HOST at the daemon's socket). */
  client: NodeJS.ProcessEnv;
  /** `kuke <args…>` as a child process; resolves with its stdout. */
  kuke(...args: string[]): Promise<string>;
  /** Realm, space and stack through `kuke apply`, then the image tarballs loaded into the realm. */
  provision(at: Scope, imageTarballs: string[]): Promise<void>;
  /** Purges every realm through the daemon, stops it, then sweeps in-process what is left. */
  close(): Promise<void>;
}

/**
 * Starts kukeond on the benchmark's private containerd. `nodeFlags` replaces the flags `kuke
 * init` gives the daemon; `extraNodeFlags` go before them; `serveFlags` after `serve`'s own.
 */
export async function startKukeond(
  label: string,
  opts: { nodeFlags?: readonly string[]; extraNodeFlags?: string[]; serveFlags?: string[] } = {},
): Promise<KukeondInstance> {
  const env = runnerEnv(label);
  const socket = join(env.dir, 'kukeond.sock');
  const client = kukeClientEnv(env, { KUKEON_HOST: `unix://${socket}` });
  const log = join(env.dir, 'kukeond.log');
  const logFd = openSync(log, 'a');
  const cwd = join(env.dir, 'daemon-cwd');
  mkdirSync(cwd, { recursive: true });
  const daemon = spawn(
    process.execPath,
    [
      ...(opts.extraNodeFlags ?? []),
      ...(opts.nodeFlags ?? KUKEOND_NODE_FLAGS),
      kukeondEntry,
      ...serveArgs(env.config, join(env.dir, 'kukeond.yaml'), socket, 0),
      ...(opts.serveFlags ?? []),
    ],
    { env: { PATH: process.env.PATH }, stdio: ['ignore', logFd, logFd], cwd },
  );
  const kuke = (...args: string[]): Promise<string> =>
    spawnTimed(process.execPath, [kukeEntry, ...args], client);
  const instance: KukeondInstance = {
    env,
    daemon,
    pid: daemon.pid!,
    log,
    cwd,
    client,
    kuke,
    async provision(at, imageTarballs) {
      const parents = join(env.dir, `parents-${at.realm}.yaml`);
      writeFileSync(
        parents,
        `kind: Realm\nmetadata: { name: ${at.realm} }\nspec: {}\n---\n` +
          `kind: Space\nmetadata: { name: ${at.space} }\nspec: { realmId: ${at.realm} }\n---\n` +
          `kind: Stack\nmetadata: { name: ${at.stack} }\nspec: { realmId: ${at.realm}, spaceId: ${at.space} }\n`,
      );
      await kuke('apply', '-f', parents);
      // Image load runs in the CLI's process (not a daemon verb): the instance's paths from env.
      for (const file of imageTarballs)
        await spawnTimed(
          process.execPath,
          [kukeEntry, 'image', 'load', file, '--realm', at.realm, '--no-progress'],
          { ...client, ...hostConfigEnv(env.config) },
        );
    },
    async close() {
      if (daemon.exitCode === null) {
        for (const name of await kuke('get', 'realms', '-o', 'json')
          .then((out) => (JSON.parse(out) as { metadata: { name: string } }[]).map((r) => r.metadata.name))
          .catch(() => [] as string[])) {
          spawnSync(process.execPath, [kukeEntry, 'purge', 'realm', name, '--cascade', '--force'], {
            env: client,
            stdio: 'ignore',
            timeout: 900_000,
          });
        }
        daemon.kill('SIGTERM');
        await new Promise((resolve) => daemon.once('exit', resolve));
      }
      const runner = await Runner.open(env.config).catch(() => undefined);
      if (runner) {
        for (const r of await runner.listRealms().catch(() => [])) {
          await runner.purgeRealm(r.metadata.name, { cascade: true }).catch(() => undefined);
        }
        runner.close();
      }
      removeCgroupRoot(env.config);
      env.cleanup();
    },
  };
  try {
    await waitReady(socket, 30_000);
  } catch (err) {
    await instance.close();
    throw err;
  }
  return instance;
}

/** The tail of the daemon's log, for a benchmark that failed. */
export function printDaemonLog(k: KukeondInstance | undefined): void {
  if (k && existsSync(k.log))
    process.stderr.write(`kukeond log (tail):\n${readFileSync(k.log, 'utf8').slice(-4000)}\n`);
}
