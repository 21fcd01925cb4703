/**
 * Compact JSON exactly as Go's encoding/json writes it, for hashes that must match the original
 * implementation byte for byte: JSON.stringify already agrees on key order (insertion), number
 * and control-character forms; Go additionally escapes `<`, `>`, `&` (HTML safety) and U+2028 /
 * U+2029.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
