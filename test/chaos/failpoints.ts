import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The runner's crash points, read from its source (`failpoint('name')` calls), so a point added
 * to the runner is injected by the next chaos run without touching the harness. Realm points are
 * left out: the worker never creates or deletes its realm (the harness owns it).
 */
export function discoverFailpoints(runnerSrcDir: string): string[] {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts'))
        for (const m of readFileSync(p, 'utf8').matchAll(/\bfailpoint\('([^']+)'\)/g)) names.add(m[1]);
    }
  };
  walk(runnerSrcDir);
  return [...names].filter((n) => !n.startsWith('realm.')).sort();
}
