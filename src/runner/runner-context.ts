import { join } from 'node:path';
import type { HostConfig } from '../config.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { ContainerdClient } from '../containerd/index.js';
import { ImageService, type PullProgress } from '../images/index.js';
import { createCgroupManager, type CgroupManager } from '../cgroups/index.js';
import { cniContext, hostNetworkConflicts, type CniContext } from '../cni/index.js';
import { SubnetAllocator } from '../cni/subnet-allocator.js';
import { DocumentStore, IntentJournal, KeyedMutex } from '../store/index.js';
import type { CgroupLayout } from '../cgroups/index.js';
import type { TerminalHost } from './terminal-host.js';
import type { Cell } from '../model/resources.js';
import type { EventSink } from '../model/kukeon-event.js';

/** Whom a pull is for: the cell being created, or only its realm (an explicit pull). */
export interface PullRequester {
  realm: string;
  space?: string;
  stack?: string;
  name?: string;
}

/**
 * Everything the runner drives, built once from the host configuration and passed to every
 * runner function. One manager per external system; tests build it against a private
 * containerd, a private cgroup root, bridge prefix, subnet pool and run path.
 */
export interface RunnerContext {
  config: HostConfig;
  log: Logger;
  containerd: ContainerdClient;
  images: ImageService;
  cgroups: CgroupManager;
  cni: CniContext;
  subnets: SubnetAllocator;
  store: DocumentStore;
  journal: IntentJournal;
  /** In-process per-resource lifecycle locks (the store's file locks cover other processes). */
  locks: KeyedMutex;
  now: () => Date;
  /** kukeond's attach sessions (set by the daemon after opening the runner); see TerminalHost. */
  terminals?: TerminalHost;
  /** Told the log file of every non-terminal task started (kukeond times them for `--since`). */
  onContainerLog?: (logPath: string) => void;
  /**
   * Told the progress of every pull (a cell's implicit one, or `pullImage`'s), then how it ended
   * (kukeond shows it to `kuke apply` and `kuke image pull`, docs/images.md).
   */
  onPullProgress?: (
    requester: PullRequester,
    image: string,
    p: PullProgress,
    outcome?: { digest: string; bytes: number } | { error: string },
  ) => void;
  /**
   * Told of every cell document written, and of a cell's metadata removed (`undefined`):
   * kukeond turns the changes into events (docs/events.md).
   */
  onCellWritten?: (scope: readonly string[], cell: Cell | undefined) => void;
  /** Where runner steps report what happened (kukeond's event ring; absent in-process). */
  events?: EventSink;
}

export interface RunnerContextOptions {
  log?: Logger;
  /** Force a cgroup layout instead of detecting it (tests exercise v2 on a hybrid host). */
  cgroupLayout?: CgroupLayout;
  now?: () => Date;
}

export async function createRunnerContext(
  config: HostConfig,
  options: RunnerContextOptions = {},
): Promise<RunnerContext> {
  const log = options.log ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const containerd = new ContainerdClient(config.containerdSocket, log, { snapshotter: config.snapshotter });
  const dataRoot = join(config.runPath, 'data');
  return {
    config,
    log,
    containerd,
    images: new ImageService(containerd, {
      snapshotter: config.snapshotter,
      log,
      registry: { certsDir: config.registryCertsDir, insecureRegistries: config.insecureRegistries },
    }),
    cgroups: await createCgroupManager({
      cgroupRoot: config.cgroupRoot,
      cgroupMount: config.cgroupMount,
      layout: options.cgroupLayout,
      logger: log,
    }),
    cni: cniContext(config, log),
    subnets: new SubnetAllocator({
      dataDir: dataRoot,
      pool: config.subnetPool,
      logger: log,
      hostConflicts: hostNetworkConflicts,
    }),
    store: new DocumentStore({ dataRoot, now }),
    journal: IntentJournal.forRunPath(config.runPath, { now }),
    locks: new KeyedMutex(),
    now,
  };
}

/** Releases what the context holds open (the containerd channel). */
export function closeRunnerContext(ctx: RunnerContext): void {
  void ctx.images.close();
  ctx.containerd.close();
}
