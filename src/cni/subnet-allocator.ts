import { ErrorCode } from '../error-codes.js';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { silentLogger, type Logger } from '../log.js';
import { atomicWriteFile, ensureDir } from '../store/atomic-write.js';
import { acquireFileLock, type FileLock } from '../store/file-lock.js';
import { cidrContains, formatIpv4Cidr, parseIpv4Cidr, type Ipv4Cidr } from '../model/naming/ipv4-cidr.js';
import { namePart } from '../model/naming/name-part.js';
import { NamingError } from '../model/naming/naming-error.js';

export const SUBNET_STATE_FILE = 'network.json';
export const SUBNET_STATE_VERSION = 'v1';
const CHUNK_PREFIX = 24;

export interface SubnetAllocatorOptions {
  /** Metadata root (`<runPath>/data`); state files live at `<dataDir>/<realm>/<space>/network.json`. */
  dataDir: string;
  /** Parent block (HostConfig.subnetPool), IPv4 and shorter than /24. */
  pool: string;
  logger?: Logger;
  /** How long to wait for another process's allocation to finish. */
  lockTimeoutMs?: number;
  /**
   * What of the host a candidate /24 overlaps (an address or route, as text), read once per
   * allocation; such a /24 is skipped. Unset: the host is not consulted. See src/cni/host-networks.ts.
   */
  hostConflicts?: () => Promise<(subnet: string) => string | undefined>;
}

// One queue per data directory for the whole process, so two allocator objects on the same
// directory are serialised too.
const queues = new Map<string, Promise<unknown>>();

/**
 * Per-space /24 allocation (docs/cgroups.md, "Subnet allocator"). In one process, calls are serialised by a queue
 * per data directory; across processes by the store's flock on `<dataDir>/.subnet-allocator.lock`
 * (released by the kernel when its holder dies). The state file is written with the store's
 * atomic write (temp file, fsync, rename, directory fsync).
 */
export class SubnetAllocator {
  readonly dataDir: string;
  readonly pool: Ipv4Cidr;
  private readonly logger: Logger;
  private readonly lockTimeoutMs: number;
  private readonly hostConflicts?: SubnetAllocatorOptions['hostConflicts'];

  constructor(options: SubnetAllocatorOptions) {
    this.dataDir = resolve(options.dataDir);
    this.pool = parsePool(options.pool);
    this.logger = options.logger ?? silentLogger;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.hostConflicts = options.hostConflicts;
  }

  statePath(realm: string, space: string): string {
    return join(this.dataDir, namePart('realm', realm), namePart('space', space), SUBNET_STATE_FILE);
  }

  /** The space's recorded subnet, undefined when it has none; SUBNET_STATE_CORRUPT if unreadable. */
  async current(realm: string, space: string): Promise<string | undefined> {
    const path = this.statePath(realm, space);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new NamingError(ErrorCode.SUBNET_STATE_CORRUPT, `cannot read subnet state ${path}`, {
        cause: err,
      });
    }
    const subnet = parseState(text);
    if (!subnet) {
      // Re-allocating would silently move a live network; the operator must decide.
      throw new NamingError(
        ErrorCode.SUBNET_STATE_CORRUPT,
        `subnet state ${path} is corrupt (expected {"version":"v1","subnetCIDR":"a.b.c.0/24"}); fix or delete it`,
      );
    }
    return subnet;
  }

  /** Returns the space's subnet, allocating the lowest free /24 of the pool when it has none. */
  allocate(realm: string, space: string): Promise<string> {
    const path = this.statePath(realm, space);
    return this.serialised(async () => {
      const existing = await this.current(realm, space);
      if (existing) return existing;
      const used = this.usedSubnets();
      const onHost = this.hostConflicts ? await this.hostConflicts() : () => undefined;
      const count = 2 ** (CHUNK_PREFIX - this.pool.prefix);
      let overlapping = 0;
      let example: string | undefined;
      for (let i = 0; i < count; i++) {
        const candidate = (this.pool.network + i * 256) >>> 0;
        if (used.has(candidate)) continue;
        const cidr = formatIpv4Cidr({ network: candidate, prefix: CHUNK_PREFIX });
        // A /24 the host already routes or addresses would send the cells' traffic elsewhere.
        const conflict = onHost(cidr);
        if (conflict) {
          overlapping++;
          example ??= `${cidr} overlaps ${conflict}`;
          this.logger.debug(
            { realm, space, subnet: cidr, overlaps: conflict },
            'skipped a /24 the host uses',
          );
          continue;
        }
        await writeState(path, cidr);
        this.logger.debug({ realm, space, subnet: cidr }, 'allocated space subnet');
        return cidr;
      }
      const why = overlapping
        ? `${count - overlapping} are allocated to spaces, ${overlapping} overlap addresses or routes of the host (${example})`
        : `all ${count} are allocated`;
      throw new NamingError(
        ErrorCode.SUBNET_EXHAUSTED,
        `no free /24 left in subnet pool ${formatIpv4Cidr(this.pool)} (${why}); ` +
          `delete unused spaces or configure another or a larger pool (subnetPool)`,
      );
    });
  }

  /** Forgets the space's subnet so it can be handed out again. Missing state is fine. */
  release(realm: string, space: string): Promise<void> {
    const path = this.statePath(realm, space);
    return this.serialised(async () => {
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    });
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const previous = queues.get(this.dataDir) ?? Promise.resolve();
    const run = previous.then(async () => {
      await ensureDir(this.dataDir);
      const path = join(this.dataDir, '.subnet-allocator.lock');
      const options = { create: true, fileMode: 0o600, timeoutMs: this.lockTimeoutMs } as const;
      const lock = (await acquireFileLock(path, 'exclusive', options)) as FileLock;
      try {
        return await fn();
      } finally {
        // Unlinked while held, as the store does: a waiter on the old inode sees it is gone and
        // retries, and no lock file is left behind between allocations.
        await unlink(path).catch(() => undefined);
        await lock.release();
      }
    });
    const tail = run.catch(() => undefined);
    queues.set(this.dataDir, tail);
    void tail.then(() => {
      if (queues.get(this.dataDir) === tail) queues.delete(this.dataDir);
    });
    return run;
  }

  /**
   * Network addresses of every /24 in the pool recorded by any space; corrupt files are skipped.
   * Synchronous on purpose: measured on the 2-core test VM, 200 state files take ~2 ms with
   * readFileSync against ~180 ms through fs/promises (thread-pool round trips), and this runs
   * under the allocation lock.
   */
  private usedSubnets(): Set<number> {
    const used = new Set<number>();
    for (const realm of subdirs(this.dataDir)) {
      for (const space of subdirs(join(this.dataDir, realm))) {
        const path = join(this.dataDir, realm, space, SUBNET_STATE_FILE);
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
            this.logger.warn({ path, err }, 'skipping unreadable subnet state');
          }
          continue;
        }
        const subnet = parseState(text);
        if (!subnet) {
          this.logger.warn({ path }, 'skipping corrupt subnet state');
          continue;
        }
        const cidr = parseIpv4Cidr(subnet) as Ipv4Cidr;
        if (cidrContains(this.pool, cidr)) used.add(cidr.network);
      }
    }
    return used;
  }
}

function parsePool(pool: string): Ipv4Cidr {
  const cidr = parseIpv4Cidr(pool);
  if (!cidr || cidr.prefix >= CHUNK_PREFIX) {
    throw new NamingError(
      ErrorCode.INVALID_SUBNET_POOL,
      `subnet pool "${pool}" is invalid: it must be an IPv4 network address with a prefix shorter than /24 (e.g. 10.88.0.0/16)`,
    );
  }
  return cidr;
}

/** The subnet of a valid state document, else undefined. */
function parseState(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { version, subnetCIDR } = doc as Record<string, unknown>;
  if (version !== SUBNET_STATE_VERSION || typeof subnetCIDR !== 'string') return undefined;
  const cidr = parseIpv4Cidr(subnetCIDR);
  return cidr && cidr.prefix === CHUNK_PREFIX ? formatIpv4Cidr(cidr) : undefined;
}

async function writeState(path: string, subnet: string): Promise<void> {
  const doc = { version: SUBNET_STATE_VERSION, subnetCIDR: subnet };
  await atomicWriteFile(path, JSON.stringify(doc) + '\n', { mode: 0o600 });
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
