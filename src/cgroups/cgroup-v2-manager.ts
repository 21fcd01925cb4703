import { ErrorCode } from '../error-codes.js';
import { BaseCgroupManager, type CgroupManagerOptions, type HierarchyRef } from './base-cgroup-manager.js';
import { CgroupError } from './cgroup-error.js';
import { errnoCode } from './cgroup-fs.js';
import {
  RESOURCE_CONTROLLERS,
  type EnsureOptions,
  type EnsureResult,
  type ResourceOutcome,
  type SubtreeControllers,
} from './cgroup-manager.js';
import { groupSegments, normalizeGroupPath } from './group-path.js';
import { readOomKills, readV2Stats, type CgroupStats } from './cgroup-stats.js';
import { v2ResourceWrites, type CgroupResources } from './resources.js';

export interface CgroupV2ManagerOptions extends CgroupManagerOptions {
  /** The cgroup2 mount (`/sys/fs/cgroup` on a unified host, `/sys/fs/cgroup/unified` on a hybrid one). */
  mountPath: string;
}

/**
 * cgroup v2 (unified). Controllers reach a group only when every ancestor from the mount root
 * down enables them in `cgroup.subtree_control`, so ensure walks top-down enabling what the
 * group needs, each step filtered by what that level offers in `cgroup.controllers`.
 */
export class CgroupV2Manager extends BaseCgroupManager {
  readonly version = 'v2' as const;
  readonly mountPath: string;

  constructor(options: CgroupV2ManagerOptions) {
    super(options);
    this.mountPath = options.mountPath.replace(/(.)\/+$/, '$1');
  }

  hierarchies(): readonly HierarchyRef[] {
    return [{ name: 'unified', mountPath: this.mountPath }];
  }

  stats(groupPath: string): Promise<CgroupStats | undefined> {
    return readV2Stats(this.fs, this.mountPath + normalizeGroupPath(groupPath));
  }

  oomKills(groupPath: string): Promise<number | undefined> {
    return readOomKills(this.fs, `${this.mountPath}${normalizeGroupPath(groupPath)}/memory.events`);
  }

  async ensure(groupPath: string, options: EnsureOptions = {}): Promise<EnsureResult> {
    const path = this.mutable(groupPath);
    const segments = groupSegments(path);
    const offered = await this.controllersOf(this.mountPath);
    const own = resolveWanted(options.subtreeControllers ?? 'none', offered);
    const forResources = v2ResourceWrites(options.resources ?? {}).map((w) => w.controller);
    // Ancestors must pass down what the group delegates and what its own resource files need.
    const forAncestors = offered.filter((c) => own.includes(c) || forResources.includes(c));

    const failed = new Set<string>();
    let created = false;
    let dir = this.mountPath;
    for (const segment of segments) {
      for (const c of await this.enable(dir, forAncestors)) failed.add(c);
      dir = `${dir}/${segment}`;
      try {
        created = (await this.fs.mkdir(dir)) || created;
      } catch (err) {
        throw new CgroupError(
          ErrorCode.CGROUP_WRITE_FAILED,
          `cannot create cgroup ${dir}: ${errnoCode(err)}`,
          {
            cause: err,
          },
        );
      }
    }
    for (const c of await this.enable(dir, own)) failed.add(c);
    const enabled = new Set(await this.listFile(`${dir}/cgroup.subtree_control`));
    const resources = await this.setResources(path, options.resources ?? {});
    return {
      groupPath: path,
      created,
      subtreeControllers: own.filter((c) => enabled.has(c)).sort(),
      failedControllers: [...failed].filter((c) => own.includes(c)).sort(),
      resources,
    };
  }

  async setResources(groupPath: string, resources: CgroupResources): Promise<ResourceOutcome> {
    const path = this.mutable(groupPath);
    const dir = this.mountPath + path;
    const outcome: ResourceOutcome = { applied: [], skipped: [] };
    for (const w of v2ResourceWrites(resources)) {
      const file = w.files[0];
      // The interface file exists only when the parent delegates the controller.
      if (!(await this.fs.exists(`${dir}/${file}`))) {
        outcome.skipped.push({
          setting: w.setting,
          reason: `controller "${w.controller}" is not available in ${path}`,
        });
        continue;
      }
      try {
        await this.fs.writeFile(`${dir}/${file}`, w.value);
      } catch (err) {
        throw new CgroupError(
          ErrorCode.CGROUP_WRITE_FAILED,
          `cannot write ${w.value} to ${dir}/${file}: ${errnoCode(err)}`,
          {
            cause: err,
          },
        );
      }
      outcome.applied.push({ setting: w.setting, hierarchy: 'unified', file, value: w.value });
    }
    return outcome;
  }

  protected override async killSubtree(dirs: readonly string[]): Promise<void> {
    // cgroup.kill (Linux 5.14+) kills a whole subtree atomically, including processes forked meanwhile.
    const top = dirs[dirs.length - 1];
    if (top && (await this.fs.exists(`${top}/cgroup.kill`))) {
      await this.fs.writeFile(`${top}/cgroup.kill`, '1').catch(() => undefined);
    }
  }

  /**
   * Enables each wanted controller that `dir` offers and has not enabled yet, one write per
   * controller so one refusal does not hide the others. Returns those that failed.
   */
  private async enable(dir: string, wanted: readonly string[]): Promise<string[]> {
    if (wanted.length === 0) return [];
    const offered = await this.controllersOf(dir);
    const enabled = new Set(await this.listFile(`${dir}/cgroup.subtree_control`));
    const failed: string[] = [];
    for (const c of wanted) {
      if (enabled.has(c)) continue;
      if (!offered.includes(c)) {
        failed.push(c);
        this.logger.warn({ dir, controller: c }, 'controller not offered here; cannot delegate it');
        continue;
      }
      try {
        await this.fs.writeFile(`${dir}/cgroup.subtree_control`, `+${c}`);
      } catch (err) {
        failed.push(c);
        this.logger.warn(
          { dir, controller: c, err: errnoCode(err) },
          'cannot enable controller in subtree_control',
        );
      }
    }
    return failed;
  }

  private controllersOf(dir: string): Promise<string[]> {
    return this.listFile(`${dir}/cgroup.controllers`);
  }

  private async listFile(path: string): Promise<string[]> {
    try {
      return (await this.fs.readFile(path)).split(/\s+/).filter((s) => s !== '');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
  }
}

function resolveWanted(wanted: SubtreeControllers, offered: readonly string[]): string[] {
  if (wanted === 'none') return [];
  if (wanted === 'all') return [...offered];
  const list: readonly string[] = wanted === 'resource' ? RESOURCE_CONTROLLERS : wanted;
  return offered.filter((c) => list.includes(c));
}
