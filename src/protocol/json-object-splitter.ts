import { KukeonError } from '../errors.js';

/**
 * Splits a byte stream into top-level JSON objects, the framing of Go's `net/rpc/jsonrpc`: no
 * length prefix, no required delimiter. It tracks only structure (strings, escapes, bracket
 * nesting), so a chunk boundary may fall anywhere — inside a string, an escape or a multi-byte
 * UTF-8 sequence (`"` and `\` never occur inside one) — and JSON.parse runs once per complete
 * object. Shared by the daemon and the client; no dependencies beyond the error base.
 */

export type FramingProblem = 'syntax' | 'too-large' | 'too-deep';

/** The stream cannot be resynchronised: the caller must reply once and close the connection. */
export class JsonFramingError extends KukeonError {
  readonly problem: FramingProblem;

  constructor(problem: FramingProblem, message: string) {
    super('RPC_FRAMING', message);
    this.problem = problem;
  }
}

export interface SplitterLimits {
  /** Largest accepted object, in bytes (from its `{` to its `}`). */
  maxObjectBytes: number;
  /** Deepest accepted nesting of objects and arrays (the top-level object is depth 1). */
  maxDepth: number;
}

export interface SplitResult {
  /** Complete objects found, in stream order, as raw UTF-8 bytes. */
  objects: Buffer[];
  /** Set when the stream broke; objects before the break are still returned. */
  error?: JsonFramingError;
}

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

function describeByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
}

export class JsonObjectSplitter {
  private readonly limits: SplitterLimits;
  /** Bytes of the current, incomplete object from earlier chunks. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  private depth = 0;
  /** Expected closing byte per open level, so `{]` is caught here rather than resynced wrongly. */
  private readonly closers: Uint8Array;
  private inString = false;
  private escaped = false;
  private broken: JsonFramingError | undefined;

  constructor(limits: SplitterLimits) {
    this.limits = limits;
    this.closers = new Uint8Array(limits.maxDepth + 1);
  }

  /** True while an object has started but not ended (used for the slow-client deadline). */
  get inObject(): boolean {
    return this.depth > 0;
  }

  /** Bytes held for the incomplete object (what a connection costs in memory right now). */
  get bufferedBytes(): number {
    return this.partsLength;
  }

  push(chunk: Buffer): SplitResult {
    const objects: Buffer[] = [];
    if (this.broken) return { objects, error: this.broken };
    let start = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.depth === 0) {
        if (isJsonSpace(b)) continue;
        if (b !== OPEN_OBJECT) {
          return this.fail(
            objects,
            'syntax',
            `invalid character ${describeByte(b)} looking for beginning of object`,
          );
        }
        start = i;
        this.depth = 1;
        this.closers[1] = CLOSE_OBJECT;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === BACKSLASH) this.escaped = true;
        else if (b === QUOTE) this.inString = false;
        continue;
      }
      if (b === QUOTE) {
        this.inString = true;
      } else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
        if (this.depth >= this.limits.maxDepth) {
          return this.fail(
            objects,
            'too-deep',
            `request nesting exceeds the maximum depth of ${this.limits.maxDepth}`,
          );
        }
        this.depth++;
        this.closers[this.depth] = b === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        if (this.closers[this.depth] !== b) {
          return this.fail(objects, 'syntax', `invalid character ${describeByte(b)} after nested value`);
        }
        this.depth--;
        if (this.depth === 0) {
          const size = this.partsLength + (i + 1 - start);
          if (size > this.limits.maxObjectBytes) return this.tooLarge(objects);
          const tail = chunk.subarray(start, i + 1);
          objects.push(this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail], size));
          this.parts = [];
          this.partsLength = 0;
          start = -1;
        }
      }
    }
    if (this.depth > 0 && start >= 0) {
      const rest = chunk.subarray(start);
      if (this.partsLength + rest.length > this.limits.maxObjectBytes) return this.tooLarge(objects);
      // Copy only when the object's tail is a small slice of a big chunk (keeps memory honest).
      this.parts.push(rest.length * 4 < chunk.length ? Buffer.from(rest) : rest);
      this.partsLength += rest.length;
    }
    return { objects };
  }

  /** Drops whatever is buffered; the splitter accepts nothing more (the connection is closing). */
  discard(): void {
    this.broken ??= new JsonFramingError('syntax', 'stream discarded');
    this.parts = [];
    this.partsLength = 0;
    this.depth = 0;
  }

  private tooLarge(objects: Buffer[]): SplitResult {
    return this.fail(
      objects,
      'too-large',
      `request exceeds the maximum size of ${this.limits.maxObjectBytes} bytes`,
    );
  }

  private fail(objects: Buffer[], problem: FramingProblem, message: string): SplitResult {
    this.broken = new JsonFramingError(problem, message);
    this.parts = [];
    this.partsLength = 0;
    return { objects, error: this.broken };
  }
}
