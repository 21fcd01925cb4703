/**
 * The realms the documents of a manifest stream live in, for `kuke apply` to show only those
 * realms' pulls (docs/images.md, "Progress of pulls"): `spec.realmId` (cells, spaces, stacks),
 * `metadata.realm` (volumes, secrets, blueprints, configs) and a Realm's own name. A stream that
 * does not parse gives `undefined` (every realm): the daemon refuses it anyway, with its message.
 */
export async function manifestRealms(text: string): Promise<string[] | undefined> {
  const { parseAllDocuments } = await import('yaml');
  const realms = new Set<string>();
  try {
    for (const d of parseAllDocuments(text)) {
      if (d.errors.length > 0) return undefined;
      const doc = d.toJS() as unknown;
      if (doc === null || typeof doc !== 'object') continue;
      const { kind, metadata, spec } = doc as {
        kind?: unknown;
        metadata?: Record<string, unknown>;
        spec?: Record<string, unknown>;
      };
      const names = [spec?.realmId, metadata?.realm, kind === 'Realm' ? metadata?.name : undefined];
      for (const n of names) if (typeof n === 'string' && n.trim() !== '') realms.add(n.trim());
    }
  } catch {
    return undefined;
  }
  return [...realms];
}
