import type { Command } from 'commander';
import { clientConfigPath, defaultClientConfigPath, loadClientConfig } from './client-config.js';
import type { KukeonApi } from './api/kukeon-api.js';
import type { ApiClass, CliContext, Output } from './context.js';
import { createContext } from './create-context.js';
import { buildProgram } from './program.js';
import { commanderFailure, reportError } from './run-command.js';
import { resolveSettings, type GlobalFlags } from './settings.js';

/** The process surroundings of one run; the binary passes the real ones, tests their own. */
export interface KukeIo {
  env: NodeJS.ProcessEnv;
  out: Output;
  err: Output;
  stdin?: NodeJS.ReadableStream;
  uid?: () => number;
  now?: () => Date;
  /** Replaces the daemon / in-process API (unit tests). */
  api?: (cls: ApiClass, noDaemon?: boolean) => KukeonApi;
  /**
   * Short read-only daemon calls block on the socket (src/client/blocking-call.ts): only the bin
   * sets it, never a process that may serve the daemon socket itself.
   */
  blockingDaemonCalls?: boolean;
}

/** The path of the command being run, e.g. `kuke get`, for framework error texts. */
function commandPath(program: Command, argv: string[]): string {
  const parts = ['kuke'];
  let cmd: Command | undefined = program;
  for (const a of argv) {
    const next: Command | undefined = cmd?.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!next) break;
    parts.push(next.name());
    cmd = next;
  }
  return parts.join(' ');
}

/** Runs `kuke <argv>` and resolves with the exit code (0 or 1). */
export async function runKuke(argv: string[], io: KukeIo, version: string): Promise<number> {
  let context: (CliContext & { closeAll(): Promise<void> }) | undefined;
  const makeContext = async (globals: GlobalFlags): Promise<CliContext> => {
    const path = clientConfigPath(globals.configuration, io.env);
    // Without HOME the default path is relative: never write a first-run file into the cwd.
    const file = await loadClientConfig(path, !!io.env.HOME && path === defaultClientConfigPath(io.env));
    const settings = resolveSettings(globals, io.env, file, path);
    const ctx = createContext(
      settings,
      io.env,
      { out: io.out, err: io.err },
      { blockingDaemonCalls: io.blockingDaemonCalls },
    );
    if (io.stdin) Object.defineProperty(ctx, 'stdin', { value: io.stdin });
    if (io.uid) ctx.uid = io.uid;
    if (io.now) ctx.now = io.now;
    if (io.api) ctx.api = io.api;
    context = ctx;
    return ctx;
  };
  const program = buildProgram(makeContext, version, argv);
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => io.out.write(s),
    writeErr: (s) => io.err.write(s),
    outputError: () => {},
  });
  applyToAll(program, (c) => {
    c.exitOverride();
    c.configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
      outputError: () => {},
    });
  });
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    const e = err as { code?: string };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      const failure = commanderFailure(err as Error & { code: string }, commandPath(program, argv));
      code = failure.exitCode;
      if (failure.error) reportError(failure.error, io.err);
    } else {
      code = reportError(err, io.err);
    }
  } finally {
    await context?.closeAll().catch(() => undefined);
  }
  return code;
}

function applyToAll(cmd: Command, fn: (c: Command) => void): void {
  for (const c of cmd.commands) {
    fn(c);
    applyToAll(c, fn);
  }
}
