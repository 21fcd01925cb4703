/** Semantic equality for diffs: nil ≡ empty, absent objects ≡ their all-empty form. */

/** Drop empty values recursively ('' , false, 0, [], {}, null, undefined). Lists keep their order. */
export function prune(v: unknown): unknown {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return undefined;
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    return v.map((x) => prune(x) ?? null);
  }
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const p = prune((v as Record<string, unknown>)[k]);
      if (p !== undefined) out[k] = p;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(prune(a)) === JSON.stringify(prune(b));
}
