import { constants } from 'node:os';

/** Highest signal number Linux delivers (SIGRTMAX); real-time signals have no names in node. */
const MAX_SIGNAL = 64;

/**
 * A container's `stopSignal` as a signal number, or undefined when it is not one: a name with or
 * without the `SIG` prefix in any case (`SIGTERM`, `quit`, `SIGRTMIN+3` is not accepted), or a
 * number 1–64 — what `docker stop` and the OCI image config's StopSignal accept.
 */
export function parseStopSignal(text: string): number | undefined {
  const s = text.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return n >= 1 && n <= MAX_SIGNAL ? n : undefined;
  }
  const name = s.toUpperCase().replace(/^SIG/, '');
  const n = (constants.signals as Record<string, number | undefined>)[`SIG${name}`];
  return n !== undefined && name !== '' ? n : undefined;
}

/** Default grace period between the stop signal and SIGKILL, as `docker stop` has it. */
export const DEFAULT_STOP_GRACE_MS = 10_000;

/** Longest grace period accepted (a manifest's or a flag's): one day. */
export const MAX_STOP_GRACE_MS = 86_400_000;
