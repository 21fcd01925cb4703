/**
 * What a translation (Compose → v1beta1, v1beta1 → Kubernetes) could not carry over, and why.
 * Translations never drop anything silently: every such key becomes one note, printed on stderr.
 */
export interface ConversionNote {
  /** Where the key was, in the source's own terms (`services.web.healthcheck`, `cell "a" container "b" restartMaxRetries`). */
  where: string;
  reason: string;
}

/** One line per note, as printed on stderr. */
export function formatNotes(notes: readonly ConversionNote[]): string {
  return notes.map((n) => `warning: ${n.where}: ${n.reason}\n`).join('');
}
