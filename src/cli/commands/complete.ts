import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { str, type PlainDoc } from '../output/doc-fields.js';
import { cliKind } from '../kinds.js';
import { listScope } from './scope-walk.js';
import { listScoped } from './scoped-resource.js';

/** Cobra's ShellCompDirectiveNoFileComp: the shell must not fall back to file names. */
export const NO_FILE_COMP = ':4';

const outputFormats = ['yaml', 'json', 'table', 'wide'];
const cellVerbs = new Set(['start', 'stop', 'kill', 'restart', 'log']);

/** The scope flags present on the command line (`--realm x` or `--realm=x`). */
export function scopeFlagsOf(words: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < words.length; i++) {
    const m = /^--(realm|space|stack|cell)(?:=(.*))?$/.exec(words[i]);
    if (!m) continue;
    const value = m[2] ?? words[i + 1];
    if (value !== undefined) out[m[1]] = value;
  }
  return out;
}

/** The deepest command the words name, and the words that are not subcommand names. */
export function resolveCommand(program: Command, words: string[]): { cmd: Command; path: string[] } {
  let cmd = program;
  const path: string[] = [];
  for (const w of words) {
    if (w.startsWith('-')) continue;
    const next = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (!next) break;
    cmd = next;
    path.push(next.name());
  }
  return { cmd, path };
}

/** Which resource kind a positional completes to, if any. */
export function targetKind(path: string[]): string | undefined {
  const [verb, kind] = path;
  if (verb === 'get' || verb === 'delete' || verb === 'purge') return kind;
  if (cellVerbs.has(verb)) return 'cell';
  return undefined;
}

async function names(ctx: CliContext, kind: string, scope: Record<string, string>): Promise<string[]> {
  const held = cliKind(kind)?.scoped;
  if (held) {
    const docs = await listScoped(ctx.api('promotable'), held, scope);
    return [...new Set(docs.map((d) => str(d, 'metadata.name')))].sort();
  }
  const scoped = cliKind(kind)?.scope;
  if (!scoped) return [];
  // Only ListCells takes the Fields hint; the other lists are small.
  const fields = scoped.methods.list === 'ListCells' ? ['metadata.name'] : undefined;
  const docs: PlainDoc[] = await listScope(ctx.api('promotable'), scoped, scope, fields);
  return [...new Set(docs.map((d) => str(d, 'metadata.name')))].sort();
}

/**
 * `kuke __complete <words…> <partial>`: one candidate per line, then the directive line.
 * Any failure yields no candidates (never an error: the shell is waiting).
 */
export async function complete(ctx: CliContext, program: Command, args: string[]): Promise<void> {
  const words = args.slice(0, -1);
  const partial = args[args.length - 1] ?? '';
  let candidates: string[] = [];
  try {
    const prev = words[words.length - 1];
    if (prev === '-o' || prev === '--output') candidates = outputFormats;
    else if (prev !== undefined && /^--(realm|space|stack|cell)$/.test(prev)) {
      const kind = prev.slice(2);
      candidates = await names(ctx, kind, scopeFlagsOf(words.slice(0, -1)));
    } else {
      const { cmd, path } = resolveCommand(program, words);
      const visible = cmd.commands.filter((c) => c.name() !== '__complete');
      if (visible.length > 0) candidates = visible.map((c) => c.name());
      else {
        const kind = targetKind(path);
        if (kind) candidates = await names(ctx, kind, scopeFlagsOf(words));
      }
    }
  } catch {
    candidates = [];
  }
  for (const c of candidates.filter((c) => c.startsWith(partial))) ctx.out.write(`${c}\n`);
  ctx.out.write(`${NO_FILE_COMP}\n`);
}
