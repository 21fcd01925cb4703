import type protobuf from 'protobufjs';

/**
 * A `bytes` field given as the pieces it arrived in (a registry's response chunks): the request
 * serializer copies each piece once, straight into the encoded message, instead of a concat into
 * one chunk and protobufjs copying that again (docs/bench.md, Pull: copies were most of a pull's
 * CPU).
 */
export class BytesPieces {
  /**
   * A buffer the encoded message (and its gRPC frame header) may be written into instead of a new
   * one, when it is large enough; its owner must not reuse it before the request was answered
   * (containerd has then read all of it).
   */
  into?: Buffer;

  constructor(
    readonly pieces: readonly Buffer[],
    readonly length: number = pieces.reduce((n, p) => n + p.length, 0),
  ) {}
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    len++;
  }
  return len;
}

function writeVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n % 0x80) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[at++] = n;
  return at;
}

/** A protobufjs result as a Buffer over the same memory (Buffer.from would copy it). */
const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * Encodes `value` as `type`, after `headroom` bytes left for the caller (a gRPC frame header); a
 * field holding BytesPieces is appended after the others (protobuf readers accept fields in any
 * order), one copy per piece.
 */
export function serializeMessage(type: protobuf.Type, value: object, headroom = 0): Buffer {
  const entries = Object.entries(value as Record<string, unknown>);
  const pieced = entries.find((e): e is [string, BytesPieces] => e[1] instanceof BytesPieces);
  if (!pieced) {
    const encoded = type.encode(type.fromObject(value)).finish();
    if (headroom === 0) return asBuffer(encoded);
    const framed = Buffer.allocUnsafe(headroom + encoded.length);
    framed.set(encoded, headroom);
    return framed;
  }
  const [name, bytes] = pieced;
  const field = type.fields[name];
  if (!field) throw new Error(`${type.name} has no field ${name}`);
  const head = type
    .encode(type.fromObject(Object.fromEntries(entries.filter((e) => e[0] !== name))))
    .finish();
  const tag = field.id * 8 + 2;
  const size = headroom + head.length + varintLength(tag) + varintLength(bytes.length) + bytes.length;
  const out =
    bytes.into && bytes.into.length >= size ? bytes.into.subarray(0, size) : Buffer.allocUnsafe(size);
  out.set(head, headroom);
  let at = writeVarint(out, headroom + head.length, tag);
  at = writeVarint(out, at, bytes.length);
  for (const p of bytes.pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
