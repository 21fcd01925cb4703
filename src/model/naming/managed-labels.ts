/** Labels imperative creation adds to kukeon metadata documents. */
export const ManagedLabel = {
  Realm: 'realm.kukeon.io',
  Space: 'space.kukeon.io',
  Stack: 'stack.kukeon.io',
  Cell: 'cell.kukeon.io',
} as const;

/** Any key ending in `.kukeon.io` is managed: ignored by label diffing, preserved on update. */
export function isManagedLabelKey(key: string): boolean {
  return key.endsWith('.kukeon.io');
}

/** Realm: note the value is the realm's *namespace* (e.g. `default.kukeon.io`), not its name. */
export function realmManagedLabels(namespace: string): Record<string, string> {
  return { [ManagedLabel.Realm]: namespace };
}

export function spaceManagedLabels(realm: string, space: string): Record<string, string> {
  return { [ManagedLabel.Realm]: realm, [ManagedLabel.Space]: space };
}

export function stackManagedLabels(realm: string, space: string, stack: string): Record<string, string> {
  return { ...spaceManagedLabels(realm, space), [ManagedLabel.Stack]: stack };
}

export function cellManagedLabels(
  realm: string,
  space: string,
  stack: string,
  cell: string,
): Record<string, string> {
  return { ...stackManagedLabels(realm, space, stack), [ManagedLabel.Cell]: cell };
}

/** Adds each managed label whose key is not already present; user values are never overwritten. */
export function withManagedLabels(
  labels: Readonly<Record<string, string>> | undefined,
  managed: Readonly<Record<string, string>>,
): Record<string, string> {
  const result: Record<string, string> = { ...labels };
  for (const [key, value] of Object.entries(managed)) {
    if (!Object.hasOwn(result, key)) result[key] = value;
  }
  return result;
}
