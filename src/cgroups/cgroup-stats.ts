import type { CgroupFs } from './cgroup-fs.js';
import type { CgroupStats } from '../model/cell-usage.js';

export type { CgroupStats };

/** Where each figure lives: the directory of the group in the hierarchy that holds it. */
export interface StatsDirs {
  cpu?: string;
  memory?: string;
  pids?: string;
}

// v1 reports "no limit" as a page-aligned near-2^63 value.
const V1_UNLIMITED = 2 ** 62;

/** Reads the v1 files (cpuacct.usage, memory.usage_in_bytes/stat/limit/oom_control, pids.current). */
export async function readV1Stats(fs: CgroupFs, dirs: StatsDirs): Promise<CgroupStats | undefined> {
  const read = reader(fs);
  const out: CgroupStats = {};
  let found = false;
  if (dirs.cpu !== undefined) {
    const usage = num(await read(`${dirs.cpu}/cpuacct.usage`));
    if (usage !== undefined) [out.cpuUsageNs, found] = [usage, true];
  }
  if (dirs.memory !== undefined) {
    const usage = num(await read(`${dirs.memory}/memory.usage_in_bytes`));
    if (usage !== undefined) {
      found = true;
      const stat = keyed(await read(`${dirs.memory}/memory.stat`));
      out.memoryBytes = Math.max(0, usage - (stat.get('total_inactive_file') ?? 0));
      const limit = num(await read(`${dirs.memory}/memory.limit_in_bytes`));
      if (limit !== undefined && limit < V1_UNLIMITED) out.memoryLimitBytes = limit;
      out.oomKills = keyed(await read(`${dirs.memory}/memory.oom_control`)).get('oom_kill') ?? 0;
    }
  }
  if (dirs.pids !== undefined) {
    const pids = num(await read(`${dirs.pids}/pids.current`));
    if (pids !== undefined) [out.pids, found] = [pids, true];
  }
  return found ? out : undefined;
}

/** Reads the v2 files (cpu.stat, memory.current/stat/max/events, pids.current) of one group. */
export async function readV2Stats(fs: CgroupFs, dir: string): Promise<CgroupStats | undefined> {
  const read = reader(fs);
  const cpu = await read(`${dir}/cpu.stat`);
  const current = num(await read(`${dir}/memory.current`));
  const pids = num(await read(`${dir}/pids.current`));
  if (cpu === undefined && current === undefined && pids === undefined) return undefined;
  const out: CgroupStats = {};
  const usec = keyed(cpu).get('usage_usec');
  if (usec !== undefined) out.cpuUsageNs = usec * 1000;
  if (current !== undefined) {
    const stat = keyed(await read(`${dir}/memory.stat`));
    out.memoryBytes = Math.max(0, current - (stat.get('inactive_file') ?? 0));
    const max = num(await read(`${dir}/memory.max`));
    if (max !== undefined) out.memoryLimitBytes = max;
    out.oomKills = keyed(await read(`${dir}/memory.events`)).get('oom_kill') ?? 0;
  }
  if (pids !== undefined) out.pids = pids;
  return out;
}

/** The `oom_kill` count of v1 `memory.oom_control` or v2 `memory.events` (`file`). */
export async function readOomKills(fs: CgroupFs, file: string): Promise<number | undefined> {
  const text = await reader(fs)(file);
  return text === undefined ? undefined : (keyed(text).get('oom_kill') ?? 0);
}

/** A read that gives `undefined` for a missing group or file instead of throwing. */
function reader(fs: CgroupFs): (path: string) => Promise<string | undefined> {
  return async (path) => {
    try {
      return await fs.readFile(path);
    } catch {
      return undefined;
    }
  };
}

function num(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) && text.trim() !== '' ? n : undefined; // "max" → undefined
}

/** `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control). */
function keyed(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) out.set(k, Number(v));
  }
  return out;
}
