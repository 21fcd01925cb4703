import { ErrorCode } from '../../error-codes.js';
import { lookup } from 'node:dns/promises';
import type { HostConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import { EgressError } from './egress-errors.js';
import type { TableSnapshots } from '../iptables.js';

/** Resolves a host name to its IPv4 addresses (empty list = none). */
export type HostResolver = (host: string) => Promise<string[]>;

/** The chain names and tools the egress enforcer works with, resolved once from HostConfig. */
export interface EgressContext {
  /** Top-level chain FORWARD jumps to; holds one dispatch rule per space. */
  rootChain: string;
  /** Per-space chains are `<prefix><8 hex>`. */
  chainPrefix: string;
  /** Forward admission chain. */
  forwardChain: string;
  /**
   * Top-level chain INPUT jumps to (docs/host-isolation.md): the loopback guard, then one dispatch
   * rule per space whose cells are kept off the host.
   */
  inputChain: string;
  /** Per-space host isolation chains are `<prefix><8 hex>`. */
  hostChainPrefix: string;
  /** nat chain jumped from POSTROUTING: one masquerade rule per space (docs/cni.md). */
  postroutingChain: string;
  /** `iptables` interface wildcard matching every kukeon bridge (`<bridgePrefix>+`). */
  bridgeWildcard: string;
  resolve: HostResolver;
  log: Logger;
  /** Tables read during one space ensure (TableSnapshots); unset: every read is fresh. */
  tables?: TableSnapshots;
}

export const defaultEgressNames = {
  rootChain: 'KUKEON-EGRESS',
  chainPrefix: 'KUKE-EGR-',
  forwardChain: 'KUKEON-FORWARD',
  inputChain: 'KUKEON-INPUT',
  hostChainPrefix: 'KUKE-HST-',
  postroutingChain: 'KUKEON-POSTROUTING',
} as const;

/** iptables chain names: at most 28 characters, no whitespace, not starting with `!`/`-`. */
const chainRe = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,27}$/;

function checkChain(what: string, name: string, room = 0): string {
  if (!chainRe.test(name) || name.length + room > 28) {
    throw new EgressError(
      ErrorCode.EGRESS_INVALID_CHAIN_NAME,
      `${what} "${name}" is not a usable iptables chain name (letters, digits, . _ -; at most ${28 - room} characters)`,
    );
  }
  return name;
}

/** The system resolver (getaddrinfo, so /etc/hosts counts), IPv4 only. */
export const systemResolver: HostResolver = async (host) =>
  (await lookup(host, { family: 4, all: true })).map((a) => a.address);

/**
 * Unless configured, chain names follow the bridge prefix: the default `k-` gives the spec's
 * names; any other prefix `p` (a test instance, a second kukeon on the host) gives
 * `<P>EGRESS`, `<P>EGR-`, `<P>FORWARD`, `<P>INPUT`, `<P>HST-` and `<P>POSTROUTING` (upper-cased), so two instances
 * never share a chain.
 */
export function defaultChainNames(bridgePrefix: string): {
  rootChain: string;
  chainPrefix: string;
  forwardChain: string;
  inputChain: string;
  hostChainPrefix: string;
  postroutingChain: string;
} {
  if (bridgePrefix === 'k-') return { ...defaultEgressNames };
  const p = bridgePrefix.toUpperCase().replace(/[^A-Z0-9_.-]/g, '_');
  return {
    rootChain: `${p}EGRESS`,
    chainPrefix: `${p}EGR-`,
    forwardChain: `${p}FORWARD`,
    inputChain: `${p}INPUT`,
    hostChainPrefix: `${p}HST-`,
    postroutingChain: `${p}POSTROUTING`,
  };
}

export function egressContext(
  cfg: Pick<
    HostConfig,
    | 'bridgePrefix'
    | 'egressChain'
    | 'egressChainPrefix'
    | 'forwardChain'
    | 'inputChain'
    | 'hostChainPrefix'
    | 'postroutingChain'
  >,
  options: { log?: Logger; resolve?: HostResolver } = {},
): EgressContext {
  const d = defaultChainNames(cfg.bridgePrefix);
  return {
    rootChain: checkChain('egressChain', cfg.egressChain ?? d.rootChain),
    chainPrefix: checkChain('egressChainPrefix', cfg.egressChainPrefix ?? d.chainPrefix, 8),
    forwardChain: checkChain('forwardChain', cfg.forwardChain ?? d.forwardChain),
    inputChain: checkChain('inputChain', cfg.inputChain ?? d.inputChain),
    hostChainPrefix: checkChain('hostChainPrefix', cfg.hostChainPrefix ?? d.hostChainPrefix, 8),
    postroutingChain: checkChain('postroutingChain', cfg.postroutingChain ?? d.postroutingChain),
    bridgeWildcard: `${cfg.bridgePrefix}+`,
    resolve: options.resolve ?? systemResolver,
    log: options.log ?? silentLogger,
  };
}
