import { isNotFound } from '../../src/containerd/errors.js';
import { chainIds } from '../../src/images/chain-id.js';
import { leaseAbandoned, pullLeaseAwaitingRetry } from '../../src/runner/lease-owner.js';
import type { Runner } from '../../src/runner/runner.js';

export interface ImageAudit {
  /** Image records (by name) the realm holds. */
  images: Set<string>;
  /** Committed snapshots the image records account for (their layer chains). */
  committedSnapshots: Set<string>;
  leaks: string[];
  lost: string[];
  ingests: number;
}

/**
 * What pulls may leave in a realm's namespace (docs/chaos.md): every image record must have its
 * content (manifest, config, every layer) and its unpacked top snapshot — a record is written
 * last, so a pull killed before it leaves no record at all; no ingest may outlive the sweep (a
 * killed pull's partial writes) once the harness pulled again. A killed pull's lease outlives
 * the sweep on purpose (its retry resumes from it; docs/images.md, "Resuming a pull"), but the
 * harness retries after every such crash and the retry deletes it: the host audit's lease check
 * then finds any pull lease left, and this audit any ingest left, as a leak.
 */
export async function auditImages(runner: Runner, ns: string): Promise<ImageAudit> {
  const { ctx } = runner;
  const out: ImageAudit = {
    images: new Set(),
    committedSnapshots: new Set(),
    leaks: [],
    lost: [],
    ingests: 0,
  };
  for (const img of await ctx.images.list(ns)) {
    out.images.add(img.name);
    let resolved;
    try {
      resolved = await ctx.images.resolve(ns, img.name, { unpack: false });
    } catch (err) {
      out.lost.push(`image ${img.name}: record without its content (${(err as Error).message})`);
      continue;
    }
    const chain = chainIds(resolved.diffIds);
    for (const c of chain) out.committedSnapshots.add(c);
    const manifest = JSON.parse(
      (await ctx.containerd.content.readAll(ns, resolved.manifestDigest)).toString(),
    ) as {
      layers: { digest: string }[];
    };
    for (const l of manifest.layers) {
      try {
        await ctx.containerd.content.info(ns, l.digest);
      } catch (err) {
        if (!isNotFound(err)) throw err;
        out.lost.push(`image ${img.name}: layer ${l.digest} missing from the content store`);
      }
    }
    try {
      await ctx.containerd.snapshots.stat(ns, resolved.chainId, ctx.config.snapshotter);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      out.lost.push(`image ${img.name}: unpacked snapshot ${resolved.chainId} missing`);
    }
  }
  const ingests = await ctx.containerd.content.listStatuses(ns);
  out.ingests = ingests.length;
  for (const st of ingests) out.leaks.push(`ingest ${st.ref} (${st.offset}/${st.total} bytes)`);
  return out;
}

/** Leases of killed pulls in the realm's namespace that the sweep keeps for a retry. */
export async function pullLeasesAwaitingRetry(runner: Runner, realm: string): Promise<number> {
  const ns = (await runner.getRealm(realm))?.spec.namespace;
  if (!ns) return 0;
  const leases = await runner.ctx.containerd.leases.list(ns);
  return leases.filter((l) => leaseAbandoned(l.labels) && pullLeaseAwaitingRetry(l.labels)).length;
}
