import type { Controller } from '../../controller/index.js';
import type { Logger } from '../../log.js';
import type { EventSink } from '../../model/kukeon-event.js';

/** Counters of the passes a daemon ran, for logs and tests. */
export interface TickReport {
  tick: number;
  intentsFinished: number;
  intentsFailed: number;
  cellsScanned: number;
  cellsErrored: number;
  spacesScanned: number;
  spacesErrored: number;
  swept: boolean;
  sweepErrors: number;
  /** Passes that threw (a bug: every pass is meant to report, not throw). */
  passesFailed: number;
  /** Passes skipped because requests kept running (retried next tick). */
  passesSkipped: string[];
}

/** Runs a pass alone (see OperationGate.whenIdle); `ran: false` when it could not start. */
export type Exclusive = (fn: () => Promise<void>) => Promise<{ ran: boolean }>;

const direct: Exclusive = async (fn) => {
  await fn();
  return { ran: true };
};

/** One space-network pass with its log line. Used at startup and on each tick. */
export async function spaceNetworkPass(
  controller: Controller,
  log: Logger,
): Promise<{ scanned: number; errored: number }> {
  const r = await controller.reconcileSpaces();
  if (r.errors.length > 0) {
    log.warn(
      { spaces_scanned: r.spacesScanned, spaces_errored: r.spacesErrored, errors: r.errors },
      'space network reconcile completed with errors',
    );
  } else {
    log.info({ spaces_scanned: r.spacesScanned }, 'space network reconcile ok');
  }
  return { scanned: r.spacesScanned, errored: r.spacesErrored };
}

/**
 * One reconcile tick: finish interrupted operations (intents whose operation failed are retried
 * here), the cell pass when the runner has cells, the space-network pass, and the ownership
 * sweep when the caller asks for it. Each pass is isolated: one throwing does not skip the others.
 */
export async function reconcileTick(
  controller: Controller,
  tick: number,
  options: {
    /** Run the ownership sweep in this tick (the caller counts: every `sweepEvery`th, and owed ones). */
    sweep: boolean;
    log: Logger;
    exclusive?: Exclusive;
    /**
     * False for a pass a task event asked for: intents and cells only. The space networks and
     * the sweep (iptables-restore and `ip` per space) wait for the scheduled tick.
     */
    full?: boolean;
    /** Where repairs are reported (recovered operations, swept orphans). */
    events?: EventSink;
  },
): Promise<TickReport> {
  const { log } = options;
  const exclusive = options.exclusive ?? direct;
  const report: TickReport = {
    tick,
    intentsFinished: 0,
    intentsFailed: 0,
    cellsScanned: 0,
    cellsErrored: 0,
    spacesScanned: 0,
    spacesErrored: 0,
    swept: false,
    sweepErrors: 0,
    passesFailed: 0,
    passesSkipped: [],
  };
  // Intents, spaces and the sweep run alone (no request in flight); the cell pass re-reads each
  // cell under its lock and skips cells with a pending intent, so it runs alongside requests.
  const alone = new Set(['intents', 'spaces', 'sweep']);
  const guard = async (pass: string, fn: () => Promise<void>): Promise<void> => {
    try {
      if (!alone.has(pass)) return await fn();
      const { ran } = await exclusive(fn);
      if (!ran) {
        report.passesSkipped.push(pass);
        log.info({ pass, tick }, 'reconcile pass skipped: requests in flight; retrying next tick');
      }
    } catch (err) {
      report.passesFailed++;
      log.error({ err, pass, tick }, 'reconcile pass failed');
    }
  };

  await guard('intents', async () => {
    const r = await controller.recoverIntents();
    report.intentsFinished = r.finished.length;
    report.intentsFailed = r.failed.length;
    if (r.finished.length > 0 || r.failed.length > 0) {
      log.info(
        { finished: r.finished, failed: r.failed, needsUser: r.needsUser },
        'recovered interrupted operations',
      );
      options.events?.emit({
        kind: 'Daemon',
        type: r.failed.length > 0 ? 'Warning' : 'Normal',
        reason: 'OperationsRecovered',
        message: `interrupted operations: finished ${r.finished.join(', ') || 'none'}; failed ${r.failed.map((f) => f.intent).join(', ') || 'none'}`,
      });
    }
  });
  await guard('cells', async () => {
    const r = await controller.reconcileCells();
    report.cellsScanned = r.cellsScanned;
    report.cellsErrored = r.cellsErrored;
    const fields = {
      cells_scanned: r.cellsScanned,
      cells_updated: r.cellsUpdated,
      cells_deleted: r.cellsDeleted,
      cells_errored: r.cellsErrored,
    };
    if (r.errors.length > 0)
      log.warn({ ...fields, errors: r.errors }, 'reconcile pass completed with errors');
    else log.info(fields, 'reconcile ok');
  });
  if (options.full === false) return report;
  await guard('spaces', async () => {
    const r = await spaceNetworkPass(controller, log);
    report.spacesScanned = r.scanned;
    report.spacesErrored = r.errored;
  });
  if (options.sweep) {
    await guard('sweep', async () => {
      const r = await controller.sweepOrphans();
      report.swept = true;
      report.sweepErrors = r.errors.length;
      const removed = {
        namespaces: r.namespaces,
        cgroups: r.cgroups,
        networks: r.network.networks.map((n) => n.name),
        bridges: r.network.bridges,
        shims: r.shims ?? [],
        stagedSecrets: r.stagedSecrets ?? [],
        secretScopes: r.secretScopes ?? [],
        registryCredentialSecrets: r.registryCredentialSecrets ?? [],
      };
      const what = Object.entries(removed)
        .filter(([, v]) => v.length > 0)
        .map(([k, v]) => `${k} ${v.join(', ')}`);
      if (what.length > 0)
        options.events?.emit({
          kind: 'Daemon',
          type: 'Warning',
          reason: 'OrphansSwept',
          message: `orphans removed: ${what.join('; ')}`,
        });
      if (r.errors.length > 0) log.warn({ removed, errors: r.errors }, 'orphan sweep completed with errors');
      else log.info({ removed }, 'orphan sweep ok');
    });
  }
  log.debug({ ...report }, 'reconcile tick done');
  return report;
}
