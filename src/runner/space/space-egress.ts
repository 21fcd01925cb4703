import {
  applyEgress,
  egressContext,
  ensureForwardAdmission,
  ensureInputGuard,
  listEgressOrphans,
  listMasqueradeRuleOrphans,
  purgeEgressOrphans,
  purgeMasqueradeRuleOrphans,
  removeEgress,
  type ApplyEgressOutcome,
  type EgressContext,
  type HostResolver,
  type RemoveEgressOutcome,
} from '../../cni/egress/index.js';
import {
  describeConflist,
  ensureBridgeIsolation,
  readConflist,
  spaceNetworkRef,
  wantsPortIsolation,
  type TableSnapshots,
} from '../../cni/index.js';
import type { Space } from '../../model/resources.js';
import { isolatesCells } from '../../model/space-isolation.js';
import { readResource } from '../resource-store.js';
import { scopes } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { cellNameservers } from '../host-resolv-conf.js';

type SpaceNetwork = Space['spec']['network'];

const contexts = new WeakMap<RunnerContext, EgressContext>();

/** The egress context of a runner context (chain names from its HostConfig, its logger). */
export function spaceEgressContext(ctx: RunnerContext, resolve?: HostResolver): EgressContext {
  if (resolve) return egressContext(ctx.config, { log: ctx.log, resolve });
  let e = contexts.get(ctx);
  if (!e) {
    e = egressContext(ctx.config, { log: ctx.log });
    contexts.set(ctx, e);
  }
  return e;
}

/**
 * Applies a space's network policy on the host: forward admission (failure = warning), the
 * loopback guard of the input chain, the egress and host chains with the cell isolation rules,
 * the space's masquerade rule, and the isolation flag of the bridge's ports
 * (docs/cell-isolation.md). `network` is the space document's `spec.network`; when the caller
 * does not pass it the stored space document's is used. `subnet` omitted = the conflist's.
 * Failure is fatal to the ensure.
 */
export async function applySpaceEgress(
  ctx: RunnerContext,
  realm: string,
  space: string,
  given?: { network: SpaceNetwork | undefined; subnet?: string },
): Promise<ApplyEgressOutcome> {
  // One iptables-save per table for the whole ensure while nothing is written (iptables.ts).
  const e = { ...spaceEgressContext(ctx), tables: new Map() as TableSnapshots };
  return applySpaceEgressOnce(ctx, e, realm, space, given);
}

async function applySpaceEgressOnce(
  ctx: RunnerContext,
  e: EgressContext,
  realm: string,
  space: string,
  given?: { network: SpaceNetwork | undefined; subnet?: string },
): Promise<ApplyEgressOutcome> {
  try {
    await ensureForwardAdmission(e);
  } catch (err) {
    ctx.log.warn({ err }, 'forward admission chain could not be ensured');
  }
  // Fatal, unlike forward admission: without it a published port's route_localnet opens the
  // host's loopback services to the space's cells (docs/host-isolation.md).
  await ensureInputGuard(e);
  const network = given
    ? given.network
    : (await readResource(ctx, 'Space', scopes.space(realm, space)))?.spec.network;
  const ref = spaceNetworkRef(ctx.cni, realm, space);
  const isolation = isolatesCells(network) ? 'cells' : 'none';
  const out = await applyEgress(e, {
    realm,
    space,
    bridge: ref.bridgeName,
    policy: network?.egress,
    nameservers: await cellNameservers(),
    isolation,
    subnet: given?.subnet ?? (await conflistSubnet(ref.conflistPath)),
  });
  const ports = await ensureBridgeIsolation(
    ref.bridgeName,
    await wantsPortIsolation(ref.bridgeName, isolation === 'cells'),
  );
  if (ports.length > 0)
    ctx.log.info({ space: `${realm}/${space}`, isolation, ports }, 'bridge port isolation changed');
  return out;
}

/** The subnet a space's conflist names (undefined when there is none yet). */
async function conflistSubnet(path: string): Promise<string | undefined> {
  try {
    return describeConflist((await readConflist(path)).list).subnet;
  } catch {
    return undefined;
  }
}

/** Removes a space's egress chain and dispatch rule; failure is a warning (docs/egress.md). */
export async function removeSpaceEgress(
  ctx: RunnerContext,
  realm: string,
  space: string,
): Promise<RemoveEgressOutcome | undefined> {
  try {
    return await removeEgress(spaceEgressContext(ctx), { realm, space });
  } catch (err) {
    ctx.log.warn({ err, realm, space }, 'egress policy could not be removed (the orphan sweep retries)');
    return undefined;
  }
}

/**
 * Removes egress and host chains under our prefix, and masquerade rules in our postrouting chain,
 * that no live (or pending) space owns.
 */
export async function sweepEgressOrphans(
  ctx: RunnerContext,
  live: readonly { realm: string; space: string }[],
): Promise<{ removed: string[]; errors: unknown[] }> {
  const e = spaceEgressContext(ctx);
  const chains = await purgeEgressOrphans(e, await listEgressOrphans(e, live));
  const masq = await purgeMasqueradeRuleOrphans(e, await listMasqueradeRuleOrphans(e, live));
  return { removed: [...chains.removed, ...masq.removed], errors: [...chains.errors, ...masq.errors] };
}
