import type { ApplyKind, ParsedDocument } from '../../api/index.js';
export type { ApplyAction, ApplyResult } from '../../model/operation-facts.js';
import type { ApplyAction } from '../../model/operation-facts.js';

/** What applying one document did (besides failing: a handler throws for that). */
export interface ApplyOutcome {
  action: Exclude<ApplyAction, 'failed'>;
  changes?: string[];
  details?: Record<string, string>;
}

/**
 * Applies one validated document of its kind. The dispatcher owns ordering and failure capture,
 * so a handler only reconciles; a new kind plugs in by registering one of these.
 */
export type ApplyHandler = (doc: ParsedDocument) => Promise<ApplyOutcome>;

export type ApplyHandlers = Record<ApplyKind, ApplyHandler>;
