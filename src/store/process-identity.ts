import { readFileSync } from 'node:fs';

/**
 * A process as the kernel knows it: its pid and its start time (clock ticks after boot, field 22
 * of /proc/<pid>/stat), so that a pid the kernel reused for another process is not mistaken for
 * the one that wrote an intent.
 */
export interface ProcessIdentity {
  pid: number;
  start: string;
}

let own: ProcessIdentity | undefined;

/** This process (read once). */
export function ownProcess(): ProcessIdentity {
  own ??= { pid: process.pid, start: statOf(process.pid)?.start ?? '' };
  return own;
}

/**
 * Whether that very process still runs: its pid exists, with the same start time, and it is not
 * a zombie (a SIGKILLed process its parent has not reaped yet is dead for this purpose).
 */
export function isRunning(p: ProcessIdentity): boolean {
  const s = statOf(p.pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X' && s.start === p.start;
}

function statOf(pid: number): { state: string; start: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19].
  return { state: rest[0], start: rest[19] ?? '' };
}
