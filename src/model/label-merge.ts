/** Label rules of apply: managed `*.kukeon.io` keys survive updates and are not compared. */
import { isManagedLabelKey } from './naming/managed-labels.js';

/** Labels without managed keys: what a manifest controls and what diffs compare. */
export function userLabels(labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (!isManagedLabelKey(k)) out[k] = v;
  return out;
}

/** New labels on update: every manifest label, plus existing managed labels the manifest does not mention. */
export function mergeLabels(
  desired: Readonly<Record<string, string>> | undefined,
  existing: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = { ...desired };
  for (const [k, v] of Object.entries(existing ?? {})) {
    if (isManagedLabelKey(k) && !Object.hasOwn(out, k)) out[k] = v;
  }
  return out;
}
