import { q } from '../cli-error.js';

/** One entry of `ApplyDocuments` / `DeleteDocuments` (lower-case keys, spec 03 §7.3). */
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

/** Human apply output (spec 03 §4.4): one block per resource in processing order. */
export function renderApplyResults(results: DocumentResult[]): string {
  let out = '';
  for (const r of results) {
    out += `${r.kind} ${q(r.name)}: ${r.action}\n`;
    if (r.action === 'failed') out += `  Error: ${r.error ?? ''}\n`;
    for (const c of r.changes ?? []) out += `  - ${c}\n`;
  }
  return out;
}

function cascadedCount(r: DocumentResult): number {
  if (typeof r.cascaded === 'number') return r.cascaded;
  return Array.isArray(r.cascaded) ? r.cascaded.length : 0;
}

/** Human `delete -f` output (spec 03 §4.7). */
export function renderDeleteResults(results: DocumentResult[]): string {
  let out = '';
  for (const r of results) {
    out += `${r.kind} ${q(r.name)}: ${r.action}\n`;
    if (r.action === 'failed') {
      out += `  Error: ${r.error ?? ''}\n`;
      continue;
    }
    if (r.action !== 'deleted') continue;
    const n = cascadedCount(r);
    if (r.kind === 'Realm' && n > 0) out += `  - ${n} space(s) deleted (cascade)\n`;
    if (r.kind === 'Space' && n > 0) out += `  - ${n} stack(s) deleted (cascade)\n`;
    if (r.kind === 'Cell') {
      const d = r.details?.containersDeleted ?? r.details?.ContainersDeleted;
      out += `  - containers: ${typeof d === 'number' ? d : 0} deleted\n`;
    }
  }
  return out;
}

export function anyFailed(results: DocumentResult[]): boolean {
  return results.some((r) => r.action === 'failed');
}
