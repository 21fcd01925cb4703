// Benchmark: `kuke` start-up. `kuke version --no-daemon` against bare `node -e 0` (target
// ≤ 1.2×), for the tsc output and the bundle (dist/kuke/kuke.cjs + kuke-main.cjs + its V8 code cache,
// and the same without the cache), beside the floors of any script (an empty .mjs / .cjs file);
// then `kuke get realms` against a running kukeond (hermetic instance on a private containerd).
// Run by `npm run bench`; standalone it starts its own private containerd.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kukeClientEnv, runnerEnv } from '../test/helpers/runner-env.js';
import { hostConfigEnv } from '../src/cli/host-config-from-settings.js';
import { serveArgs, waitReady } from '../src/cli/commands/daemon-process.js';
import { printRow, timeRuns } from './harness.js';

const RUNS = Number(process.env.KUKEON_BENCH_RUNS ?? 20);
const tscEntry = fileURLToPath(new URL('../src/cli/kuke.js', import.meta.url));
const bundleEntry = fileURLToPath(new URL('../kuke/kuke.cjs', import.meta.url));
const kukeond = fileURLToPath(new URL('../src/daemon/kukeond.js', import.meta.url));

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`node ${args.join(' ')}: exit ${code}: ${err}`)),
    );
  });
}

/** Interleaves the variants run by run so load from other processes hits them alike. */
async function interleaved(variants: Record<string, () => Promise<void>>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const [name, fn] of Object.entries(variants))
      out[name].push(...(await timeRuns(1, fn, i === 0 ? 1 : 0)));
  }
  return out;
}

async function main(): Promise<void> {
  const env = runnerEnv('bench-cli');
  const base: NodeJS.ProcessEnv = kukeClientEnv(env);
  const hasBundle = existsSync(bundleEntry);
  // The floor of any script: node reading and resolving one (empty) module file.
  const empty = join(env.dir, 'empty.mjs');
  writeFileSync(empty, '');
  const emptyCjs = join(env.dir, 'empty.cjs');
  writeFileSync(emptyCjs, '');
  // The bundle without its code cache, beside the real one (the bin imports the tsc output from ../src).
  const noCacheDir = fileURLToPath(new URL(`../kuke-nocache-${process.pid}/`, import.meta.url));
  const noCacheEntry = join(noCacheDir, 'kuke.cjs');
  if (hasBundle) {
    mkdirSync(noCacheDir, { recursive: true });
    for (const f of ['kuke.cjs', 'kuke-main.cjs'])
      copyFileSync(join(bundleEntry, '..', f), join(noCacheDir, f));
  }
  const variants: Record<string, () => Promise<void>> = {
    node: () => runNode(['-e', '0'], base),
    file: () => runNode([empty], base),
    cjs: () => runNode([emptyCjs], base),
    tsc: () => runNode([tscEntry, 'version', '--no-daemon'], base),
  };
  if (hasBundle) {
    variants.bundle = () => runNode([bundleEntry, 'version', '--no-daemon'], base);
    variants.nocache = () => runNode([noCacheEntry, 'version', '--no-daemon'], base);
  }
  const v = await interleaved(variants).finally(() => rmSync(noCacheDir, { recursive: true, force: true }));
  printRow({
    what: 'node empty.mjs (floor of an ES module bin)',
    ours: v.file,
    refs: { 'node -e 0': v.node },
  });
  printRow({ what: 'node empty.cjs (floor of a CommonJS bin)', ours: v.cjs, refs: { 'node -e 0': v.node } });
  printRow({
    what: 'kuke version --no-daemon (tsc output)',
    ours: v.tsc,
    refs: { 'node -e 0': v.node },
    targets: { 'node -e 0': 1.2 },
  });
  if (hasBundle) {
    printRow({
      what: 'kuke version --no-daemon (bundle, no code cache)',
      ours: v.nocache,
      refs: { 'node -e 0': v.node },
      targets: { 'node -e 0': 1.2 },
    });
    printRow({
      what: 'kuke version --no-daemon (bundle: the kuke bin)',
      ours: v.bundle,
      refs: { 'node -e 0': v.node, 'node empty.mjs': v.file },
      targets: { 'node -e 0': 1.2 },
    });
  }

  // A daemon of our own: hermetic instance, no reconcile loop.
  const socket = join(env.dir, 'kukeond.sock');
  const args = serveArgs(env.config, join(env.dir, 'kukeond.yaml'), socket, 0);
  const daemon = spawn(process.execPath, [kukeond, '--reconcile-interval', '0', ...args], {
    env: { PATH: process.env.PATH },
    stdio: 'ignore',
  });
  try {
    await waitReady(socket, 30_000);
    const client = { ...base, KUKEON_HOST: `unix://${socket}` };
    const admin = { ...base, ...hostConfigEnv(env.config), KUKEON_HOST: `unix://${socket}` };
    spawnSync(process.execPath, [tscEntry, 'create', 'realm', `b${process.pid}`], { env: client });
    const g: Record<string, () => Promise<void>> = {
      node: () => runNode(['-e', '0'], base),
      tsc: () => runNode([tscEntry, 'get', 'realms'], client),
      inproc: () => runNode([tscEntry, 'get', 'realms', '--no-daemon'], admin),
    };
    if (hasBundle) g.bundle = () => runNode([bundleEntry, 'get', 'realms'], client);
    const r = await interleaved(g);
    printRow({
      what: 'kuke get realms via kukeond (tsc output)',
      ours: r.tsc,
      refs: { 'node -e 0': r.node },
    });
    if (hasBundle)
      printRow({
        what: 'kuke get realms via kukeond (bundle)',
        ours: r.bundle,
        refs: { 'node -e 0': r.node },
      });
    printRow({
      what: 'kuke get realms --no-daemon (in-process)',
      ours: r.inproc,
      refs: { 'node -e 0': r.node },
    });
    spawnSync(process.execPath, [tscEntry, 'purge', 'realm', `b${process.pid}`, '--no-daemon'], {
      env: admin,
    });
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => daemon.once('exit', resolve));
    spawnSync('rmdir', [join(env.config.cgroupMount, env.config.cgroupRoot)]);
    for (const h of [
      'blkio',
      'cpu',
      'cpuacct',
      'cpuset',
      'devices',
      'freezer',
      'memory',
      'pids',
      'systemd',
      'unified',
      'net_cls',
      'net_prio',
      'perf_event',
      'hugetlb',
      'rdma',
      'misc',
    ])
      spawnSync('rmdir', [join(env.config.cgroupMount, h, env.config.cgroupRoot)]);
    env.cleanup();
  }
}

await main();
