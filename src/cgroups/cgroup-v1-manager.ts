import { ErrorCode } from '../error-codes.js';
import { BaseCgroupManager, type CgroupManagerOptions, type HierarchyRef } from './base-cgroup-manager.js';
import { CgroupError } from './cgroup-error.js';
import { errnoCode } from './cgroup-fs.js';
import type { Hierarchy } from './cgroup-layout.js';
import {
  RESOURCE_CONTROLLERS,
  type EnsureOptions,
  type EnsureResult,
  type ResourceOutcome,
} from './cgroup-manager.js';
import { groupSegments, normalizeGroupPath } from './group-path.js';
import { readOomKills, readV1Stats, type CgroupStats } from './cgroup-stats.js';
import { v1ResourceWrites, type CgroupResources } from './resources.js';

export interface CgroupV1ManagerOptions extends CgroupManagerOptions {
  /** Every hierarchy a group must exist in (v1 controllers, name=systemd, and the hybrid unified mount). */
  hierarchies: readonly Hierarchy[];
}

// v2 names of the resource controllers that v1 spells differently.
const V1_NAME: Record<string, string> = { io: 'blkio' };

/**
 * cgroup v1 / hybrid. runc puts a container with an absolute cgroupsPath into that path in
 * *every* mounted hierarchy, so a group exists when it exists in all of them. There is no
 * subtree_control: each controller is available at every level of its own hierarchy.
 */
export class CgroupV1Manager extends BaseCgroupManager {
  readonly version = 'v1' as const;
  private readonly layout: readonly Hierarchy[];

  constructor(options: CgroupV1ManagerOptions) {
    super(options);
    this.layout = options.hierarchies;
  }

  hierarchies(): readonly HierarchyRef[] {
    return this.layout.map((h) => ({ name: h.name, mountPath: h.mountPath }));
  }

  async stats(groupPath: string): Promise<CgroupStats | undefined> {
    const path = normalizeGroupPath(groupPath);
    const dir = (controller: string): string | undefined => {
      const h = this.layout.find((x) => x.controllers.includes(controller));
      return h && h.mountPath + path;
    };
    return readV1Stats(this.fs, { cpu: dir('cpuacct'), memory: dir('memory'), pids: dir('pids') });
  }

  oomKills(groupPath: string): Promise<number | undefined> {
    const memory = this.layout.find((x) => x.controllers.includes('memory'));
    if (!memory) return Promise.resolve(undefined);
    return readOomKills(this.fs, `${memory.mountPath}${normalizeGroupPath(groupPath)}/memory.oom_control`);
  }

  async ensure(groupPath: string, options: EnsureOptions = {}): Promise<EnsureResult> {
    const path = this.mutable(groupPath);
    const segments = groupSegments(path);
    // Hierarchies are independent trees: made side by side.
    const made = await Promise.all(this.layout.map((h) => this.ensureIn(h, segments)));
    const resources = await this.setResources(path, options.resources ?? {});
    return {
      groupPath: path,
      created: made.some(Boolean),
      subtreeControllers: this.delegated(options.subtreeControllers ?? 'none'),
      failedControllers: [],
      resources,
    };
  }

  /** The group in one hierarchy, every missing level made; true when a level was created. */
  private async ensureIn(h: Hierarchy, segments: readonly string[]): Promise<boolean> {
    const mkdir = (dir: string): Promise<boolean> =>
      this.fs.mkdir(dir).catch((err: unknown) => {
        if (errnoCode(err) === 'ENOENT') throw err; // a missing parent: see below
        throw new CgroupError(
          ErrorCode.CGROUP_WRITE_FAILED,
          `cannot create cgroup ${dir}: ${errnoCode(err)}`,
          {
            cause: err,
          },
        );
      });
    const cpuset = h.controllers.includes('cpuset');
    // A group's parents usually exist (its scope was ensured first): one mkdir of the group
    // itself settles it — in cpuset once its cpus/mems are set too (a new cpuset group refuses
    // tasks until they are copied from its parent; the kernel keeps a child's within its
    // parent's, so a group with both set has ancestors with both set). Otherwise every level is
    // walked from the top.
    let created = false;
    if (segments.length > 0) {
      const group = `${h.mountPath}/${segments.join('/')}`;
      const parent = `${h.mountPath}/${segments.slice(0, -1).join('/')}`.replace(/\/$/, '');
      try {
        created = await mkdir(group);
        if (!cpuset || (await this.inheritCpuset(parent, group))) return created;
      } catch (err) {
        if (err instanceof CgroupError) throw err;
      }
    }
    let dir = h.mountPath;
    for (const segment of segments) {
      const parent = dir;
      dir = `${dir}/${segment}`;
      try {
        created = (await mkdir(dir)) || created;
        if (cpuset) await this.inheritCpuset(parent, dir);
      } catch (err) {
        if (err instanceof CgroupError) throw err;
        throw new CgroupError(
          ErrorCode.CGROUP_WRITE_FAILED,
          `cannot create cgroup ${dir}: ${errnoCode(err)}`,
          {
            cause: err,
          },
        );
      }
    }
    return created;
  }

  async setResources(groupPath: string, resources: CgroupResources): Promise<ResourceOutcome> {
    const path = this.mutable(groupPath);
    const outcome: ResourceOutcome = { applied: [], skipped: [] };
    for (const w of v1ResourceWrites(resources)) {
      const h = this.layout.find((x) => x.controllers.includes(w.controller));
      const dir = h ? h.mountPath + path : undefined;
      let file: string | undefined;
      for (const candidate of h && dir ? w.files : []) {
        if (await this.fs.exists(`${dir}/${candidate}`)) {
          file = candidate;
          break;
        }
      }
      if (!h || !file) {
        outcome.skipped.push({
          setting: w.setting,
          reason: h
            ? `${w.files.join(' / ')} not offered in ${h.name}:${path}`
            : `no "${w.controller}" hierarchy mounted`,
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
      outcome.applied.push({ setting: w.setting, hierarchy: h.name, file, value: w.value });
    }
    return outcome;
  }

  /** v1 has no delegation step: report the asked-for controllers that have a hierarchy, in v2 names. */
  private delegated(wanted: NonNullable<EnsureOptions['subtreeControllers']>): string[] {
    const mounted = new Set(this.layout.flatMap((h) => h.controllers));
    const v2Names = [...mounted].map((c) => (c === 'blkio' ? 'io' : c));
    if (wanted === 'none') return [];
    if (wanted === 'all') return v2Names.sort();
    const list: readonly string[] = wanted === 'resource' ? RESOURCE_CONTROLLERS : wanted;
    return list.filter((c) => mounted.has(V1_NAME[c] ?? c)).sort();
  }

  /** Copies the parent's cpus/mems into a group that has none; false when they stay empty. */
  private async inheritCpuset(parent: string, dir: string): Promise<boolean> {
    let set = true;
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const current = (await this.fs.readFile(`${dir}/${file}`)).trim();
      if (current !== '') continue;
      const value = (await this.fs.readFile(`${parent}/${file}`)).trim();
      if (value === '') set = false;
      else await this.fs.writeFile(`${dir}/${file}`, value);
    }
    return set;
  }
}
