import { MAX_STOP_GRACE_MS } from '../model/stop-signal.js';
import { parseGoDuration } from '../model/go-duration.js';
import { CliError, cliErrorCodes } from './cli-error.js';

/**
 * A duration flag in milliseconds: a Go duration (`10s`, `500ms`, `1m30s`, `1.5h`) or a bare
 * number of seconds (`3`, `0.5`). Negative or malformed values are refused; sub-millisecond
 * remainders round up, so `1ns` is not silently zero.
 */
export function parseDurationMs(text: string, flag?: string): number {
  const s = text.trim();
  const bad = () =>
    new CliError(
      cliErrorCodes.usage,
      `${flag ? `${flag}: ` : ''}invalid duration ${JSON.stringify(text)}` +
        (flag ? ': use a duration such as 10s, 500ms or 1m30s, or a number of seconds' : ''),
    );
  if (/^(\d+(?:\.\d*)?|\.\d+)$/.test(s)) return Math.ceil(Number(s) * 1000);
  const ms = parseGoDuration(s);
  if (ms === undefined || ms < 0 || !Number.isFinite(ms)) throw bad();
  return Math.ceil(ms);
}

/** `--timeout` of stop, restart and delete: the grace period in ms (undefined when not given). */
export function timeoutFlagMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const ms = parseDurationMs(text, '--timeout');
  if (ms > MAX_STOP_GRACE_MS)
    throw new CliError(cliErrorCodes.usage, `--timeout: ${JSON.stringify(text)} is longer than a day`);
  return ms;
}
