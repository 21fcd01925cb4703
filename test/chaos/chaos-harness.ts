import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { unmountStaging } from '../helpers/runner-env.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hostConfig, type HostConfig } from '../../src/config.js';
import { listLinks } from '../../src/cni/ip-link.js';
import { cniChains, readTable } from '../../src/cni/iptables.js';
import { egressContext } from '../../src/cni/egress/egress-context.js';
import { isSpaceEgressChain } from '../../src/cni/egress/egress-names.js';
import { isKukeonNamespace, networkName } from '../../src/model/naming/index.js';
import { Runner } from '../../src/runner/runner.js';
import { randomDataLayers, testImages, writeOciArchive } from '../../scripts/make-test-images.js';
import { removeRegistry, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { privateContainerd } from '../helpers/containerd.js';
import { realmModel, spaceModel, stackModel } from '../helpers/cell-docs.js';
import { opsFromEvents, type OpRecord, type WorkerEvent } from './chaos-events.js';
import { seededRandom } from './chaos-random.js';
import { cellNames, chaosSecret, type ChaosScope } from './chaos-scope.js';
import type { WorkerJob } from './chaos-worker.js';
import { discoverFailpoints } from './failpoints.js';
import {
  auditHost,
  cgroupDirs,
  iptablesChainNames,
  type AuditBaseline,
  type AuditCounts,
} from './host-audit.js';
import { judgeRound, type Observed } from './expectations.js';
import { pullLeasesAwaitingRetry } from './image-audit.js';

const here = dirname(fileURLToPath(import.meta.url));
const workerPath = join(here, 'chaos-worker.js');
const repoRoot = join(here, '..', '..', '..');

export interface ChaosOptions {
  /** Stop once this many crashes were injected. */
  crashes: number;
  seed?: number;
  cellCount?: number;
  /** Share of rounds that crash at a runner failpoint (the rest are SIGKILLed after a random delay). */
  failpointShare?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  seed: number;
  rounds: number;
  crashes: number;
  crashesAtFailpoint: number;
  crashesByTimer: number;
  operations: { accepted: number; ok: number; failed: number; inflight: number };
  /** Error codes of the operations that failed (an op on a cell that is gone, say), by count. */
  failedCodes: Record<string, number>;
  /** Distinct violations, each with the round it was first seen in. */
  leaks: string[];
  lost: string[];
  resurrected: string[];
  inconsistent: string[];
  /** Left on the host after the final purge. */
  cleanupLeaks: string[];
  failpointsHit: Record<string, number>;
  /**
   * Pulls the harness ran after a round whose pull was cut short (the user trying again): how many
   * succeeded, the layers they fetched out of the image's total (the rest the store held), how
   * many of them adopted a killed pull's lease, and the bytes they continued from its ingests.
   */
  retriedPulls: {
    ok: number;
    blobsFetched: number;
    blobsTotal: number;
    adopted: number;
    bytesResumed: number;
  };
  lastCounts?: AuditCounts;
  maxCounts: Partial<AuditCounts>;
  seconds: number;
}

/**
 * The fault-injection harness (issue 8): rounds of "worker runs random operations on the scope's
 * cells → it is SIGKILLed (at a failpoint or after a random delay) → a fresh runner recovers
 * intents, sweeps orphans, reconciles every cell → the host is audited against the metadata and
 * the user's requests" until `crashes` crashes were injected; then everything is purged and the
 * host is checked clean.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const rnd = seededRandom(seed);
  const failpoints = discoverFailpoints(join(repoRoot, 'src', 'runner'));
  const containerd = privateContainerd();
  const dir = mkdtempSync(join(tmpdir(), 'kukeon-chaos-'));
  const id = process.pid % 10000;
  const config: HostConfig = hostConfig({
    runPath: join(dir, 'run'),
    containerdSocket: containerd.socket,
    cgroupRoot: `kukeon-chaos${process.pid}`,
    cniCacheDir: join(dir, 'cni-cache'),
    cniIpamDir: join(dir, 'ipam'),
    bridgePrefix: `kc${id}-`.slice(0, 7),
    subnetPool: `10.${150 + (process.pid % 50)}.0.0/16`,
    namespaceSuffix: `c${process.pid}.kukeon.io`,
    daemonSocket: join(dir, 'kukeond.sock'),
  });
  const image = testImages().images.busybox;
  const scope: ChaosScope = {
    realm: `ch${process.pid}`,
    space: 's',
    stack: 't',
    extraSpace: 'x',
    extraStack: 'y',
    cellCount: options.cellCount ?? 20,
    image: image.name,
  };
  const report: ChaosReport = {
    seed,
    rounds: 0,
    crashes: 0,
    crashesAtFailpoint: 0,
    crashesByTimer: 0,
    operations: { accepted: 0, ok: 0, failed: 0, inflight: 0 },
    failedCodes: {},
    leaks: [],
    lost: [],
    resurrected: [],
    inconsistent: [],
    cleanupLeaks: [],
    failpointsHit: {},
    retriedPulls: { ok: 0, blobsFetched: 0, blobsTotal: 0, adopted: 0, bytesResumed: 0 },
    maxCounts: {},
    seconds: 0,
  };
  const seen = new Map<string, string[]>();
  let roundOps: OpRecord[] = [];
  let roundHow = '';
  const note = (list: string[], kind: string, round: number, items: string[]): void => {
    if (items.some((i) => !seen.has(`${kind}:${i}`)))
      // What the round did, so a violation can be traced to the operation and crash point.
      log(
        `  round ${round} (${roundHow}) ran: ${roundOps.map((o) => `#${o.n} ${o.op} ${o.target} ${o.outcome}${o.code ? ` ${o.code}` : ''}`).join('; ')}`,
      );
    for (const item of items) {
      const key = `${kind}:${item}`;
      if (seen.has(key)) continue;
      seen.set(key, list);
      list.push(`round ${round}: ${item}`);
      log(`  !! ${kind}: ${item}`);
    }
  };
  log(
    `chaos: seed ${seed}, ${scope.cellCount} cells, target ${options.crashes} crashes, failpoints: ${failpoints.join(' ')}`,
  );

  let runner: Runner | undefined;
  let registry: TestRegistry | undefined;
  // An image of its own on a registry of its own: 4 layers of random data (8 MB) over busybox's, so
  // a pull takes long enough to be killed in the middle, and shares one layer with the loaded image.
  const pulledLayers = randomDataLayers(8 << 20, 4);
  try {
    registry = await startRegistry();
    const archive = join(dir, 'pulled.tar');
    writeOciArchive(archive, 'chaos/pulled:1', pulledLayers);
    await registry.push(archive, 'chaos/pulled:1');
    scope.pulledImage = `${registry.host}/chaos/pulled:1`;
    runner = await Runner.open(config);
    await runner.createRealm(realmModel(scope.realm));
    await runner.createSpace(spaceModel(scope.realm, scope.space));
    await runner.createStack(stackModel(scope.realm, scope.space, scope.stack));
    await runner.loadImage(scope.realm, image.file);
    await runner.writeSecret(chaosSecret(scope), `chaos-${seed}`);
    const ns = (await runner.getRealm(scope.realm))!.spec.namespace;
    const baseline: AuditBaseline = {
      committedSnapshots: new Set(
        (await runner.ctx.containerd.snapshots.list(ns))
          .filter((s) => s.kind === 'COMMITTED')
          .map((s) => s.name),
      ),
      leases: new Set((await runner.ctx.containerd.leases.list(ns)).map((l) => l.id)),
    };
    let observed: Map<string, Observed> = (await auditHost(runner, scope, baseline)).observed;
    runner.close();
    runner = undefined;

    const maxRounds = options.crashes * 4 + 10;
    while (report.crashes < options.crashes && report.rounds < maxRounds) {
      const round = ++report.rounds;
      const useFailpoint = rnd.next() < (options.failpointShare ?? 0.5);
      const fp = useFailpoint ? pickFailpoint(rnd, failpoints) : undefined;
      const killAfterMs = useFailpoint ? undefined : rnd.int(150, 3000);
      const job: WorkerJob = {
        config,
        scope,
        seed: rnd.int(1, 2 ** 31),
        maxOps: useFailpoint ? 25 : 60,
        graceMs: 1000,
      };
      const run = await runWorker(job, fp, killAfterMs);
      const ops = opsFromEvents(run.events);
      for (const o of ops) {
        report.operations.accepted++;
        report.operations[o.outcome]++;
        if (o.outcome === 'failed') {
          const k = `${o.op} ${o.code}`;
          report.failedCodes[k] = (report.failedCodes[k] ?? 0) + 1;
        }
      }
      const crashed = run.signal === 'SIGKILL';
      if (crashed) {
        report.crashes++;
        if (fp && !run.killedByParent) {
          report.crashesAtFailpoint++;
          report.failpointsHit[fp] = (report.failpointsHit[fp] ?? 0) + 1;
        } else report.crashesByTimer++;
      } else if (run.code !== 0) {
        throw new Error(
          `chaos worker failed (exit ${run.code}, signal ${run.signal}): ${run.stderr.slice(-2000)}`,
        );
      }

      // The restarted daemon: recovery, sweep, a reconcile pass; then the audit.
      runner = await Runner.open(config);
      const recovery = await runner.recoverIntents();
      if (recovery.needsUser.length > 0)
        log(
          `  recovery recorded ${recovery.needsUser.length} cell(s) Failed, waiting for the user: ${JSON.stringify(recovery.needsUser)}`,
        );
      if (recovery.failed.length > 0) {
        log(
          `  recovery left ${recovery.failed.length} intent(s) pending, retrying: ${JSON.stringify(recovery.failed)}`,
        );
        await runner.recoverIntents();
      }
      const sweep = await runner.sweepOrphans();
      const sweepErrors = sweep.errors.map((e) => `sweep error: ${e}`);
      for (const name of cellNames(scope)) {
        await runner
          .reconcileCell(runner.cellRef({ realm: scope.realm, space: scope.space, stack: scope.stack, name }))
          .catch((err: unknown) =>
            note(report.inconsistent, 'reconcile failed', round, [`${name}: ${String(err)}`]),
          );
      }
      // The user pulls again what a crash cut short (theirs, or a cell's implicit pull that
      // recovery did not redo): it must succeed, fetch only what the store does not hold, and
      // adopt the killed pull's lease, so the audit finds no pull lease left.
      const awaiting = await pullLeasesAwaitingRetry(runner, scope.realm);
      if (awaiting > 0 || ops.some((o) => o.op === 'image.pull' && o.outcome !== 'ok')) {
        try {
          const r = await runner.pullImage(scope.realm, scope.pulledImage);
          report.retriedPulls.ok++;
          report.retriedPulls.blobsFetched += r.blobsFetched;
          report.retriedPulls.blobsTotal += pulledLayers.length;
          if (awaiting > 0) report.retriedPulls.adopted++;
          report.retriedPulls.bytesResumed += r.bytesResumed;
        } catch (err) {
          note(report.inconsistent, 'retried pull failed', round, [String(err)]);
        }
      }
      const audit = await auditHost(runner, scope, baseline);
      runner.close();
      runner = undefined;
      roundOps = ops;
      roundHow = crashed
        ? fp && !run.killedByParent
          ? `failpoint ${fp}`
          : `SIGKILL after ${killAfterMs} ms`
        : 'no crash';
      const judged = judgeRound(observed, ops, audit.observed);
      observed = audit.observed;
      note(report.leaks, 'leak', round, audit.leaks);
      note(report.lost, 'lost', round, [...audit.lost, ...judged.lost.map((t) => `${t} (completed create)`)]);
      note(
        report.resurrected,
        'resurrected',
        round,
        judged.resurrected.map((t) => `${t} (completed delete)`),
      );
      note(report.inconsistent, 'inconsistent', round, [
        ...audit.inconsistent,
        ...judged.wrongState,
        ...sweepErrors,
      ]);
      report.lastCounts = audit.counts;
      for (const [k, v] of Object.entries(audit.counts) as [keyof AuditCounts, number][])
        report.maxCounts[k] = Math.max(report.maxCounts[k] ?? 0, v);
      const how = crashed
        ? fp && !run.killedByParent
          ? `failpoint ${fp}`
          : `SIGKILL after ${killAfterMs} ms`
        : `no crash (${fp ? `${fp} not reached` : 'finished'})`;
      log(
        `round ${round}: ${how}; ops ${ops.length} (${summarise(ops)}); recovered ${recovery.finished.length}, swept ${sweepCount(sweep)}; ` +
          `cells ${audit.counts.cells} (${audit.counts.readyCells} Ready), containers ${audit.counts.containers}, running tasks ${audit.counts.runningTasks}, ` +
          `snapshots ${audit.counts.snapshots}, images ${audit.counts.images}, IPAM ${audit.counts.ipamLeases}, veths ${audit.counts.veths}, chains ${audit.counts.chains}, cgroups ${audit.counts.cgroups}, volume mounts ${audit.counts.volumeMounts}`,
      );
    }
  } finally {
    runner?.close(); // a round that threw left its runner open
    report.cleanupLeaks = await purgeAndCheck(config, scope).catch((err: unknown) => [
      `cleanup failed: ${String(err)}`,
    ]);
    for (const l of report.cleanupLeaks) log(`  !! left after cleanup: ${l}`);
    if (registry) await removeRegistry(registry);
    containerd.stop();
    unmountStaging(config);
    rmSync(dir, { recursive: true, force: true });
    report.seconds = Math.round((Date.now() - t0) / 100) / 10;
  }
  return report;
}

/** Cell points are reached by most operations; the rarer space/stack ones get a fair share too. */
function pickFailpoint(rnd: ReturnType<typeof seededRandom>, points: string[]): string {
  const cell = points.filter((p) => p.startsWith('cell.'));
  const other = points.filter((p) => !p.startsWith('cell.'));
  return other.length > 0 && rnd.next() < 0.25 ? rnd.pick(other) : rnd.pick(cell.length ? cell : points);
}

interface WorkerRun {
  events: WorkerEvent[];
  code: number | null;
  signal: NodeJS.Signals | null;
  killedByParent: boolean;
  stderr: string;
}

function runWorker(
  job: WorkerJob,
  failpoint: string | undefined,
  killAfterMs: number | undefined,
): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.KUKEON_TEST_FAILPOINTS;
    if (failpoint) env.KUKEON_TEST_FAILPOINTS = failpoint;
    const child = spawn(process.execPath, [workerPath, JSON.stringify(job)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: WorkerRun = { events: [], code: null, signal: null, killedByParent: false, stderr: '' };
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) {
        run.killedByParent = true;
        child.kill('SIGKILL');
      }
    };
    // A worker that hangs is a finding too, but must not hang the harness.
    const watchdog = setTimeout(kill, 180_000);
    let timer: NodeJS.Timeout | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      let e: WorkerEvent;
      try {
        e = JSON.parse(line) as WorkerEvent;
      } catch {
        return;
      }
      run.events.push(e);
      if (e.ev === 'ready' && killAfterMs !== undefined) timer = setTimeout(kill, killAfterMs);
    });
    child.stderr.on('data', (d: Buffer) => {
      run.stderr = (run.stderr + d.toString()).slice(-8000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(watchdog);
      if (timer) clearTimeout(timer);
      run.code = code;
      run.signal = signal;
      resolve(run);
    });
  });
}

function summarise(ops: OpRecord[]): string {
  const by = new Map<string, number>();
  for (const o of ops) by.set(o.outcome, (by.get(o.outcome) ?? 0) + 1);
  return [...by].map(([k, v]) => `${v} ${k}`).join(', ');
}

function sweepCount(s: Awaited<ReturnType<Runner['sweepOrphans']>>): number {
  const n = s.network;
  return (
    s.namespaces.length +
    s.cgroups.length +
    n.bridges.length +
    n.networks.length +
    n.chains.length +
    n.cacheFiles.length +
    (s.stagedSecrets?.length ?? 0) +
    (s.secretScopes?.length ?? 0)
  );
}

/** Purges the realm and the cgroup root, then lists whatever of ours is still on the host. */
async function purgeAndCheck(config: HostConfig, scope: ChaosScope): Promise<string[]> {
  const runner = await Runner.open(config);
  try {
    await runner.recoverIntents();
    for (const r of await runner.listRealms()) await runner.purgeRealm(r.metadata.name, { cascade: true });
    // A Retain volume outlives its realm by design (docs/volumes.md): removed explicitly here.
    for (const v of await runner.listVolumes({ realm: scope.realm }))
      await runner.deleteVolume(v.scope, v.name);
    // What kukeond's next sweep would do: the shim sweep is the one mechanism that catches a shim
    // containerd lost track of (a task create cut short), and a purge does not run it.
    await runner.sweepOrphans();
    await runner.ctx.cgroups.remove(`/${config.cgroupRoot}`, { force: true });
    const left: string[] = [];
    for (const n of await runner.ctx.containerd.namespaces.list())
      if (isKukeonNamespace(n.name, config.namespaceSuffix)) left.push(`namespace ${n.name}`);
    for (const g of cgroupDirs(config.cgroupMount, config.cgroupRoot))
      left.push(`cgroup ${g.hierarchy}:/${g.path}`);
    for (const l of await listLinks())
      if (l.name.startsWith(config.bridgePrefix)) left.push(`link ${l.name}`);
    const nets = new Set([scope.space, scope.extraSpace].map((s) => networkName(scope.realm, s)));
    for (const c of cniChains(await readTable('nat'))) if (nets.has(c.network)) left.push(`chain ${c.chain}`);
    // Every egress chain of this instance (per-space, root and forward) goes with the last space.
    const egress = egressContext(config);
    const ours = new Set([egress.rootChain, egress.forwardChain]);
    for (const c of iptablesChainNames())
      if (ours.has(c) || isSpaceEgressChain(egress, c)) left.push(`chain ${c}`);
    for (const i of (await runner.ctx.journal.list()).intents) left.push(`intent ${i.op} ${i.kind} ${i.key}`);
    for (const pid of await shimsOf(`${scope.realm}.${config.namespaceSuffix}`))
      left.push(`containerd shim pid ${pid}`);
    const files = (d: string) => (existsSync(d) ? readdirSync(d, { recursive: true }).map(String) : []);
    for (const v of await runner.listVolumes()) left.push(`volume ${v.path}`);
    for (const f of files(config.secretStagingDir)) left.push(`staged secret ${f}`);
    for (const f of files(config.secretStoreDir)) left.push(`stored secret ${f}`);
    await runner.releaseSecretStaging();
    return left;
  } finally {
    runner.close();
  }
}

export function formatReport(r: ChaosReport): string {
  return [
    `chaos summary (seed ${r.seed}): ${r.rounds} rounds in ${r.seconds} s`,
    `  crashes injected: ${r.crashes} (${r.crashesAtFailpoint} at failpoints, ${r.crashesByTimer} by SIGKILL after a random delay)`,
    `  failpoints hit: ${
      Object.entries(r.failpointsHit)
        .map(([k, v]) => `${k}×${v}`)
        .join(', ') || 'none'
    }`,
    `  operations: ${r.operations.accepted} accepted, ${r.operations.ok} completed, ${r.operations.failed} failed, ${r.operations.inflight} in flight at a crash`,
    `  failed operations by code: ${
      Object.entries(r.failedCodes)
        .map(([k, v]) => `${k}×${v}`)
        .join(', ') || 'none'
    }`,
    `  peak: ${Object.entries(r.maxCounts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  pulls retried after a crash: ${r.retriedPulls.ok}, fetching ${r.retriedPulls.blobsFetched} of ${r.retriedPulls.blobsTotal} layers; ${r.retriedPulls.adopted} adopted a killed pull's lease, continuing ${r.retriedPulls.bytesResumed} bytes of its ingests`,
    `  leaks: ${r.leaks.length}`,
    `  lost: ${r.lost.length}`,
    `  resurrected: ${r.resurrected.length}`,
    `  inconsistent: ${r.inconsistent.length}`,
    `  left after cleanup: ${r.cleanupLeaks.length}`,
    ...[...r.leaks, ...r.lost, ...r.resurrected, ...r.inconsistent, ...r.cleanupLeaks].map(
      (l) => `    - ${l}`,
    ),
  ].join('\n');
}

export const violations = (r: ChaosReport): number =>
  r.leaks.length + r.lost.length + r.resurrected.length + r.inconsistent.length + r.cleanupLeaks.length;

/** Shim processes still serving the realm's namespace, after giving them a moment to exit. */
async function shimsOf(namespace: string): Promise<number[]> {
  const find = (): number[] => {
    const out: number[] = [];
    for (const e of readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        // A zombie has exited (this container's PID 1 may not reap it): not a live shim.
        if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${e}/stat`, 'utf8'))) continue;
        const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
        if (argv[0]?.includes('containerd-shim') && argv[argv.indexOf('-namespace') + 1] === namespace)
          out.push(Number(e));
      } catch {
        // exited meanwhile
      }
    }
    return out;
  };
  for (let i = 0; i < 100; i++) {
    if (find().length === 0) return [];
    await sleep(100);
  }
  return find();
}
