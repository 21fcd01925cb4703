/** Typed errors of manifest parsing, validation and conversion. Never matched by message text. */
import { KukeonError } from '../errors.js';

export const MANIFEST_INVALID = 'MANIFEST_INVALID';
export const MANIFEST_EMPTY = 'MANIFEST_EMPTY';
export const CONVERSION_FAILED = 'CONVERSION_FAILED';

/** One failing document of a stream. `message` is the full line, e.g. `document 0 (Cell "web"): …`. */
export interface DocumentIssue {
  index: number;
  /** Empty when the kind could not be determined (decode-stage failure). */
  kind: string;
  name: string;
  /** Dotted field path of the failure when known (e.g. `spec.containers[1].image`). */
  path?: string;
  /** 1-based line/column in the input text when known. */
  line?: number;
  column?: number;
  /** The rule's message without the document prefix. */
  reason: string;
  message: string;
}

/**
 * The whole stream was rejected; nothing may be applied. `issues` holds every failing document
 * (one line each in the message: `validation failed:\n  <issue>\n  <issue>`).
 */
export class ManifestValidationError extends KukeonError {
  readonly issues: DocumentIssue[];

  constructor(issues: DocumentIssue[]) {
    super(MANIFEST_INVALID, `validation failed:\n${issues.map((i) => `  ${i.message}`).join('\n')}`);
    this.issues = issues;
  }
}

/** The input held no documents. */
export class EmptyManifestError extends KukeonError {
  constructor() {
    super(MANIFEST_EMPTY, 'failed to parse YAML: no documents found in input');
  }
}

/**
 * Conversion-stage rule failed. The apply layer reports it per document as
 * `conversion failed: <reason>`; `reason` is the bare rule message.
 */
export class ConversionError extends KukeonError {
  readonly reason: string;

  constructor(reason: string) {
    super(CONVERSION_FAILED, `conversion failed: ${reason}`);
    this.reason = reason;
  }
}
