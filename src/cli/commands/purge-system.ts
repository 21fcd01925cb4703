import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Runner } from '../../runner/runner.js';
import { q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { withRunner } from './runner-session.js';

const SYSTEM_REALM = 'kuke-system';

/**
 * `kuke daemon reset --purge-system` (the daemon is stopped): the kuke-system realm is torn down
 * on the host first — namespace, cgroups, its spaces' networks and egress chains — and only then
 * is its metadata removed, so nothing is left that no metadata names (docs/daemon.md). The
 * ownership sweep then takes what an earlier reset that removed the metadata first left behind.
 */
export async function purgeSystemRealm(ctx: CliContext): Promise<void> {
  const dir = join(ctx.hostConfig().runPath, 'data', SYSTEM_REALM);
  const existed = existsSync(dir);
  await withRunner(ctx, async (runner) => {
    const r = await runner.purgeRealm(SYSTEM_REALM, { cascade: true });
    const what = [
      ...r.deleted,
      ...(r.namespaceDeleted ? ['namespace'] : []),
      ...(r.cgroupDeleted ? ['cgroup'] : []),
    ];
    if (what.length > 0) ctx.out.write(`purged realm ${q(SYSTEM_REALM)}: ${what.join(' ')}\n`);
    const swept = await sweepLeftovers(runner);
    for (const what of swept.removed) ctx.out.write(`removed ${what}\n`);
    for (const e of swept.errors) ctx.err.write(`sweep: ${e}\n`);
  });
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  if (existed) ctx.out.write(`removed ${dir}\n`);
}

/**
 * The ownership sweep (the daemon stopped): what it removed, one `iptables chain …`, `bridge …`
 * line each, and its errors.
 */
export async function sweepLeftovers(runner: Runner): Promise<{ removed: string[]; errors: string[] }> {
  const s = await runner.sweepOrphans();
  return {
    removed: [
      ...(s.egressChains ?? []).map((c) => `iptables chain ${c}`),
      ...s.network.chains.map((c) => `iptables chain ${c.chain} (nat)`),
      ...s.network.bridges.map((b) => `bridge ${b}`),
      ...s.network.networks.map((n) => `network ${n.name}`),
      ...s.namespaces.map((n) => `containerd namespace ${n}`),
    ],
    errors: s.errors,
  };
}
