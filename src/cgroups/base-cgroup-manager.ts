import { ErrorCode } from '../error-codes.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '../log.js';
import { cgroupRootPath } from '../model/naming/cgroup-path.js';
import { CgroupBusyError, CgroupError } from './cgroup-error.js';
import { errnoCode, nodeCgroupFs, type CgroupFs } from './cgroup-fs.js';
import type {
  CgroupManager,
  CgroupPresence,
  EnsureOptions,
  EnsureResult,
  EnsureRootResult,
  RemoveOptions,
  RemoveResult,
  ResourceOutcome,
} from './cgroup-manager.js';
import { isWithin, normalizeGroupPath } from './group-path.js';
import type { CgroupResources } from './resources.js';
import type { CgroupStats } from './cgroup-stats.js';

export interface CgroupManagerOptions {
  /** HostConfig.cgroupRoot (`kukeon` or `/kukeon`). */
  cgroupRoot: string;
  logger?: Logger;
  /** Filesystem access; the real one unless a test passes a fake. */
  fs?: CgroupFs;
  /** How a process is killed on forced removal (tests with fake pids inject a recorder). */
  killProcess?: (pid: number) => void;
}

export interface HierarchyRef {
  name: string;
  mountPath: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function defaultKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if (errnoCode(err) !== 'ESRCH') throw err;
  }
}

/** What both layouts share: walking hierarchies, reading pids, bottom-up removal. */
export abstract class BaseCgroupManager implements CgroupManager {
  abstract readonly version: 'v1' | 'v2';
  readonly rootGroup: string;
  protected readonly fs: CgroupFs;
  protected readonly logger: Logger;
  protected readonly killProcess: (pid: number) => void;

  constructor(options: CgroupManagerOptions) {
    this.rootGroup = cgroupRootPath(options.cgroupRoot);
    this.fs = options.fs ?? nodeCgroupFs;
    this.logger = options.logger ?? silentLogger;
    this.killProcess = options.killProcess ?? defaultKill;
  }

  abstract hierarchies(): readonly HierarchyRef[];
  abstract ensure(groupPath: string, options?: EnsureOptions): Promise<EnsureResult>;
  abstract setResources(groupPath: string, resources: CgroupResources): Promise<ResourceOutcome>;
  abstract stats(groupPath: string): Promise<CgroupStats | undefined>;
  abstract oomKills(groupPath: string): Promise<number | undefined>;

  /** Layout-specific extra kill step before pids are signalled one by one (v2: cgroup.kill). */
  protected async killSubtree(_dirs: readonly string[]): Promise<void> {}

  async ensureKukeonRoot(): Promise<EnsureRootResult> {
    const before = await this.exists(this.rootGroup);
    if (before.exists) return { groupPath: this.rootGroup, existedBefore: true, created: false };
    try {
      await this.ensure(this.rootGroup);
    } catch (err) {
      throw new CgroupError(
        ErrorCode.CGROUP_WRITE_FAILED,
        `cannot create kukeon root cgroup ${this.rootGroup}`,
        {
          cause: err,
        },
      );
    }
    return { groupPath: this.rootGroup, existedBefore: before.partial, created: true };
  }

  async exists(groupPath: string): Promise<CgroupPresence> {
    const path = normalizeGroupPath(groupPath);
    const present: string[] = [];
    const missing: string[] = [];
    for (const h of this.hierarchies()) {
      ((await this.fs.exists(h.mountPath + path)) ? present : missing).push(h.name);
    }
    return {
      groupPath: path,
      exists: missing.length === 0,
      partial: present.length > 0 && missing.length > 0,
      present,
      missing,
    };
  }

  async listChildren(groupPath: string): Promise<string[]> {
    const path = normalizeGroupPath(groupPath);
    const names = new Set<string>();
    for (const h of this.hierarchies()) {
      for (const name of await this.subdirsOrNone(h.mountPath + path)) names.add(name);
    }
    return [...names].sort();
  }

  async procs(groupPath: string, options: { recursive?: boolean } = {}): Promise<number[]> {
    const path = normalizeGroupPath(groupPath);
    const dirs: string[] = [];
    for (const h of this.hierarchies()) {
      const dir = h.mountPath + path;
      if (options.recursive) dirs.push(...(await this.subtree(dir)));
      else dirs.push(dir);
    }
    return this.pidsIn(dirs);
  }

  async addProcs(groupPath: string, pids: readonly number[]): Promise<void> {
    const path = this.mutable(groupPath);
    for (const h of this.hierarchies()) {
      for (const pid of pids) {
        try {
          await this.fs.writeFile(`${h.mountPath}${path}/cgroup.procs`, String(pid));
        } catch (err) {
          throw new CgroupError(
            ErrorCode.CGROUP_WRITE_FAILED,
            `cannot move pid ${pid} into ${h.name}:${path}`,
            {
              cause: err,
            },
          );
        }
      }
    }
  }

  async remove(groupPath: string, options: RemoveOptions = {}): Promise<RemoveResult> {
    const path = this.mutable(groupPath);
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    // Post-order per hierarchy: children before parents.
    const trees = await Promise.all(this.hierarchies().map((h) => this.subtree(h.mountPath + path)));
    const allDirs = trees.flat();
    if (allDirs.length === 0) return { groupPath: path, existed: false, killed: [] };

    let pids = await this.pidsIn(allDirs);
    const killed = new Set<number>();
    if (pids.length > 0 && !options.force) throw new CgroupBusyError(path, pids);
    while (pids.length > 0) {
      if (Date.now() > deadline) throw new CgroupBusyError(path, pids);
      await this.killSubtree(allDirs);
      for (const pid of pids) {
        this.killProcess(pid);
        killed.add(pid);
      }
      await sleep(20);
      pids = await this.pidsIn(allDirs);
    }

    for (const tree of trees) {
      for (const dir of tree) await this.rmdirWithRetry(path, dir, deadline);
    }
    this.logger.debug({ groupPath: path, killed: [...killed] }, 'removed cgroup');
    return { groupPath: path, existed: true, killed: [...killed].sort((a, b) => a - b) };
  }

  /** Normalises and checks a path a mutating call may touch: kukeon's root or below. */
  protected mutable(groupPath: string): string {
    const path = normalizeGroupPath(groupPath);
    if (!isWithin(this.rootGroup, path)) {
      throw new CgroupError(
        ErrorCode.CGROUP_OUTSIDE_ROOT,
        `cgroup ${path} is outside kukeon's root ${this.rootGroup}; refusing to modify it`,
      );
    }
    return path;
  }

  /** Every directory of the subtree rooted at `dir`, deepest first; empty when `dir` is missing. */
  protected async subtree(dir: string): Promise<string[]> {
    if (!(await this.fs.exists(dir))) return [];
    const out: string[] = [];
    for (const child of await this.subdirsOrNone(dir)) out.push(...(await this.subtree(`${dir}/${child}`)));
    out.push(dir);
    return out;
  }

  protected async subdirsOrNone(dir: string): Promise<string[]> {
    try {
      return await this.fs.subdirs(dir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
  }

  protected async pidsIn(dirs: readonly string[]): Promise<number[]> {
    const pids = new Set<number>();
    for (const dir of dirs) {
      let text: string;
      try {
        text = await this.fs.readFile(`${dir}/cgroup.procs`);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') continue;
        throw err;
      }
      for (const line of text.split('\n')) {
        const pid = Number(line.trim());
        if (line.trim() !== '' && Number.isInteger(pid)) pids.add(pid);
      }
    }
    return [...pids].sort((a, b) => a - b);
  }

  // The kernel can answer EBUSY for a short while after the last process left.
  private async rmdirWithRetry(groupPath: string, dir: string, deadline: number): Promise<void> {
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      try {
        await this.fs.rmdir(dir);
        return;
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'ENOENT') return;
        if ((code !== 'EBUSY' && code !== 'ENOTEMPTY') || Date.now() > deadline) {
          const pids = await this.pidsIn(await this.subtree(dir));
          if (pids.length > 0) throw new CgroupBusyError(groupPath, pids);
          throw new CgroupError(
            ErrorCode.CGROUP_WRITE_FAILED,
            `cannot remove cgroup directory ${dir}: ${code}`,
            {
              cause: err,
            },
          );
        }
        await sleep(delay);
      }
    }
  }
}
