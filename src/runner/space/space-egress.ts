import {
  applyEgress,
  egressContext,
  ensureForwardAdmission,
  ensureInputGuard,
  listEgressOrphans,
  purgeEgressOrphans,
  removeEgress,
  type ApplyEgressOutcome,
  type EgressContext,
  type HostResolver,
  type RemoveEgressOutcome,
} from '../../cni/egress/index.js';
import { spaceNetworkRef } from '../../cni/index.js';
import type { EgressPolicy } from '../../model/resources.js';
import { readResource } from '../resource-store.js';
import { scopes } from '../resource-names.js';
import type { RunnerContext } from '../runner-context.js';
import { cellNameservers } from '../host-resolv-conf.js';

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
 * Applies a space's egress policy after re-asserting forward admission
 * (failure = warning) and the loopback guard of the input chain (failure is fatal). `policy` is the space document's `spec.network.egress`; when the caller
 * does not pass one the stored space document's is used. Failure is fatal to the ensure.
 */
export async function applySpaceEgress(
  ctx: RunnerContext,
  realm: string,
  space: string,
  given?: { policy: EgressPolicy | undefined },
): Promise<ApplyEgressOutcome> {
  const e = spaceEgressContext(ctx);
  try {
    await ensureForwardAdmission(e);
  } catch (err) {
    ctx.log.warn({ err }, 'forward admission chain could not be ensured');
  }
  // Fatal, unlike forward admission: without it a published port's route_localnet opens the
  // host's loopback services to the space's cells (docs/host-isolation.md).
  await ensureInputGuard(e);
  const policy = given
    ? given.policy
    : (await readResource(ctx, 'Space', scopes.space(realm, space)))?.spec.network?.egress;
  const bridge = spaceNetworkRef(ctx.cni, realm, space).bridgeName;
  return applyEgress(e, { realm, space, bridge, policy, nameservers: await cellNameservers() });
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

/** Removes egress chains under our prefix that no live (or pending) space owns. */
export async function sweepEgressOrphans(
  ctx: RunnerContext,
  live: readonly { realm: string; space: string }[],
): Promise<{ removed: string[]; errors: unknown[] }> {
  const e = spaceEgressContext(ctx);
  return purgeEgressOrphans(e, await listEgressOrphans(e, live));
}
