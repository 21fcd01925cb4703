import { CodedError } from '../../errors.js';

/** A name or identifier that cannot be derived: bad name part, prefix, subnet pool. */
export class NamingError extends CodedError {}
