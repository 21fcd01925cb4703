import { lookup } from 'node:dns/promises';
import type { HostConfig } from '../../config.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import { EgressError, EgressErrorCode } from './egress-errors.js';

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
  /** `iptables` interface wildcard matching every kukeon bridge (`<bridgePrefix>+`). */
  bridgeWildcard: string;
  resolve: HostResolver;
  log: Logger;
}

export const defaultEgressNames = {
  rootChain: 'KUKEON-EGRESS',
  chainPrefix: 'KUKE-EGR-',
  forwardChain: 'KUKEON-FORWARD',
} as const;

/** iptables chain names: at most 28 characters, no whitespace, not starting with `!`/`-`. */
const chainRe = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,27}$/;

function checkChain(what: string, name: string, room = 0): string {
  if (!chainRe.test(name) || name.length + room > 28) {
    throw new EgressError(
      EgressErrorCode.InvalidChainName,
      `${what} "${name}" is not a usable iptables chain name (letters, digits, . _ -; at most ${28 - room} characters)`,
    );
  }
  return name;
}

/** The system resolver (getaddrinfo, so /etc/hosts counts), IPv4 only. */
export const systemResolver: HostResolver = async (host) =>
  (await lookup(host, { family: 4, all: true })).map((a) => a.address);

export function egressContext(
  cfg: Pick<HostConfig, 'bridgePrefix' | 'egressChain' | 'egressChainPrefix' | 'forwardChain'>,
  options: { log?: Logger; resolve?: HostResolver } = {},
): EgressContext {
  return {
    rootChain: checkChain('egressChain', cfg.egressChain ?? defaultEgressNames.rootChain),
    chainPrefix: checkChain('egressChainPrefix', cfg.egressChainPrefix ?? defaultEgressNames.chainPrefix, 8),
    forwardChain: checkChain('forwardChain', cfg.forwardChain ?? defaultEgressNames.forwardChain),
    bridgeWildcard: `${cfg.bridgePrefix}+`,
    resolve: options.resolve ?? systemResolver,
    log: options.log ?? silentLogger,
  };
}
