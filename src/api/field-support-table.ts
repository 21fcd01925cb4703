/**
 * The README's per-field status table, generated from src/api/field-support.ts so the two never
 * disagree: `node scripts/field-support-table.mjs` (after `npm run build`) rewrites it, and
 * field-support.test.ts fails when the README is stale.
 */
import { fieldSupport, parentKey, type FieldSupport } from './field-support.js';

export const TABLE_START = '<!-- field-support:start (generated: node scripts/field-support-table.mjs) -->';
export const TABLE_END = '<!-- field-support:end -->';

const statusText = (s: FieldSupport): string =>
  s.status === 'applied'
    ? s.except
      ? `applied (refused: ${s.except.hint})`
      : 'applied'
    : s.status === 'refused'
      ? `**refused**${s.hint ? `: ${s.hint}` : ''}`
      : `set by kukeon: ${s.why}`;

const proofText = (s: FieldSupport): string =>
  s.status === 'applied' ? [...new Set(s.proofs.map((p) => `\`${p.file}\``))].join(', ') : '';

/** One row per run of entries with the same parent and the same status and proofs. */
export function fieldSupportMarkdown(): string {
  const rows: { parent: string; fields: string[]; status: string; proof: string }[] = [];
  for (const [key, s] of Object.entries(fieldSupport)) {
    const parent = parentKey(key);
    const field = parent ? key.slice(parent.length).replace(/^\./, '') || key : key;
    const status = statusText(s);
    const proof = proofText(s);
    const last = rows.at(-1);
    if (last && last.parent === parent && last.status === status && last.proof === proof)
      last.fields.push(field);
    else rows.push({ parent, fields: [field], status, proof });
  }
  const lines = [
    '| fields | this build | proved by |',
    '|---|---|---|',
    ...rows.map((r) => {
      const names = r.fields.map((f) => `\`${f}\``).join(', ');
      return `| ${r.parent ? `\`${r.parent}\`: ${names}` : names} | ${r.status} | ${r.proof} |`;
    }),
  ];
  return lines.join('\n');
}

/** `readme` with the text between the markers replaced by the generated table. */
export function withFieldSupportTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error('README.md has no field-support table markers');
  return `${readme.slice(0, start + TABLE_START.length)}\n${fieldSupportMarkdown()}\n${readme.slice(end)}`;
}
