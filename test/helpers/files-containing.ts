import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every regular file under `dir` whose bytes contain `needle`, sorted: where a secret's value
 * landed on the host (docs/secrets.md).
 */
export function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile() && readFileSync(p).includes(needle)) out.push(p);
    }
  };
  visit(dir);
  return out.sort();
}
