/** Ctrl-] (0x1d): twice in a row detaches. */
export const DETACH_BYTE = 0x1d;

/**
 * Finds the detach sequence in the keyboard stream. A single Ctrl-] is held back until the next
 * byte shows whether it starts the sequence; if it does not, it is forwarded with that byte, so
 * programs that use Ctrl-] (telnet, some editors) still get it.
 */
export class DetachDetector {
  private held = false;

  push(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (this.held) {
        this.held = false;
        if (b === DETACH_BYTE) return { forward: Buffer.from(out), detach: true };
        out.push(DETACH_BYTE, b);
      } else if (b === DETACH_BYTE) this.held = true;
      else out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
