import { CodedError, type CodeOf } from '../../errors.js';

/** Stable codes of the errors raised while deriving identifiers. */
export const NamingErrorCode = {
  /** A name part is empty after trimming, or contains `_` or `/`. */
  InvalidName: 'INVALID_NAME',
  /** A composed containerd identifier (namespace or container ID) breaks containerd's rule. */
  InvalidIdentifier: 'INVALID_IDENTIFIER',
  /** A namespace does not belong to kukeon (wrong suffix or empty realm part). */
  NotKukeonNamespace: 'NOT_KUKEON_NAMESPACE',
  /** The configured bridge prefix makes interface names longer than the kernel allows. */
  InvalidBridgePrefix: 'INVALID_BRIDGE_PREFIX',
  /** Two spaces would share one CNI network name (and so one bridge). */
  NetworkNameCollision: 'NETWORK_NAME_COLLISION',
  /** The configured subnet pool is not an IPv4 CIDR shorter than /24. */
  InvalidSubnetPool: 'INVALID_SUBNET_POOL',
  /** Every /24 of the pool is allocated. */
  SubnetExhausted: 'SUBNET_EXHAUSTED',
  /** The space's own network.json exists but cannot be used. */
  SubnetStateCorrupt: 'SUBNET_STATE_CORRUPT',
  /** The cgroup root setting is not usable. */
  InvalidCgroupRoot: 'INVALID_CGROUP_ROOT',
} as const;

export type NamingErrorCode = CodeOf<typeof NamingErrorCode>;

export class NamingError extends CodedError<NamingErrorCode> {}
