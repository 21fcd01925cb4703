import { openSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { hasCode } from '../../errors.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext, Output } from '../context.js';
import { parseGoDuration } from '../../model/go-duration.js';
import { offsetSince, timesPath } from '../../store/log-time-index.js';
import { printFile, tailOffset, type ByteSink } from '../../store/log-follower.js';
import { field, str, type PlainDoc } from '../output/doc-fields.js';
import { scopeFlag, validName } from './names.js';

export interface LogOptions {
  cell: string;
  container?: string;
  realm: string;
  space: string;
  stack: string;
  follow: boolean;
  /** `--tail`: the last n lines (a number, or the flag's text). */
  tail?: number | string;
  /** `--since`: a duration (`10m`) or an RFC 3339 time. */
  since?: string;
  /** Fallback poll period of `-f` (default 200 ms; inotify wakes it sooner); tests change it. */
  pollMs?: number;
  /** Where the file's bytes go (default: ctx.out). */
  write?: ByteSink;
  /** Ends `-f` (SIGINT/SIGTERM in the binary). */
  signal?: AbortSignal;
}

/** The single non-root container of a cell, or the spec's none/ambiguous errors. */
export function pickContainer(cell: PlainDoc, cellName: string): string {
  const specs = field(cell, 'spec.containers');
  const candidates = (Array.isArray(specs) ? (specs as PlainDoc[]) : [])
    .filter((c) => field(c, 'root') !== true)
    .map((c) => str(c, 'id'))
    .sort();
  if (candidates.length === 0)
    throw new CliError(cliErrorCodes.failed, `no attachable container in cell (cell ${q(cellName)})`);
  if (candidates.length > 1)
    throw new CliError(
      cliErrorCodes.failed,
      `multiple attachable containers in cell; specify --container (cell ${q(cellName)}): candidates: ${candidates.join(', ')}`,
    );
  return candidates[0];
}

/**
 * The host path of the container's output: `LogContainer`'s answer, or — in-process, while the
 * handler table has no LogContainer — the spec's fixed layout under the run path.
 */
async function logPath(
  ctx: CliContext,
  api: KukeonApi,
  t: { realm: string; space: string; stack: string; cell: string; container: string },
): Promise<string> {
  try {
    const reply = await api.call('LogContainer', {
      Doc: {
        metadata: { name: t.container },
        spec: { id: t.container, realmId: t.realm, spaceId: t.space, stackId: t.stack, cellId: t.cell },
      },
    });
    return reply.Result?.HostCapturePath || reply.Result?.HostLogPath || '';
  } catch (err) {
    const missingMethod = hasCode(err, 'METHOD_NOT_AVAILABLE') || hasCode(err, 'RPC_TRANSPORT');
    if (!missingMethod || api.mode !== 'in-process') throw err;
    return join(ctx.hostConfig().runPath, 'data', t.realm, t.space, t.stack, t.cell, t.container, 'log');
  }
}

/** `kuke log <cell>`: `LogContainer` names the file, the client reads it. */
export async function log(ctx: CliContext, o: LogOptions): Promise<void> {
  const cellName = validName('cell', o.cell);
  const realm = scopeFlag('realm', o.realm);
  const space = scopeFlag('space', o.space);
  const stack = scopeFlag('stack', o.stack);
  const tail = parseTail(o.tail);
  const sinceMs = o.since === undefined ? undefined : parseSince(o.since, ctx.now().getTime());
  const api = ctx.api('promotable');
  let container = o.container;
  if (!container) {
    const got = await api.call('GetCell', {
      Doc: { metadata: { name: cellName }, spec: { realmId: realm, spaceId: space, stackId: stack } },
    });
    if (got.Result?.MetadataExists !== true)
      throw new CliError(
        cliErrorCodes.notFound,
        `cell ${q(cellName)} not found in realm ${q(realm)}, space ${q(space)}, stack ${q(stack)}`,
      );
    container = pickContainer(got.Result.Cell as PlainDoc, cellName);
  }
  const path = await logPath(ctx, api, { realm, space, stack, cell: cellName, container });
  const sink = o.write ?? byteSink(ctx.out);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const missing = `cell ${q(cellName)} container ${q(container)} has no log file at ${path}`;
    if (!o.follow)
      throw new CliError(
        cliErrorCodes.failed,
        `${missing} (the runtime shim has not opened it yet — try again after the container produces output)`,
      );
    // Following: the file appears when the container starts; everything in it is new.
    ctx.err.write(`${missing} yet; waiting for it\n`);
  }
  await printFile({
    path,
    fd,
    sink,
    follow: o.follow,
    signal: () => o.signal ?? signalFromProcess(),
    pollMs: o.pollMs,
    start: (at, end) => {
      let start = 0;
      if (sinceMs !== undefined) start = sinceStart(ctx, path, sinceMs);
      if (tail !== undefined) start = Math.max(start, tailOffset(at, end, tail));
      return start;
    },
  });
}

/** `--since`'s start offset from the file's time index; without an index, the whole file. */
function sinceStart(ctx: CliContext, path: string, sinceMs: number): number {
  const s = offsetSince(path, sinceMs);
  if (!s.indexed)
    ctx.err.write(`no time index for ${path} (${timesPath(path)}); --since prints the whole log\n`);
  return s.offset;
}

/** `--tail`: a non-negative whole number of lines. */
export function parseTail(tail: number | string | undefined): number | undefined {
  if (tail === undefined) return undefined;
  const n = typeof tail === 'number' ? tail : /^\d+$/.test(tail.trim()) ? Number(tail) : NaN;
  if (!Number.isInteger(n) || n < 0)
    throw new CliError(
      cliErrorCodes.usage,
      `invalid --tail ${q(String(tail))}: want a number of lines (0 or more)`,
    );
  return n;
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** `--since`: a duration before `nowMs` (`10m`, `1h30m`, Go syntax) or an RFC 3339 time; epoch ms. */
export function parseSince(text: string, nowMs: number): number {
  const d = parseGoDuration(text);
  if (d !== undefined && d >= 0) return nowMs - d;
  if (rfc3339.test(text.trim())) {
    const t = Date.parse(text.trim().replace(' ', 'T'));
    if (!Number.isNaN(t)) return t;
  }
  throw new CliError(
    cliErrorCodes.usage,
    `invalid --since ${q(text)}: want a duration (10m, 1h30m) or an RFC 3339 time (2026-11-28T10:00:00Z)`,
  );
}

/**
 * Raw bytes to the output when it can take them (`writeBytes`); otherwise through a streaming
 * UTF-8 decoder, which keeps a character split across chunks whole.
 */
export function byteSink(out: Output): ByteSink {
  if (out.writeBytes) return (b) => out.writeBytes!(b);
  const decoder = new StringDecoder('utf8');
  return (b) => {
    const text = decoder.write(b);
    if (text !== '') out.write(text);
  };
}

/** Aborts on SIGINT/SIGTERM, which then end `-f` with exit 0 instead of killing the process. */
export function signalFromProcess(): AbortSignal {
  const ac = new AbortController();
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    ac.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return ac.signal;
}
