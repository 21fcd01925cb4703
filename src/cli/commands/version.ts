import { errorText } from '../run-command.js';
import { SilentExit } from '../cli-error.js';
import type { CliContext } from '../context.js';

export interface VersionOptions {
  noDaemon: boolean;
  strict: boolean;
  clientVersion: string;
}

/** `kuke version`. */
export async function version(ctx: CliContext, opts: VersionOptions): Promise<void> {
  ctx.out.write(`Client: ${opts.clientVersion}\n`);
  if (opts.noDaemon) return;
  let daemonVersion: string;
  try {
    const reply = await ctx.api('daemon-only').call('Ping', {});
    daemonVersion = reply.Version ?? '';
  } catch (err) {
    ctx.err.write(`Warning: daemon unreachable: ${errorText(err)}\n`);
    return;
  }
  ctx.out.write(`Daemon: ${daemonVersion}\n`);
  if (daemonVersion !== '' && daemonVersion !== opts.clientVersion) {
    ctx.err.write(`Warning: version mismatch (client: ${opts.clientVersion}, daemon: ${daemonVersion})\n`);
    if (opts.strict) throw new SilentExit();
  }
}
