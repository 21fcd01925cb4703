import type { Output } from '../context.js';

const levels: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

function value(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
}

/**
 * One pino JSON record as the original's text handler prints it:
 * `time=<RFC3339> level=<LEVEL> msg="<message>" key=value …`.
 */
export function textLogLine(json: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const { time, level, msg, pid: _pid, hostname: _hostname, name: _name, ...rest } = rec;
  const parts = [
    `time=${new Date(typeof time === 'number' ? time : Date.now()).toISOString()}`,
    `level=${levels[Number(level)] ?? String(level)}`,
    `msg=${JSON.stringify(String(msg ?? ''))}`,
  ];
  for (const [k, v] of Object.entries(rest)) parts.push(`${k}=${value(v)}`);
  return parts.join(' ') + '\n';
}

/** A pino destination writing text lines to `out`. */
export function textLogDestination(out: Output): { write(chunk: string): void } {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line.trim() !== '') out.write(textLogLine(line));
    },
  };
}
