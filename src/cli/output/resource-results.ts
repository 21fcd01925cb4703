import { q } from '../cli-error.js';

/** One entry of `ApplyDocuments` / `DeleteDocuments` (lower-case keys). */
export interface DocumentResult {
  index: number;
  kind: string;
  name: string;
  action: string;
  error?: string;
  changes?: string[];
  cascaded?: string[] | number;
  details?: Record<string, unknown>;
}

/** Human apply output: one block per resource in processing order. */
export function renderApplyResults(results: DocumentResult[]): string {
  let out = '';
  for (const r of results) {
    out += `${r.kind} ${q(r.name)}: ${r.action}\n`;
    if (r.action === 'failed') out += `  Error: ${r.error ?? ''}\n`;
    for (const c of r.changes ?? []) out += `  - ${c}\n`;
  }
  return out;
}

/** Children of one kind removed by a cascade (`space:<n>` entries for a realm, …). */
function cascadedCount(r: DocumentResult, kind: string): number {
  if (typeof r.cascaded === 'number') return r.cascaded;
  return Array.isArray(r.cascaded) ? r.cascaded.filter((c) => c.startsWith(`${kind}:`)).length : 0;
}

/** Human `delete -f` output. */
export function renderDeleteResults(results: DocumentResult[]): string {
  let out = '';
  for (const r of results) {
    out += `${r.kind} ${q(r.name)}: ${r.action}\n`;
    if (r.action === 'failed') {
      out += `  Error: ${r.error ?? ''}\n`;
      continue;
    }
    if (r.action !== 'deleted') continue;
    const spaces = cascadedCount(r, 'space');
    const stacks = cascadedCount(r, 'stack');
    if (r.kind === 'Realm' && spaces > 0) out += `  - ${spaces} space(s) deleted (cascade)\n`;
    if (r.kind === 'Space' && stacks > 0) out += `  - ${stacks} stack(s) deleted (cascade)\n`;
    if (r.kind === 'Cell') {
      const d = Number(r.details?.containersDeleted ?? 0);
      out += `  - containers: ${Number.isInteger(d) ? d : 0} deleted\n`;
    }
  }
  return out;
}

export function anyFailed(results: DocumentResult[]): boolean {
  return results.some((r) => r.action === 'failed');
}
