import { CodedError, type CodeOf } from '../../errors.js';

/** Stable codes of the egress enforcer's errors (the original's `ErrEgressApply` and finer ones). */
export const EgressErrorCode = {
  /** The policy breaks the validation rules; nothing was touched. */
  InvalidPolicy: 'EGRESS_INVALID_POLICY',
  /** A host rule resolved to no IPv4 address (or the lookup failed); nothing was touched. */
  ResolveFailed: 'EGRESS_RESOLVE_FAILED',
  /** iptables refused a change; the previous chain content is still in force. */
  ApplyFailed: 'EGRESS_APPLY_FAILED',
  /** A configured chain name is unusable (too long, bad characters). */
  InvalidChainName: 'EGRESS_INVALID_CHAIN_NAME',
} as const;

export type EgressErrorCodeValue = CodeOf<typeof EgressErrorCode>;

export class EgressError extends CodedError<EgressErrorCodeValue> {}
