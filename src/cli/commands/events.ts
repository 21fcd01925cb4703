import type { KukeonEvent } from '../../model/kukeon-event.js';
import { CliError, cliErrorCodes } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { parseDocOutput } from '../output/output-format.js';
import { renderTable } from '../output/table.js';
import { parseSince } from './log.js';
import { validName } from './names.js';

export interface EventsOptions {
  realm?: string;
  space?: string;
  stack?: string;
  cell?: string;
  since?: string;
  output?: string;
  watch: boolean;
}

/** How long one follower call waits in the daemon for the next event. */
const WATCH_WAIT_MS = 25_000;
const HEADERS = ['TIME', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];

/**
 * `kuke events` (docs/events.md): what kukeond recorded — state transitions with their reason,
 * OOM kills, restarts, apply/delete results, repairs — oldest first, from its bounded ring;
 * `--watch` then prints each later event as it happens (a long poll, not a polling loop).
 */
export async function events(ctx: CliContext, o: EventsOptions): Promise<void> {
  const output = parseDocOutput(o.output);
  const api = ctx.api('daemon-only');
  if (api.mode !== 'daemon')
    throw new CliError(
      cliErrorCodes.usage,
      'kuke events needs kukeond: events are kept in the daemon (in-process mode has none)',
    );
  const opt = (kind: 'realm' | 'space' | 'stack' | 'cell', v: string | undefined) =>
    v === undefined || v.trim() === '' ? undefined : validName(kind, v.trim());
  const args = {
    Realm: opt('realm', o.realm),
    Space: opt('space', o.space),
    Stack: opt('stack', o.stack),
    Cell: opt('cell', o.cell),
    Since:
      o.since === undefined ? undefined : new Date(parseSince(o.since, ctx.now().getTime())).toISOString(),
  };
  const first = await api.call('ListEvents', args);
  const print = await printer(ctx, output, o.watch);
  print(first.Events);
  if (!o.watch) return;
  let after = first.LastSeq;
  for (;;) {
    const next = await api.call('ListEvents', {
      ...args,
      AfterSeq: after,
      WaitMs: WATCH_WAIT_MS,
    });
    print(next.Events);
    after = next.LastSeq;
  }
}

/** Tables once; JSON as one array (or one object per line with --watch); YAML as documents. */
async function printer(
  ctx: CliContext,
  output: 'json' | 'yaml' | undefined,
  watch: boolean,
): Promise<(events: KukeonEvent[]) => void> {
  if (output === 'json')
    return watch
      ? (es) => es.forEach((e) => ctx.out.write(`${JSON.stringify(e)}\n`))
      : (es) => ctx.out.write(`${JSON.stringify(es, null, 2)}\n`);
  if (output === 'yaml') {
    const { stringify } = await import('yaml');
    return watch
      ? (es) => es.forEach((e) => ctx.out.write(`---\n${stringify(e)}`))
      : (es) => ctx.out.write(stringify(es));
  }
  if (!watch)
    return (es) =>
      ctx.out.write(es.length === 0 ? 'No events found.\n' : renderTable(HEADERS, es.map(eventRow)));
  // Followed: fixed widths, so lines printed one by one still line up.
  const widths = [24, 7, 20, 32];
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < widths.length ? c.padEnd(widths[i]) : c))
      .join('  ')
      .trimEnd() + '\n';
  ctx.out.write(line(HEADERS));
  return (es) => es.forEach((e) => ctx.out.write(line(eventRow(e))));
}

/** One table row: time, type, reason, the object (`cell/web`, `container/web/app`...), message. */
export function eventRow(e: KukeonEvent): string[] {
  return [e.time, e.type, e.reason, eventObject(e), e.message];
}

export function eventObject(e: KukeonEvent): string {
  switch (e.kind) {
    case 'Container':
      return `container/${e.cell ?? '?'}/${e.container ?? e.name ?? '?'}`;
    case 'Cell':
      return `cell/${e.cell ?? e.name ?? '?'}`;
    case 'Stack':
      return `stack/${e.stack ?? e.name ?? '?'}`;
    case 'Space':
      return `space/${e.space ?? e.name ?? '?'}`;
    case 'Realm':
      return `realm/${e.realm ?? e.name ?? '?'}`;
    case 'Image':
      return `image/${e.name ?? '?'}`;
    default:
      return e.name ? `${e.kind.toLowerCase()}/${e.name}` : 'daemon';
  }
}
