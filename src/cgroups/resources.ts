/**
 * Resource settings a group can carry. Values ≤ 0 or absent mean "leave as is" (as the spec's
 * ContainerResources: applied only if > 0).
 */
export interface CgroupResources {
  memoryLimitBytes?: number;
  /** v1 `cpu.shares` units (2..262144); converted for v2 `cpu.weight`. */
  cpuShares?: number;
  /** CFS quota in µs per period (`cpu.max` on v2, `cpu.cfs_quota_us` on v1). */
  cpuQuotaUs?: number;
  /** CFS period in µs; 100000 when a quota is given without one. */
  cpuPeriodUs?: number;
  pidsLimit?: number;
  /** Block-I/O weight in v1 / OCI units (10..1000); converted for v2 `io.weight`. */
  blkioWeight?: number;
}

/** One file write: `file` in the group of the hierarchy holding `controller`. */
export interface ResourceWrite {
  /** The setting it comes from (a key of CgroupResources). */
  setting: keyof CgroupResources;
  controller: string;
  /** Candidate file names, first existing one wins (v1 blkio has two spellings). */
  files: string[];
  value: string;
}

const DEFAULT_PERIOD = 100_000;

const positive = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** runc's conversion (libcontainer/cgroups ConvertCPUSharesToCgroupV2Value). */
export function cpuSharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** runc's conversion (ConvertBlkIOToIOWeightValue). */
export function blkioWeightToIoWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

export function v2ResourceWrites(r: CgroupResources): ResourceWrite[] {
  const writes: ResourceWrite[] = [];
  if (positive(r.memoryLimitBytes)) {
    writes.push({
      setting: 'memoryLimitBytes',
      controller: 'memory',
      files: ['memory.max'],
      value: String(r.memoryLimitBytes),
    });
  }
  if (positive(r.cpuShares)) {
    const weight = Math.min(10000, Math.max(1, cpuSharesToWeight(r.cpuShares)));
    writes.push({ setting: 'cpuShares', controller: 'cpu', files: ['cpu.weight'], value: String(weight) });
  }
  if (positive(r.cpuQuotaUs)) {
    const period = positive(r.cpuPeriodUs) ? r.cpuPeriodUs : DEFAULT_PERIOD;
    writes.push({
      setting: 'cpuQuotaUs',
      controller: 'cpu',
      files: ['cpu.max'],
      value: `${r.cpuQuotaUs} ${period}`,
    });
  }
  if (positive(r.pidsLimit)) {
    writes.push({
      setting: 'pidsLimit',
      controller: 'pids',
      files: ['pids.max'],
      value: String(r.pidsLimit),
    });
  }
  if (positive(r.blkioWeight)) {
    const weight = Math.min(10000, Math.max(1, blkioWeightToIoWeight(r.blkioWeight)));
    writes.push({
      setting: 'blkioWeight',
      controller: 'io',
      files: ['io.weight'],
      value: `default ${weight}`,
    });
  }
  return writes;
}

export function v1ResourceWrites(r: CgroupResources): ResourceWrite[] {
  const writes: ResourceWrite[] = [];
  if (positive(r.memoryLimitBytes)) {
    writes.push({
      setting: 'memoryLimitBytes',
      controller: 'memory',
      files: ['memory.limit_in_bytes'],
      value: String(r.memoryLimitBytes),
    });
  }
  if (positive(r.cpuShares)) {
    writes.push({
      setting: 'cpuShares',
      controller: 'cpu',
      files: ['cpu.shares'],
      value: String(r.cpuShares),
    });
  }
  if (positive(r.cpuQuotaUs)) {
    // Period first: the kernel checks quota against the current period.
    const period = positive(r.cpuPeriodUs) ? r.cpuPeriodUs : DEFAULT_PERIOD;
    writes.push({
      setting: 'cpuPeriodUs',
      controller: 'cpu',
      files: ['cpu.cfs_period_us'],
      value: String(period),
    });
    writes.push({
      setting: 'cpuQuotaUs',
      controller: 'cpu',
      files: ['cpu.cfs_quota_us'],
      value: String(r.cpuQuotaUs),
    });
  }
  if (positive(r.pidsLimit)) {
    writes.push({
      setting: 'pidsLimit',
      controller: 'pids',
      files: ['pids.max'],
      value: String(r.pidsLimit),
    });
  }
  if (positive(r.blkioWeight)) {
    writes.push({
      setting: 'blkioWeight',
      controller: 'blkio',
      files: ['blkio.weight', 'blkio.bfq.weight'],
      value: String(r.blkioWeight),
    });
  }
  return writes;
}
