/**
 * One error base for the whole project. `code` is stable (callers and the daemon's error envelope
 * test it), `message` is something a user can act on, `cause` keeps the underlying failure.
 */
export class KukeonError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** True when `err` is a KukeonError with the given code. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof KukeonError && err.code === code;
}
