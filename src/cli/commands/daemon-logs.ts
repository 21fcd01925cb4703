import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { CliError, cliErrorCodes } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { byteSink, signalFromProcess } from './log.js';
import { printFile } from '../../store/log-follower.js';

/**
 * `kuke daemon logs [-f]`: the daemon's own output. A process daemon appends to its log file
 * (printed, or followed like `kuke log -f`: Ctrl-C ends it with exit 0); under systemd the
 * journal has it (`journalctl -u kukeond.service`).
 */
export async function daemonLogs(
  ctx: CliContext,
  o: { follow: boolean; systemd: boolean; path: string; signal?: AbortSignal },
): Promise<void> {
  if (o.systemd) return journal(o.follow);
  let fd: number;
  try {
    fd = openSync(o.path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new CliError(
      cliErrorCodes.failed,
      `kukeond has no log file at ${o.path} yet (it is written once the daemon runs as a process: \`kuke daemon start\`)`,
    );
  }
  await printFile({
    path: o.path,
    fd,
    sink: byteSink(ctx.out),
    follow: o.follow,
    signal: () => o.signal ?? signalFromProcess(),
  });
}

function journal(follow: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-u', 'kukeond.service', '--no-pager', ...(follow ? ['-f'] : [])];
    const child = spawn('journalctl', args, { stdio: 'inherit' });
    child.once('error', (err) =>
      reject(new CliError(cliErrorCodes.failed, `journalctl ${args.join(' ')}: ${err.message}`)),
    );
    child.once('exit', (code, signal) =>
      code === 0 || signal === 'SIGINT' || signal === 'SIGTERM'
        ? resolve()
        : reject(new CliError(cliErrorCodes.failed, `journalctl exited with ${code ?? signal}`)),
    );
  });
}
