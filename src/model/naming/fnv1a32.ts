/** FNV-1a 32-bit over the UTF-8 bytes of `input` (offset basis 0x811c9dc5, prime 0x01000193). */
export function fnv1a32(input: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(input, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The hash as 8 lowercase, zero-padded hex digits. */
export function fnv1a32Hex(input: string): string {
  return fnv1a32(input).toString(16).padStart(8, '0');
}
