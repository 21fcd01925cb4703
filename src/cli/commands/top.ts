import { setTimeout as sleep } from 'node:timers/promises';
import { isatty } from 'node:tty';
import type { CellUsageRow } from '../../model/cell-usage.js';
import { parseGoDuration } from '../../model/go-duration.js';
import type { TopCellsReply } from '../../protocol/method-types.js';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { formatBytes } from '../output/byte-size.js';
import { parseDocOutput } from '../output/output-format.js';
import { renderTable } from '../output/table.js';
import { validName } from './names.js';

export interface TopOptions {
  /** `cells` (default) or `containers`. */
  what?: string;
  realm?: string;
  space?: string;
  stack?: string;
  output?: string;
  watch: boolean;
  /** Sampling interval (Go duration); default 2s. */
  interval?: string;
  /** `--no-daemon`: read the figures in this process. */
  noDaemon?: boolean;
  /** Redraws before a `--watch` ends (tests); unlimited when absent. */
  iterations?: number;
}

/** One row of `kuke top`, also its JSON/YAML form. */
export interface TopRow {
  realm: string;
  space: string;
  stack: string;
  cell: string;
  container?: string;
  state: string;
  /** Percent of one CPU over the sampling interval (200 = two CPUs busy); absent without a figure. */
  cpuPercent?: number;
  memoryBytes?: number;
  memoryLimitBytes?: number;
  pids?: number;
  netRxBytes?: number;
  netTxBytes?: number;
  restarts: number;
}

/**
 * `kuke top [cells|containers]` (docs/top.md): two samples of the cells' cgroup and network
 * figures `--interval` apart, CPU % from the CPU time between them, sorted by CPU; `--watch`
 * samples on and redraws in place on a terminal (one table after another otherwise).
 */
export async function top(ctx: CliContext, o: TopOptions): Promise<void> {
  const what = (o.what ?? 'cells').toLowerCase();
  if (!['cells', 'cell', 'containers', 'container'].includes(what))
    throw new CliError(
      cliErrorCodes.usage,
      `unknown resource ${q(o.what ?? '')} for "kuke top": want cells or containers`,
    );
  const containers = what.startsWith('container');
  const output = parseDocOutput(o.output);
  const intervalMs = parseGoDuration(o.interval ?? '2s');
  if (intervalMs === undefined || intervalMs <= 0)
    throw new CliError(
      cliErrorCodes.usage,
      `invalid --interval ${q(o.interval ?? '')}: want a duration such as 2s`,
    );
  const opt = (kind: 'realm' | 'space' | 'stack', v: string | undefined) =>
    v === undefined || v.trim() === '' ? undefined : validName(kind, v.trim());
  const args = {
    RealmName: opt('realm', o.realm),
    SpaceName: opt('space', o.space),
    StackName: opt('stack', o.stack),
  };
  const api = ctx.api('promotable', o.noDaemon);
  const sample = () => api.call('TopCells', args);
  let before = await sample();
  // The binary's stdout (fdOutput) on a terminal; never a test's buffer.
  const tty = 'isTTY' in ctx.out && isatty(1);
  for (let n = 1; ; n++) {
    await sleep(intervalMs);
    const after = await sample();
    const rows = topRows(before, after, containers);
    if (output === 'json') ctx.out.write(`${JSON.stringify(rows, null, 2)}\n`);
    else if (output === 'yaml') ctx.out.write((await import('yaml')).stringify(rows));
    else {
      if (o.watch && tty) ctx.out.write('\x1b[H\x1b[2J'); // home + clear: redraw in place
      ctx.out.write(rows.length === 0 ? 'No cells found.\n' : renderTop(rows, containers));
    }
    if (!o.watch || (o.iterations !== undefined && n >= o.iterations)) return;
    before = after;
  }
}

/** Rows from two samples, sorted by CPU (highest first), then by name. */
export function topRows(before: TopCellsReply, after: TopCellsReply, containers: boolean): TopRow[] {
  const seconds = Math.max(1, after.SampledAt - before.SampledAt) / 1000;
  const key = (c: CellUsageRow) => `${c.realm}/${c.space}/${c.stack}/${c.name}`;
  const prior = new Map(before.Cells.map((c) => [key(c), c]));
  const pct = (now: number | undefined, then: number | undefined) =>
    now === undefined || then === undefined ? undefined : Math.max(0, (now - then) / 1e9 / seconds) * 100;
  const rows: TopRow[] = [];
  for (const c of after.Cells) {
    const was = prior.get(key(c));
    const base = { realm: c.realm, space: c.space, stack: c.stack, cell: c.name };
    if (!containers) {
      const u = c.usage;
      rows.push({
        ...base,
        state: c.state,
        cpuPercent: pct(u.cpuUsageNs, was?.usage.cpuUsageNs),
        memoryBytes: u.memoryBytes,
        memoryLimitBytes: u.memoryLimitBytes,
        pids: u.pids,
        netRxBytes: u.netRxBytes,
        netTxBytes: u.netTxBytes,
        restarts: u.restarts,
      });
      continue;
    }
    for (const k of c.usage.containers) {
      const then = was?.usage.containers.find((x) => x.id === k.id);
      rows.push({
        ...base,
        container: k.id,
        state: k.state,
        cpuPercent: pct(k.cpuUsageNs, then?.cpuUsageNs),
        memoryBytes: k.memoryBytes,
        memoryLimitBytes: k.memoryLimitBytes,
        pids: k.pids,
        restarts: k.restarts,
      });
    }
  }
  const name = (r: TopRow) => `${r.realm}/${r.space}/${r.stack}/${r.cell}/${r.container ?? ''}`;
  return rows.sort((a, b) => (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1) || name(a).localeCompare(name(b)));
}

export function renderTop(rows: TopRow[], containers: boolean): string {
  const dash = (v: number | undefined, f: (n: number) => string) => (v === undefined ? '-' : f(v));
  const bytes = (v: number | undefined) => dash(v, formatBytes);
  const memory = (r: TopRow) =>
    `${bytes(r.memoryBytes)} / ${r.memoryLimitBytes === undefined ? 'unlimited' : bytes(r.memoryLimitBytes)}`;
  const cpu = (r: TopRow) => dash(r.cpuPercent, (n) => `${n.toFixed(1)}%`);
  const where = (r: TopRow) => `${r.realm}/${r.space}/${r.stack}`;
  if (containers)
    return renderTable(
      ['CELL', 'CONTAINER', 'STACK', 'STATE', 'CPU', 'MEMORY', 'PIDS', 'RESTARTS'],
      rows.map((r) => [
        r.cell,
        r.container ?? '',
        where(r),
        r.state,
        cpu(r),
        memory(r),
        dash(r.pids, String),
        String(r.restarts),
      ]),
    );
  return renderTable(
    ['CELL', 'STACK', 'STATE', 'CPU', 'MEMORY', 'PIDS', 'NET RX', 'NET TX', 'RESTARTS'],
    rows.map((r) => [
      r.cell,
      where(r),
      r.state,
      cpu(r),
      memory(r),
      dash(r.pids, String),
      bytes(r.netRxBytes),
      bytes(r.netTxBytes),
      String(r.restarts),
    ]),
  );
}
