import { ErrorCode } from '../error-codes.js';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { CgroupError } from './cgroup-error.js';
import { parseCgroupMounts } from './mountinfo.js';

/** One hierarchy a group path has to exist in. */
export interface Hierarchy {
  /** `unified` for a cgroup2 mount, else the v1 options joined (`cpu`, `cpu,cpuacct`, `name=systemd`). */
  name: string;
  mountPath: string;
  version: 'v1' | 'v2';
  /** v1 controllers of the hierarchy (empty for named and cgroup2 hierarchies). */
  controllers: string[];
}

/**
 * What the host offers: a single unified cgroup2 hierarchy, or the v1 / hybrid layout (one
 * hierarchy per controller plus `name=systemd`, and the controller-less `unified` cgroup2 mount
 * on hybrid hosts, because runc places containers in all of them).
 */
export type CgroupLayout = { version: 'v2'; mountPath: string } | { version: 'v1'; hierarchies: Hierarchy[] };

export interface DetectOptions {
  /** HostConfig.cgroupMount, normally `/sys/fs/cgroup`. */
  cgroupMount: string;
  /** mountinfo text; read from /proc/self/mountinfo when absent (tests inject it). */
  mountinfo?: string;
}

export async function detectCgroupLayout(options: DetectOptions): Promise<CgroupLayout> {
  const text = options.mountinfo ?? (await readFile('/proc/self/mountinfo', 'utf8'));
  return layoutFromMountinfo(text, options.cgroupMount);
}

export function layoutFromMountinfo(mountinfo: string, cgroupMount: string): CgroupLayout {
  const base = posix.normalize(cgroupMount).replace(/(.)\/$/, '$1');
  const mounts = parseCgroupMounts(mountinfo);
  // The last mount on a path is the visible one.
  const unified = mounts.filter((m) => m.version === 'v2' && m.mountPoint === base).pop();
  if (unified) return { version: 'v2', mountPath: base };

  const seen = new Set<string>();
  const hierarchies: Hierarchy[] = [];
  for (const m of mounts) {
    if (posix.dirname(m.mountPoint) !== base || m.root !== '/') continue;
    const name = m.version === 'v2' ? 'unified' : m.options.join(',');
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    hierarchies.push({
      name,
      mountPath: m.mountPoint,
      version: m.version,
      controllers: m.version === 'v2' ? [] : m.options.filter((o) => !o.startsWith('name=')),
    });
  }
  if (!hierarchies.some((h) => h.version === 'v1')) {
    throw new CgroupError(
      ErrorCode.CGROUP_UNAVAILABLE,
      `no cgroup filesystem found at ${base} (neither a cgroup2 mount nor cgroup v1 hierarchies below it)`,
    );
  }
  return { version: 'v1', hierarchies };
}
