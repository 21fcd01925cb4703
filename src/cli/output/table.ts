/**
 * `get` tables: header, a `-` separator as wide as each column, then the rows.
 * Columns are left-aligned, padded to the widest cell (header included) and joined by exactly
 * two spaces; the last column is padded too, so rows may end in spaces (the original does so).
 */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => widths.map((w, i) => (cells[i] ?? '').padEnd(w)).join('  ');
  const out = [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  return out.join('\n') + '\n';
}
