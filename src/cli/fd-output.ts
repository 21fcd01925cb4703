import { writeSync } from 'node:fs';
import type { Output } from './context.js';

/**
 * Writes straight to a file descriptor. Touching `process.stdout` builds a stream (and loads
 * the net/tty/stream internals) — a large share of a short command's start-up — so the binary
 * writes its output with writeSync instead. Also keeps output ordered and complete before the
 * explicit `process.exit`.
 */
export function fdOutput(fd: number): Output & { isTTY: boolean } {
  const writeBytes = (bytes: Buffer): void => {
    let buf = bytes;
    while (buf.length > 0) {
      try {
        const n = writeSync(fd, buf);
        buf = buf.subarray(n);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue; // a non-blocking pipe that is full: retry
        if (code === 'EPIPE') return; // the reader went away (`kuke get | head`)
        throw err;
      }
    }
  };
  return {
    isTTY: false,
    write: (text: string) => writeBytes(Buffer.from(text, 'utf8')),
    // Container output is bytes (terminal escapes, any encoding): passed through unchanged.
    writeBytes,
  };
}
