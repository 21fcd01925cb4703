/**
 * The last bytes a terminal printed, replayed to a client when it attaches. Bounded: it keeps
 * at most `limit` bytes, and when it must drop the front it drops up to the next newline when
 * one is near, so a replay rarely starts in the middle of a line or an escape sequence.
 */
export class Scrollback {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(readonly limit: number) {}

  get bytes(): number {
    return this.size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (chunk.length >= this.limit) {
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.limit))];
      this.size = this.limit;
      this.trimToLine();
      return;
    }
    this.chunks.push(Buffer.from(chunk));
    this.size += chunk.length;
    if (this.size > this.limit) {
      let excess = this.size - this.limit;
      while (excess > 0) {
        const first = this.chunks[0];
        if (first.length <= excess) {
          this.chunks.shift();
          this.size -= first.length;
          excess -= first.length;
        } else {
          this.chunks[0] = first.subarray(excess);
          this.size -= excess;
          excess = 0;
        }
      }
      this.trimToLine();
    }
  }

  /** One buffer with everything kept, oldest first. */
  snapshot(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.size)];
    return Buffer.from(this.chunks[0] ?? Buffer.alloc(0));
  }

  /** Drops a partial first line when a newline is within the first eighth of the buffer. */
  private trimToLine(): void {
    const head = this.snapshot();
    const nl = head.indexOf(0x0a);
    if (nl >= 0 && nl < this.limit / 8) {
      this.chunks = [head.subarray(nl + 1)];
      this.size = head.length - nl - 1;
    }
  }
}
