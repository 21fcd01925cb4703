/**
 * The attach stream of the daemon socket. A connection whose first bytes are ATTACH_MAGIC is an
 * attach session, not kukeonv1 JSON: the client sends the magic line and one JSON line (an
 * AttachRequest); the daemon answers one JSON line (`{"ok":true}` or `{"error":<Err envelope>}`),
 * then both sides exchange frames: 1 type byte, a 4-byte big-endian length, the payload.
 */
export const ATTACH_MAGIC = 'KUKEON-ATTACH/1\n';

export interface AttachRequest {
  realm: string;
  space: string;
  stack: string;
  cell: string;
  container: string;
  /** Window size at start (0 = leave the pty as it is). */
  cols: number;
  rows: number;
}

export const FrameType = {
  /** client → daemon: bytes for the terminal's input. */
  Input: 0x49,
  /** client → daemon: uint16 columns, uint16 rows. */
  Resize: 0x52,
  /** daemon → client: bytes the terminal printed (the scrollback first, on attach). */
  Output: 0x4f,
  /** daemon → client: the workload ended; int32 exit status (-1 when unknown). */
  Exit: 0x58,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const HEADER_BYTES = 5;
/** Larger frames are a broken peer, not a big paste (clients send at most 64 KiB at a time). */
export const MAX_FRAME_BYTES = 1 << 20;

export function encodeFrame(type: FrameType, payload: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  out[0] = type;
  out.writeUInt32BE(payload.length, 1);
  payload.copy(out, HEADER_BYTES);
  return out;
}

export function resizePayload(cols: number, rows: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(Math.max(0, Math.min(0xffff, cols)), 0);
  b.writeUInt16BE(Math.max(0, Math.min(0xffff, rows)), 2);
  return b;
}

export function parseResize(payload: Buffer): { cols: number; rows: number } | undefined {
  if (payload.length !== 4) return undefined;
  return { cols: payload.readUInt16BE(0), rows: payload.readUInt16BE(2) };
}

export function exitPayload(status: number | undefined): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(status ?? -1, 0);
  return b;
}

export interface Frame {
  type: number;
  payload: Buffer;
}

/** Reassembles frames from stream chunks; throws on a frame larger than MAX_FRAME_BYTES. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      const length = this.pending.readUInt32BE(1);
      if (length > MAX_FRAME_BYTES)
        throw new Error(`attach frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
      if (this.pending.length < HEADER_BYTES + length) break;
      frames.push({
        type: this.pending[0],
        payload: Buffer.from(this.pending.subarray(HEADER_BYTES, HEADER_BYTES + length)),
      });
      this.pending = this.pending.subarray(HEADER_BYTES + length);
    }
    return frames;
  }
}

/** Splits the handshake's first line off a stream; returns undefined until a newline arrives. */
export class LineReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): { line: string; rest: Buffer } | undefined {
    this.pending = Buffer.concat([this.pending, chunk]);
    const nl = this.pending.indexOf(0x0a);
    if (nl < 0) {
      if (this.pending.length > this.maxBytes)
        throw new Error(`attach handshake line exceeds ${this.maxBytes} bytes`);
      return undefined;
    }
    return { line: this.pending.subarray(0, nl).toString('utf8'), rest: this.pending.subarray(nl + 1) };
  }
}
