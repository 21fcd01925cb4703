import { CodedError } from '../../errors.js';

/** A container spec refused while building it (codes `OCI_*`): the cause of a create failure. */
export class OciSpecError extends CodedError {}
