/** `<label>: <n> (<names>)`, at most five names then `...`. */
export function countLine(label: string, names: string[]): string {
  if (names.length === 0) return `  ${label}: 0`;
  const shown = names.slice(0, 5).join(', ');
  return `  ${label}: ${names.length} (${shown}${names.length > 5 ? ', ...' : ''})`;
}

const categories = [
  ['Realms', 'Realms'],
  ['Spaces', 'Spaces'],
  ['Stacks', 'Stacks'],
  ['Cells', 'Cells'],
  ['Containers', 'Containers'],
] as const;

function list(r: Record<string, unknown>, key: string): string[] {
  const v = r[key];
  return Array.isArray(v) ? v.map(String) : [];
}

/** The `kuke refresh` report from a `RefreshAll` result. */
export function renderRefresh(r: Record<string, unknown>): string {
  const lines = ['Refreshed metadata status:'];
  for (const [label, key] of categories) lines.push(countLine(label, list(r, `${key}Found`)));
  lines.push('', 'Updated:');
  const updated = categories.filter(([, key]) => list(r, `${key}Updated`).length > 0);
  if (updated.length === 0) lines.push('  (none)');
  for (const [label, key] of updated) lines.push(countLine(label, list(r, `${key}Updated`)));
  lines.push('', 'Errors:');
  const errors = list(r, 'Errors');
  if (errors.length === 0) lines.push('  (none)');
  for (const e of errors) lines.push(`  ${e}`);
  return lines.join('\n') + '\n';
}
