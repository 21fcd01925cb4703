/**
 * `kukeond serve`: resolve settings, check the instance identity,
 * open the runner, finish interrupted operations **before** serving, publish the socket, run one
 * space-network pass, then the reconcile loop until SIGTERM/SIGINT.
 */
import { Controller } from '../controller/index.js';
import { createLogger, type Logger } from '../log.js';
import { Runner } from '../runner/runner.js';
import { MethodRegistry } from './rpc/method-registry.js';
import { DaemonServer } from './server/daemon-server.js';
import { defaultSocketGroup, lookupGroupGid } from './server/socket-group.js';
import { installShutdownSignals } from './server/shutdown-signals.js';
import { createMethodHandlers, registerMethodHandlers, type MethodHandlers } from './methods/index.js';
import { OperationGate } from './serve/operation-gate.js';
import { writeDefaultConfiguration } from './serve/default-configuration.js';
import {
  defaultConfigurationPath,
  hostConfigFromSettings,
  resolveDaemonSettings,
  type DaemonSettings,
} from './serve/daemon-settings.js';
import { checkInstanceIdentity } from '../store/instance-guard.js';
import { loadConfigurationFile } from '../store/server-configuration-file.js';
import { SweepSchedule } from './serve/sweep-schedule.js';
import { ReconcileLoop } from './serve/reconcile-loop.js';
import { MemoryTrimmer, releaseMemory } from './serve/memory-trimmer.js';
import { mallocTrim } from 'kukeon-native';
import { reconcileTick, spaceNetworkPass } from './serve/daemon-tick.js';
import { runnerCellPort } from '../controller/runner-cell-port.js';
import { serveAttach, type AttachBackend } from './attach/attach-connection.js';
import { recoverContainerIo } from './attach/recover-container-io.js';
import { TerminalSessions } from './attach/terminal-sessions.js';
import { LogTimeRecorder } from './logs/log-time-recorder.js';
import { existsSync } from 'node:fs';
import { ATTACH_MAGIC } from '../protocol/attach-frames.js';
import { asTaskExit } from '../containerd/events.js';
import { EventRing } from './events/event-ring.js';
import { CellTransitions } from './events/cell-transitions.js';
import { OomWatch } from './events/oom-watch.js';
import { eventHandlers, withDocumentEvents } from './methods/event-methods.js';
import { PullBoard } from './events/pull-board.js';
import { pullHandlers } from './methods/pull-methods.js';
import type { DaemonMetrics } from './metrics/daemon-metrics.js';
import type { WebView } from './web/web-view.js';
import { checkWebAccess } from './web/web-access.js';

/** How long a tick's pass waits for in-flight requests before it is skipped until next tick. */
const PASS_WAIT_MS = 2_000;
const STARTUP_PASS_WAIT_MS = 10_000;

/**
 * Every handler but Ping (the liveness probe) runs as a shared operation of the gate, and tells
 * the memory trimmer that work happened.
 */
function gateHandlers(handlers: MethodHandlers, gate: OperationGate, trimmer: MemoryTrimmer): MethodHandlers {
  const out: Record<string, unknown> = {};
  for (const [name, h] of Object.entries(handlers)) {
    if (h === undefined) continue;
    const fn = h as (args: unknown) => Promise<object>;
    out[name] =
      name === 'Ping' ? fn : (args: unknown) => gate.shared(() => fn(args)).finally(() => trimmer.touch());
  }
  return out as MethodHandlers;
}

export interface ServeInput {
  configurationPath: string;
  /** commander's opts(): only the flags the user gave. */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
}

/** Resolves when the daemon is serving; the process then lives until a signal ends it. */
export async function serve(input: ServeInput): Promise<void> {
  const file = await loadConfigurationFile(input.configurationPath);
  const settings = resolveDaemonSettings(
    { flags: input.flags, env: input.env, file },
    input.configurationPath,
  );
  const log = createLogger({ name: 'kukeond', level: settings.logLevel });
  for (const w of settings.warnings) log.warn(w);
  if (file === undefined && input.configurationPath === defaultConfigurationPath) {
    try {
      if (await writeDefaultConfiguration(input.configurationPath, settings)) {
        log.info({ path: input.configurationPath }, 'wrote default server configuration');
      }
    } catch (err) {
      log.warn({ err, path: input.configurationPath }, 'could not write the default server configuration');
    }
  }

  try {
    await checkInstanceIdentity(settings.runPath, {
      containerdNamespaceSuffix: settings.namespaceSuffix,
      cgroupRoot: settings.cgroupRoot,
    });
  } catch (err) {
    log.error({ err }, 'instance metadata check failed');
    process.exit(1);
  }
  await run(settings, log);
}

async function run(settings: DaemonSettings, log: Logger): Promise<void> {
  // The socket's group is the kukeon group: every container gets it as a supplementary group.
  const kukeonGroupGid =
    settings.socketGid > 0 ? settings.socketGid : await lookupGroupGid(defaultSocketGroup);
  const runner = await Runner.open(hostConfigFromSettings(settings, kukeonGroupGid), { log });
  const controller = Controller.forRunner(runner, { log, cells: runnerCellPort(runner) });
  // What happened, for `kuke events` (docs/events.md): a bounded ring fed by the runner's cell
  // writes, task exits (OOM kills) and the passes below.
  const events = new EventRing();
  const oom = new OomWatch(runner.ctx.cgroups, settings.cgroupRoot, settings.namespaceSuffix, events);
  const transitions = new CellTransitions(events, (id) => oom.take(id));
  runner.ctx.events = events;
  runner.ctx.onCellWritten = (scope, cell) => transitions.written(scope, cell);
  // The pulls of the cells it creates, for `kuke apply` to show (docs/images.md).
  const pulls = new PullBoard();
  runner.ctx.onPullProgress = (cell, image, p, outcome) => pulls.report(cell, image, p, outcome);

  // Finish what a crash interrupted before anyone can observe the half-done state.
  // Intent temp files a crash left between a write and its rename: nothing reads them, nothing
  // else would remove them. Before serving, so no request of ours is mid-write; an in-process
  // kuke recording an intent at this very moment would see its rename fail.
  await runner.ctx.journal.sweepTempFiles(0);
  // Metadata temp files likewise (volume data is not walked); only old ones, since an in-process
  // kuke may be writing one now and its rename must not fail.
  const metaTemps = await runner.ctx.store.sweepTempFiles();
  if (metaTemps.length > 0) log.info({ files: metaTemps }, 'metadata temp files of a crash removed');
  const recovered = await controller.recoverIntents();
  // A blueprint/config written just before a crash may not have marked its cells yet.
  const behind = await runner.markLineageOutOfSync();
  if (behind.length > 0) log.info({ cells: behind }, 'cells behind their blueprint or config marked');
  log.info(
    {
      finished: recovered.finished,
      failed: recovered.failed,
      needsUser: recovered.needsUser,
      corrupt: recovered.corrupt,
    },
    'startup recovery done',
  );
  events.emit({
    kind: 'Daemon',
    reason: 'Started',
    message: `kukeond started; ${recovered.finished.length} interrupted operation(s) finished, ${recovered.failed.length} failed, ${recovered.needsUser.length} waiting for the user`,
  });

  // Requests and the background passes exclude each other (see OperationGate).
  const gate = new OperationGate();
  const exclusive = (fn: () => Promise<void>) => gate.whenIdle(fn, PASS_WAIT_MS);
  const trimmer = new MemoryTrimmer(() => releaseMemory(mallocTrim));
  // ListEvents may wait for the next event (a follower's long poll): it never holds the gate.
  // Prometheus endpoint, only when asked for (docs/metrics.md): prom-client is not even loaded
  // otherwise, and the handlers and the loop are timed only then. A configured endpoint that
  // cannot listen is fatal: it must not be silently absent.
  let metrics: DaemonMetrics | undefined;
  if (settings.metricsAddress) {
    try {
      const m = await import('./metrics/daemon-metrics.js');
      metrics = await m.startMetrics(
        settings.metricsAddress,
        { cellUsages: () => controller.cellUsages({}) },
        log,
      );
    } catch (err) {
      log.error({ err }, 'metrics endpoint failed to start');
      runner.close();
      process.exit(1);
    }
  }
  // The read-only web view, only when asked for (docs/web-view.md); its address and token were
  // checked with the settings. Its reads share the gate like requests do.
  let web: WebView | undefined;
  if (settings.httpAddress) {
    try {
      const { startWebView } = await import('./web/web-view.js');
      web = await startWebView(
        checkWebAccess(settings.httpAddress, settings.httpToken),
        {
          tree: () => gate.shared(() => controller.usageTree({})),
          events,
          logPath: async (t) => {
            const id = { realm: t.realm, space: t.space, stack: t.stack, name: t.cell };
            const r = await gate.shared(() => controller.logContainer(id, t.container));
            return r.HostCapturePath || r.HostLogPath;
          },
        },
        log,
      );
    } catch (err) {
      log.error({ err }, 'web view failed to start');
      await metrics?.close();
      runner.close();
      process.exit(1);
    }
  }
  const handlers = {
    ...gateHandlers(withDocumentEvents(createMethodHandlers(controller), events), gate, trimmer),
    ...eventHandlers(events),
    ...pullHandlers(pulls),
  };
  const registry = registerMethodHandlers(
    new MethodRegistry(),
    metrics ? (await import('./metrics/daemon-metrics.js')).timedHandlers(handlers, metrics) : handlers,
  );
  // Attach sessions: the runner hands new terminal tasks over; running ones are re-opened now.
  const sessions = new TerminalSessions({ containerd: runner.ctx.containerd, logger: log });
  runner.ctx.terminals = sessions;
  // Plain containers' log files are timed for `kuke log --since` while they exist.
  const recorder = new LogTimeRecorder({ logger: log });
  const timedLogs = new Set<string>();
  const syncTimedLogs = (): void => {
    for (const p of timedLogs) if (!existsSync(p)) timedLogs.delete(p);
    recorder.sync([...timedLogs]);
  };
  // A new log only adds its file: the existence check of every timed file waits for the tick,
  // since with n containers a check per start made starting n cells cost n² stat calls.
  runner.ctx.onContainerLog = (path) => {
    timedLogs.add(path);
    recorder.sync([...timedLogs]);
  };
  const reopened = await recoverContainerIo(runner, sessions, log, (p) => timedLogs.add(p));
  syncTimedLogs();
  if (reopened > 0) log.info({ sessions: reopened }, 'attach sessions re-opened');
  const attach: AttachBackend = {
    sessions,
    logger: log,
    resolve: (r) =>
      gate.shared(() =>
        controller.attachContainer(
          { realm: r.realm, space: r.space, stack: r.stack, name: r.cell },
          r.container,
        ),
      ),
  };
  const server = new DaemonServer({
    socketPath: settings.socket,
    registry,
    logger: log,
    socketGid: settings.socketGid > 0 ? settings.socketGid : undefined,
    stream: {
      firstByte: ATTACH_MAGIC.charCodeAt(0),
      serve: (socket, first) => serveAttach(socket, first, attach),
    },
  });
  // The first tick sweeps: what a crash of the previous daemon left (a lease taken mid-create…)
  // goes at once after a restart, not `sweepEvery` ticks later (docs/daemon.md).
  const sweeps = new SweepSchedule(settings.sweepEvery);
  const loop = new ReconcileLoop(
    settings.reconcileIntervalMs,
    async (n, full) => {
      const t0 = metrics ? performance.now() : 0;
      const sweep = sweeps.due(full);
      const report = await reconcileTick(controller, n, { sweep, log, exclusive, full, events });
      if (sweep) sweeps.done(!report.passesSkipped.includes('sweep'));
      metrics?.observePass(full ? 'full' : 'cells', (performance.now() - t0) / 1000);
      // Terminals of tasks started by an in-process kuke meanwhile: picked up on sweep ticks.
      if (sweep)
        await recoverContainerIo(runner, sessions, log, (p) => timedLogs.add(p)).catch((err: unknown) =>
          log.warn({ err }, 'terminal session pickup failed'),
        );
      syncTimedLogs();
      trimmer.touch();
    },
    log,
  );
  // Task exits are acted on at once, not only on the tick; after a containerd restart the stream
  // resubscribes by itself and the reconnect triggers a full pass (events are hints, not a log).
  const suffix = `.${settings.namespaceSuffix}`;
  // Passes reuse a realm's listing while its namespace is quiet (event-fed, PassObservations);
  // an exit seen here drops that namespace's kept listing first, so the pass it kicks cannot
  // run on a listing taken before the exit.
  const passes = runner.usePassObservations();
  const taskEvents = runner.ctx.containerd.events.subscribe({
    filters: ['topic=="/tasks/exit"'],
    onEvent: (ev) => {
      if (!ev.namespace.endsWith(suffix)) return;
      // An OOM kill is read from the task's cgroup before a pass can delete the task.
      const exit = asTaskExit(ev);
      const oomChecked =
        exit && exit.id === exit.container_id
          ? oom.taskExited(ev.namespace, exit.container_id, exit.exit_status)
          : Promise.resolve(false);
      void oomChecked
        .catch((err: unknown) => log.warn({ err }, 'OOM check failed'))
        .finally(() => {
          passes.invalidate(ev.namespace);
          loop.kick();
        });
    },
    onReconnect: () => {
      passes.invalidate();
      loop.kick({ full: true });
    },
  });
  taskEvents.ready.catch(() => undefined);
  installShutdownSignals(
    {
      stop: async () => {
        taskEvents.close();
        await loop.stop();
        await server.stop();
        await metrics?.close();
        await web?.close();
        sessions.closeAll();
        recorder.close();
        trimmer.close();
        runner.close();
      },
    },
    log,
  );

  try {
    await server.start();
  } catch (err) {
    log.error({ err }, 'serve exited with error');
    await loop.stop();
    runner.close();
    process.exit(1);
  }
  try {
    const { ran } = await gate.whenIdle(() => spaceNetworkPass(controller, log), STARTUP_PASS_WAIT_MS);
    if (!ran) log.info('startup space network pass skipped: requests in flight; the loop retries it');
  } catch (err) {
    log.error({ err }, 'space network reconcile failed');
  }
  loop.start();
}
