import type { AttachEnd, AttachStream } from '../../client/attach-client.js';
import { DetachDetector } from './detach-detector.js';

/** The local terminal: process.stdin/stdout in the binary. */
export interface LocalTerminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

/**
 * Runs an attach session on the local terminal: raw mode (keys go to the container, not to the
 * local line discipline), the window size at start and on every resize, Ctrl-] Ctrl-] to
 * detach. Without a terminal (piped input) it still streams, with no size. Restores the terminal
 * whichever way the session ends.
 */
export async function runOnTerminal(
  open: (size: TerminalSize, onOutput: (chunk: Buffer) => void) => Promise<AttachStream>,
  term: LocalTerminal = { stdin: process.stdin, stdout: process.stdout },
): Promise<AttachEnd> {
  const { stdin, stdout } = term;
  const size = (): TerminalSize =>
    stdout.isTTY ? { cols: stdout.columns ?? 0, rows: stdout.rows ?? 0 } : { cols: 0, rows: 0 };
  const stream = await open(size(), (chunk) => stdout.write(chunk));
  const raw = stdin.isTTY === true;
  const detector = new DetachDetector();
  const onInput = (chunk: Buffer): void => {
    const { forward, detach } = detector.push(chunk);
    if (forward.length) stream.write(forward);
    if (detach) stream.detach();
  };
  const onResize = (): void => {
    const s = size();
    stream.resize(s.cols, s.rows);
  };
  if (raw) stdin.setRawMode(true);
  stdin.on('data', onInput);
  stdin.resume();
  stdout.on('resize', onResize);
  try {
    return await stream.ended;
  } finally {
    stdout.off('resize', onResize);
    stdin.off('data', onInput);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  }
}
