import { CodedError } from '../../errors.js';

/** A failure of the egress enforcer (codes `EGRESS_*`). */
export class EgressError extends CodedError {}
