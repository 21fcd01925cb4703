import type { HostConfig } from '../config.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { SubnetAllocator } from './subnet-allocator.js';
import { attachNetwork, type Attachment } from './attach.js';
import { bootstrapCni, type BootstrapReport } from './bootstrap.js';
import { cniContext, type CniContext } from './cni-context.js';
import { detachNetwork, type DetachReport } from './detach.js';
import type { EnsureConflistOutcome } from './ensure-conflist.js';
import { listOrphans, purgeOrphans, type LiveNetwork, type OrphanReport } from './orphans.js';
import { ensureSpaceNetwork, spaceNetworkRef, type SpaceNetworkRef } from './space-network.js';
import { teardownNetwork, teardownRealmNetworks, type TeardownReport } from './teardown.js';

/** A space network addressed by its realm and space; everything else is derived. */
export interface SpaceAddress {
  realm: string;
  space: string;
}

/** One attachment of a cell's root container. */
export interface CellAttachment extends SpaceAddress {
  containerId: string;
  /** `/proc/<pid>/ns/net`; may be empty or stale for detach. */
  netns: string;
  ifName?: string;
}

/**
 * What the runner needs from CNI, as one small interface so runner logic can be tested against a
 * fake and end-to-end against HostCniNetworks.
 */
export interface CniNetworks {
  bootstrap(): Promise<BootstrapReport>;
  /** Names of a space network without touching the host. */
  ref(space: SpaceAddress): SpaceNetworkRef;
  ensureSpace(
    space: SpaceAddress,
    opts?: { force?: boolean },
  ): Promise<SpaceNetworkRef & EnsureConflistOutcome>;
  attach(a: CellAttachment): Promise<Attachment>;
  /** Best effort, never throws for host state (see DetachReport). */
  detach(a: CellAttachment): Promise<DetachReport>;
  /** Network teardown of a space; the subnet allocation is released by the caller's allocator. */
  teardownSpace(space: SpaceAddress): Promise<TeardownReport>;
  teardownRealm(realm: string): Promise<TeardownReport[]>;
  listOrphans(live: readonly SpaceAddress[]): Promise<OrphanReport>;
  purgeOrphans(report: OrphanReport): Promise<{ errors: unknown[] }>;
}

export class HostCniNetworks implements CniNetworks {
  readonly ctx: CniContext;

  constructor(
    private readonly cfg: HostConfig,
    private readonly allocator: SubnetAllocator,
    log: Logger = silentLogger,
  ) {
    this.ctx = cniContext(cfg, log);
  }

  bootstrap(): Promise<BootstrapReport> {
    return bootstrapCni(this.cfg);
  }

  ref(s: SpaceAddress): SpaceNetworkRef {
    return spaceNetworkRef(this.ctx, s.realm, s.space);
  }

  ensureSpace(
    s: SpaceAddress,
    opts: { force?: boolean } = {},
  ): Promise<SpaceNetworkRef & EnsureConflistOutcome> {
    return ensureSpaceNetwork(this.ctx, { ...s, allocator: this.allocator, force: opts.force });
  }

  attach(a: CellAttachment): Promise<Attachment> {
    const ref = this.ref(a);
    return attachNetwork(this.ctx, {
      conflist: ref.conflistPath,
      containerId: a.containerId,
      netns: a.netns,
      ifName: a.ifName,
    });
  }

  detach(a: CellAttachment): Promise<DetachReport> {
    const ref = this.ref(a);
    return detachNetwork(this.ctx, {
      networkName: ref.networkName,
      conflist: ref.conflistPath,
      containerId: a.containerId,
      netns: a.netns,
      ifName: a.ifName,
    });
  }

  teardownSpace(s: SpaceAddress): Promise<TeardownReport> {
    const ref = this.ref(s);
    return teardownNetwork(this.ctx, {
      networkName: ref.networkName,
      conflistPath: ref.conflistPath,
      bridgeName: ref.bridgeName,
    });
  }

  teardownRealm(realm: string): Promise<TeardownReport[]> {
    return teardownRealmNetworks(this.ctx, realm);
  }

  listOrphans(live: readonly SpaceAddress[]): Promise<OrphanReport> {
    const nets: LiveNetwork[] = live.map((s) => {
      const r = this.ref(s);
      return { name: r.networkName, bridge: r.bridgeName };
    });
    return listOrphans(this.ctx, nets);
  }

  purgeOrphans(report: OrphanReport): Promise<{ errors: unknown[] }> {
    return purgeOrphans(this.ctx, report);
  }
}
