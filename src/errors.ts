import type { ErrorCode } from './error-codes.js';

/**
 * One error base for the whole project. `code` is stable (callers and the daemon's error envelope
 * test it), `message` is something a user can act on, `cause` keeps the underlying failure.
 */
const KukeonErrorClass = class KukeonError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
};

/**
 * One class per process even when this module is loaded twice: `kuke`'s bundle carries a copy
 * and the tsc output behind its in-process mode another, and `instanceof` / `hasCode` must hold
 * across them. The first copy to load registers its class; any later copy uses that one.
 */
const registry = globalThis as { [key: symbol]: unknown };
const KEY = Symbol.for('kukeon-ts.KukeonError');
export const KukeonError = (registry[KEY] ??= KukeonErrorClass) as typeof KukeonErrorClass;
export type KukeonError = InstanceType<typeof KukeonErrorClass>;

/** True when `err` is a KukeonError with the given code. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof KukeonError && err.code === code;
}

/**
 * The base of each layer's error class (`class ImageError extends CodedError {}`): its code is one
 * of the project's table (src/error-codes.ts), so a code cannot be made up at a throw site and a
 * caller's comparison with `err.code` is checked.
 */
export class CodedError extends KukeonError {
  declare readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
