import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasCode } from '../../errors.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { field, str, type PlainDoc } from '../output/doc-fields.js';
import { scopeFlag, validName } from './names.js';

export interface LogOptions {
  cell: string;
  container?: string;
  realm: string;
  space: string;
  stack: string;
  follow: boolean;
  tail?: number;
  /** Poll period of `-f` (200 ms in the original); tests shorten it. */
  pollMs?: number;
  /** Ends `-f` (SIGINT/SIGTERM in the binary). */
  signal?: AbortSignal;
}

/** The last `n` lines of `text` (a trailing newline does not count as an empty line). */
export function tailLines(text: string, n: number): string {
  if (n <= 0) return '';
  const lines = text.split('\n');
  const trailing = text.endsWith('\n');
  if (trailing) lines.pop();
  const kept = lines.slice(-n).join('\n');
  return kept + (trailing && kept !== '' ? '\n' : '');
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

function readFrom(path: string, offset: number): { text: Buffer; size: number } {
  const size = statSync(path).size;
  if (size <= offset) return { text: Buffer.alloc(0), size };
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    const n = readSync(fd, buf, 0, buf.length, offset);
    return { text: buf.subarray(0, n), size: offset + n };
  } finally {
    closeSync(fd);
  }
}

/**
 * The host path of the container's output: `LogContainer`'s answer, or — in-process, while the
 * handler table has no LogContainer — the spec's fixed layout under the run path (§2.13).
 */
async function logPath(
  ctx: CliContext,
  api: KukeonApi,
  t: { realm: string; space: string; stack: string; cell: string; container: string },
): Promise<string> {
  try {
    const reply = await api.call<{ Result?: { HostCapturePath?: string; HostLogPath?: string } }>(
      'LogContainer',
      {
        Doc: {
          metadata: { name: t.container },
          spec: { id: t.container, realmId: t.realm, spaceId: t.space, stackId: t.stack, cellId: t.cell },
        },
      },
    );
    return reply.Result?.HostCapturePath || reply.Result?.HostLogPath || '';
  } catch (err) {
    const missingMethod = hasCode(err, 'METHOD_NOT_AVAILABLE') || hasCode(err, 'RPC_TRANSPORT');
    if (!missingMethod || api.mode !== 'in-process') throw err;
    return join(ctx.hostConfig().runPath, 'data', t.realm, t.space, t.stack, t.cell, t.container, 'log');
  }
}

/** `kuke log <cell>` (spec 03 §4.11): `LogContainer` names the file, the client reads it. */
export async function log(ctx: CliContext, o: LogOptions): Promise<void> {
  const cellName = validName('cell', o.cell);
  const realm = scopeFlag('realm', o.realm);
  const space = scopeFlag('space', o.space);
  const stack = scopeFlag('stack', o.stack);
  const api = ctx.api('promotable');
  let container = o.container;
  if (!container) {
    const got = await api.call<{ Result?: Record<string, unknown> }>('GetCell', {
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
  let offset: number;
  try {
    const first = readFrom(path, 0);
    const text = first.text.toString('utf8');
    ctx.out.write(o.tail === undefined ? text : tailLines(text, o.tail));
    offset = first.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new CliError(
      cliErrorCodes.failed,
      `cell ${q(cellName)} container ${q(container)} has no log file at ${path} (the runtime shim has not opened it yet — try again after the container produces output)`,
    );
  }
  if (!o.follow) return;
  const signal = o.signal ?? signalFromProcess();
  const pollMs = o.pollMs ?? 200;
  while (!signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    try {
      const next = readFrom(path, offset);
      // A truncated file (rotation) starts over from its beginning.
      if (next.size < offset) offset = 0;
      if (next.text.length > 0) ctx.out.write(next.text.toString('utf8'));
      offset = Math.max(offset, next.size);
    } catch {
      // The file can vanish briefly while a container is recreated; keep polling.
    }
  }
}

function signalFromProcess(): AbortSignal {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return ac.signal;
}
