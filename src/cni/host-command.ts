import { ErrorCode } from '../error-codes.js';
import { spawn } from 'node:child_process';
import { CniError } from './errors.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

let iptablesRuns = 0;

/**
 * How many iptables commands other than `iptables-save` this process has started: any of them
 * may have changed a table, so a snapshot read before is no longer to be reused (iptables.ts).
 */
export const iptablesWriteCount = (): number => iptablesRuns;

/**
 * Runs a host tool (a CNI plugin, `ip`, `iptables`, `nsenter`) without a shell. A non-zero exit is
 * a normal result (callers decide what it means); failing to start it or a timeout is an error.
 */
export function runCommand(
  file: string,
  args: readonly string[],
  opts: CommandOptions = {},
): Promise<CommandResult> {
  if (file.startsWith('iptables') && file !== 'iptables-save') iptablesRuns++;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer =
      opts.timeoutMs && opts.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (cause) => {
      if (timer) clearTimeout(timer);
      reject(
        new CniError(ErrorCode.CNI_HOST_COMMAND_FAILED, `cannot run ${file}: ${cause.message}`, { cause }),
      );
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) {
        reject(
          new CniError(
            ErrorCode.CNI_HOST_COMMAND_FAILED,
            `${file} ${args.join(' ')} timed out after ${opts.timeoutMs} ms`,
          ),
        );
        return;
      }
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    // A plugin that exits before reading stdin would make the write fail with EPIPE; that is its
    // business, the exit code tells the story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** runCommand that turns a non-zero exit into a CniError carrying stderr. */
export async function runChecked(
  file: string,
  args: readonly string[],
  opts: CommandOptions = {},
): Promise<string> {
  const r = await runCommand(file, args, opts);
  if (r.code !== 0) {
    throw new CniError(
      ErrorCode.CNI_HOST_COMMAND_FAILED,
      `${file} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`,
    );
  }
  return r.stdout;
}
