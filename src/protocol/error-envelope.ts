import { KukeonError } from '../errors.js';
import { UNKNOWN_CODE, UNKNOWN_KIND, codeForKind, kindForCode } from './error-kinds.js';

/**
 * The `Err` member of every kukeonv1 reply: `{"Kind","Message"}`. We add `Code`,
 * the exact KukeonError code, so a TypeScript client keeps codes that have no dedicated Kind
 * (a Go client ignores the extra field).
 */
export interface ErrEnvelope {
  Kind: string;
  Message: string;
  Code?: string;
}

/** A remote application error: a KukeonError whose code came back from the daemon. */
export class DaemonReplyError extends KukeonError {
  /** The envelope Kind as sent (`Unknown` included). */
  readonly kind: string;
  /** The whole reply: handlers may fill partial results next to `Err`. */
  readonly reply: Record<string, unknown>;

  constructor(code: string, kind: string, message: string, reply: Record<string, unknown>) {
    super(code, message);
    this.kind = kind;
    this.reply = reply;
  }
}

function causeOf(err: unknown): unknown {
  return err instanceof Error ? err.cause : undefined;
}

/**
 * The full text of an error chain, outer context first, joined with `: ` like Go's wrapped errors.
 * A cause whose text the outer message already contains is not repeated.
 */
export function errorChainText(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  const seen = new Set<unknown>([err]);
  for (let cause = causeOf(err); cause !== undefined && !seen.has(cause); cause = causeOf(cause)) {
    seen.add(cause);
    const part = cause instanceof Error ? cause.message : String(cause);
    if (part !== '' && !text.includes(part)) text = text === '' ? part : `${text}: ${part}`;
  }
  return text;
}

/**
 * The identity of an error for the wire: the innermost KukeonError whose code has a dedicated Kind
 * (the spec asks for the most specific sentinel), else the outermost KukeonError.
 */
function identityOf(err: unknown): KukeonError | undefined {
  let outermost: KukeonError | undefined;
  let innermostMapped: KukeonError | undefined;
  const seen = new Set<unknown>();
  for (let e: unknown = err; e !== undefined && !seen.has(e); e = causeOf(e)) {
    seen.add(e);
    if (!(e instanceof KukeonError)) continue;
    outermost ??= e;
    if (kindForCode(e.code) !== UNKNOWN_KIND) innermostMapped = e;
  }
  return innermostMapped ?? outermost;
}

export function toErrEnvelope(err: unknown): ErrEnvelope {
  const identity = identityOf(err);
  const envelope: ErrEnvelope = {
    Kind: identity ? kindForCode(identity.code) : UNKNOWN_KIND,
    Message: errorChainText(err),
  };
  if (identity) envelope.Code = identity.code;
  return envelope;
}

/** Turns a non-null `Err` back into a typed error: `Code` when sent, else the code of `Kind`. */
export function fromErrEnvelope(envelope: unknown, reply: Record<string, unknown>): DaemonReplyError {
  const env = (typeof envelope === 'object' && envelope !== null ? envelope : {}) as Partial<ErrEnvelope>;
  const kind = typeof env.Kind === 'string' ? env.Kind : UNKNOWN_KIND;
  const message = typeof env.Message === 'string' ? env.Message : String(envelope);
  const code =
    typeof env.Code === 'string' && env.Code !== '' ? env.Code : (codeForKind(kind) ?? UNKNOWN_CODE);
  return new DaemonReplyError(code, kind, message, reply);
}
