// Benchmark: pulling a ~50 MB image of several layers of random data from a local registry
// (Debian's docker-registry on 127.0.0.1, plain HTTP; the test helper's), pulled and unpacked
// from an empty store, side by side in one run, paired runs alternating:
//  - `kuke image pull` (the built bin, a child process): kukeond pulls, the user's path;
//  - `kuke image pull --no-daemon`: the same bin pulling in its own process (the path before the
//    verb went through kukeond: node start, the runner, containerd and the store opened per call);
//  - the same pull in this process (one warm gRPC client, ImageService.pull): the pull itself
//    without kuke's start-up, to explain the first figure;
//  - `ctr images pull --plain-http` (unpacks into overlayfs, as we do);
//  - `podman pull --tls-verify=false` into private storage.
// Between runs (untimed) each store is emptied: the image removed with a synchronous GC, so
// containerd holds none of the blobs (its content store is shared by namespaces) and podman none
// of the layers. KUKEON_BENCH_PULL_RUNS (5), KUKEON_BENCH_PULL_MB (48), KUKEON_BENCH_PULL_LAYERS
// (4), KUKEON_BENCH_PULL_DAEMON_NODE_FLAGS (none: kukeond without kuke init's node flags). Figures:
// docs/bench.md (Pull).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ContainerdClient } from '../src/containerd/client.js';
import { hostConfigEnv } from '../src/cli/host-config-from-settings.js';
import { ImageService } from '../src/images/image-service.js';
import { randomDataLayers, writeOciArchive } from '../scripts/make-test-images.js';
import { removeNamespace } from '../test/helpers/images/containerd-state.js';
import { hasPodman, PrivatePodman } from '../test/helpers/private-podman.js';
import { removeRegistry, startRegistry, type TestRegistry } from '../test/helpers/registry.js';
import { printRow } from './harness.js';
import {
  kukeEntry,
  printDaemonLog,
  spawnTimed,
  startKukeond,
  type KukeondInstance,
} from './kukeond-instance.js';

const RUNS = Number(process.env.KUKEON_BENCH_PULL_RUNS ?? 5);
const MB = Number(process.env.KUKEON_BENCH_PULL_MB ?? 48);
const LAYERS = Number(process.env.KUKEON_BENCH_PULL_LAYERS ?? 4);

const at = { realm: `bp${process.pid}`, space: 's', stack: 't' };

const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

function ctr(socket: string, ns: string, ...args: string[]): string {
  return execFileSync('ctr', ['--address', socket, '--namespace', ns, ...args], { encoding: 'utf8' });
}

/** Nothing of the image left in a namespace: a run would otherwise not start from empty. */
function requireEmpty(socket: string, ns: string): void {
  const left = ctr(socket, ns, 'content', 'ls', '-q').trim();
  if (left) throw new Error(`namespace ${ns} still holds content after the removal:\n${left}`);
}

async function main(): Promise<void> {
  let k: KukeondInstance | undefined;
  let reg: TestRegistry | undefined;
  const podman = hasPodman()
    ? new PrivatePodman('kpl', `10.${200 + (process.pid % 50)}.251.0/24`)
    : undefined;
  let client: ContainerdClient | undefined;
  const spaces: string[] = [];
  try {
    // KUKEON_BENCH_PULL_DAEMON_NODE_FLAGS=none starts kukeond without the memory flags `kuke init`
    // gives it (--no-opt among them), to see what they cost the pull it makes.
    const plainNode = process.env.KUKEON_BENCH_PULL_DAEMON_NODE_FLAGS === 'none';
    k = await startKukeond('bench-pull', plainNode ? { nodeFlags: [] } : {});
    const kk = k;
    const socket = k.env.config.containerdSocket;
    reg = await startRegistry();
    const archive = join(k.env.dir, 'pull.tar');
    writeOciArchive(archive, 'bench/pull:1', randomDataLayers(MB << 20, LAYERS));
    await reg.push(archive, 'bench/pull:1');
    const ref = `${reg.host}/bench/pull:1`;
    await k.provision(at, []);
    const realmNs = `${at.realm}.${k.env.config.namespaceSuffix}`;
    client = new ContainerdClient(socket);
    const images = new ImageService(client, { snapshotter: k.env.config.snapshotter });
    // In-process kuke needs the instance's paths; through kukeond only its socket.
    const inProcessEnv = { ...k.client, ...hostConfigEnv(k.env.config) };
    let seq = 0;
    const kukePull = async (env: NodeJS.ProcessEnv, extra: string[]): Promise<number> => {
      const ms = await time(() =>
        spawnTimed(
          process.execPath,
          [kukeEntry, 'image', 'pull', ref, '--realm', at.realm, '--no-progress', ...extra],
          env,
        ),
      );
      ctr(socket, realmNs, 'images', 'rm', '--sync', ref);
      requireEmpty(socket, realmNs);
      return ms;
    };

    const tools = {
      'kuke image pull': () => kukePull(kk.client, []),
      'kuke image pull --no-daemon': () => kukePull(inProcessEnv, ['--no-daemon']),
      'in-process pull': async () => {
        const ns = `bench-pull-ours-${process.pid}-${seq++}`;
        spaces.push(ns);
        const ms = await time(() => images.pull(ns, ref));
        removeNamespace(socket, ns);
        return ms;
      },
      ctr: async () => {
        const ns = `bench-pull-ctr-${process.pid}-${seq++}`;
        spaces.push(ns);
        const ms = await time(() =>
          spawnTimed(
            'ctr',
            ['--address', socket, '--namespace', ns, 'images', 'pull', '--plain-http', ref],
            process.env,
          ),
        );
        removeNamespace(socket, ns);
        return ms;
      },
      ...(podman
        ? {
            podman: async () => {
              const ms = await time(() => podman.runAsync('pull', '--quiet', '--tls-verify=false', ref));
              podman.run('rmi', '-f', ref);
              return ms;
            },
          }
        : {}),
    } as Record<string, () => Promise<number>>;
    const names = Object.keys(tools);
    const figures: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    process.stdout.write(
      `pull: ${MB} MB in ${LAYERS} random-data layers over busybox from docker-registry on loopback, ` +
        `from an empty store; medians of ${RUNS} paired runs (the order rotates), ms; ` +
        `kukeond ${plainNode ? 'without' : 'with'} kuke init's node flags; load ${loadAverage()}\n`,
    );
    for (let i = -1; i < RUNS; i++) {
      // Rotating the order spreads whatever the other tools leave behind (dirty pages, GC).
      const order = names.map((_, j) => names[(j + Math.max(i, 0)) % names.length]);
      for (const n of order) {
        const ms = await tools[n]();
        if (i >= 0) figures[n].push(ms);
      }
    }
    const refs = { ctr: figures.ctr, podman: figures.podman };
    const targets = { ctr: 0.9, podman: 0.6 };
    printRow({
      what: `pull ${MB} MB: kuke image pull (through kukeond)`,
      ours: figures['kuke image pull'],
      refs,
      targets,
    });
    printRow({
      what: `pull ${MB} MB: kuke image pull --no-daemon`,
      ours: figures['kuke image pull --no-daemon'],
      refs,
      targets,
    });
    printRow({
      what: `pull ${MB} MB: in-process ImageService.pull`,
      ours: figures['in-process pull'],
      refs,
      targets,
    });
    process.stdout.write(`load after: ${loadAverage()}; daemon pid ${kk.pid}\n`);
  } catch (err) {
    printDaemonLog(k);
    throw err;
  } finally {
    client?.close();
    if (k) for (const ns of spaces) removeNamespace(k.env.config.containerdSocket, ns);
    await k?.close();
    if (reg) await removeRegistry(reg);
    podman?.destroy();
  }
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

await main();
