/** Compose's value syntaxes: Go durations, byte sizes, `KEY=VALUE` env files. */

const durationUnits: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** `1m30s`, `10s`, `1.5h` (Go durations, as Compose writes them) → whole seconds; undefined when malformed. */
export function durationSeconds(text: string): number | undefined {
  const t = text.trim();
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    total += Number(m[1]) * durationUnits[m[2]];
  return Math.round(total);
}

const sizeUnits: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `512m`, `1g`, `1gb`, `1024` (Compose byte values, powers of 1024) → bytes; undefined when malformed. */
export function byteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt])?b?$/i.exec(value.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * sizeUnits[(m[2] ?? 'b').toLowerCase()]);
}

/**
 * An env file as Compose reads it: `KEY=VALUE` lines, `#` comments and blank lines skipped, a
 * value in matching single or double quotes unquoted, `export ` prefixes allowed. A line with a
 * bare `KEY` takes its value from the environment of `docker compose`: returned with no value.
 */
export function parseEnvFile(text: string): { key: string; value?: string }[] {
  const out: { key: string; value?: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    if (eq < 0) {
      out.push({ key: body });
      continue;
    }
    let value = body.slice(eq + 1).trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out.push({ key: body.slice(0, eq).trim(), value });
  }
  return out;
}
