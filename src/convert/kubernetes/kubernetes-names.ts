/**
 * Kubernetes name rules (DNS-1123) for kukeon names. A kukeon name may hold upper case letters
 * and dots, which a Kubernetes label-shaped name (namespace, container, volume) may not: such a
 * name is lower-cased and its dots become dashes, and the caller notes the change.
 */
import type { ConversionNote } from '../conversion-note.js';

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS-1123 label (≤ 63 characters) for `name`, noting any change. */
export function labelName(name: string, where: string, notes: ConversionNote[]): string {
  if (label.test(name) && name.length <= 63) return name;
  let out = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '');
  if (out.length > 63) out = out.slice(0, 63).replace(/-+$/, '');
  if (out === '') out = 'x';
  notes.push({ where, reason: `name "${name}" is not a Kubernetes DNS-1123 label; exported as "${out}"` });
  return out;
}

/** A DNS-1123 subdomain (≤ 253 characters, dots allowed) for `name`, noting any change. */
export function subdomainName(name: string, where: string, notes: ConversionNote[]): string {
  if (subdomain.test(name) && name.length <= 253) return name;
  const out = name.toLowerCase();
  if (subdomain.test(out)) {
    notes.push({ where, reason: `name "${name}" has upper case letters; exported as "${out}"` });
    return out;
  }
  return labelName(name, where, notes);
}
