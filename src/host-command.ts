import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { spawn, tryReap, waitExit, type ExitStatus, type SpawnedChild } from 'kukeon-native';

/*
 * Host tools (CNI plugins, `ip`, `iptables`, `nsenter`, `mount`, `runc`) are started with
 * posix_spawn through the native binding, not with child_process: libuv forks the whole daemon,
 * its event loop blocked while the page tables are copied (milliseconds for a daemon of 80 MB),
 * where posix_spawn's vfork-style clone copies nothing. The mechanism: docs/runner-design.md,
 * "Host commands". There is no child_process fallback: the binding is built by `npm ci` and the
 * store cannot run without it either (flock).
 */

export interface HostCommandOptions {
  /** Written to the command's stdin, which is then closed (empty: closed at once). */
  input?: string;
  /** The command's whole environment (default: kukeond's); PATH is searched in it. */
  env?: NodeJS.ProcessEnv;
  /** SIGKILL after this long; the result then says `timedOut`. */
  timeoutMs?: number;
}

export interface HostCommandResult {
  /** The exit code; 128 when a signal ended the command (`signal` says which). */
  code: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The timeout killed it. */
  timedOut: boolean;
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

function envStrings(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out.push(`${k}=${v}`);
  return out;
}

/** The error Node's spawn gives for a command that cannot start (`spawn ip ENOENT`). */
function startError(file: string, args: readonly string[], cause: unknown): Error {
  const c = cause as { code?: string; errno?: number };
  const code = c.code ?? 'UNKNOWN';
  return Object.assign(new Error(`spawn ${file} ${code}`, { cause }), {
    errno: -(c.errno ?? 0),
    code,
    syscall: `spawn ${file}`,
    path: file,
    spawnargs: [...args],
  });
}

/**
 * Runs a host tool without a shell and collects its output. A non-zero exit, a signal or the
 * timeout is a result (callers decide what it means); the promise rejects only when the command
 * cannot start (not found, not executable: `code` ENOENT, EACCES, as Node's spawn).
 *
 * The child's stdout and stderr are read to end of file through sockets on the pipes, then it is
 * reaped: at once when it has ended (the usual case), else by a wait on a libuv pool thread
 * (a child that closed its pipes and runs on). The timeout does not wait for end of file: a
 * grandchild may hold the pipes open.
 */
export async function runHostCommand(
  file: string,
  args: readonly string[],
  opts: HostCommandOptions = {},
): Promise<HostCommandResult> {
  let child: SpawnedChild;
  try {
    child = await spawn(file, [file, ...args], envStrings(opts.env ?? process.env));
  } catch (err) {
    throw startError(file, args, err);
  }
  const { pid } = child;
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let open = 2;
    let waiting = false;
    let timedOut = false;
    const readers = [child.stdout, child.stderr].map((fd, i) => {
      const s = new Socket({ fd, readable: true, writable: false });
      const chunks = i === 0 ? out : err;
      s.on('data', (b: Buffer) => chunks.push(b));
      // A read error ends the output as end of file does; the exit status still tells the story.
      s.on('error', () => s.destroy());
      s.on('close', () => {
        if (--open === 0) awaitExit();
      });
      return s;
    });
    const timer =
      opts.timeoutMs && opts.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            // Not reaped yet (only this module reaps it): the pid is still this child's.
            process.kill(pid, 'SIGKILL');
            awaitExit();
          }, opts.timeoutMs)
        : undefined;
    const done = (st: ExitStatus): void => {
      if (timer) clearTimeout(timer);
      for (const r of readers) r.destroy();
      const signal = st.signal === null ? null : (signalNames.get(st.signal) ?? null);
      resolve({
        code: st.code ?? 128,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    };
    function awaitExit(): void {
      if (waiting) return;
      waiting = true;
      let st: ExitStatus | null;
      try {
        st = tryReap(pid);
      } catch (e) {
        reject(e as Error);
        return;
      }
      if (st) done(st);
      else waitExit(pid).then(done, reject);
    }
    if (opts.input) {
      const w = new Socket({ fd: child.stdin, readable: false, writable: true });
      // A command that exits before reading its stdin makes the write fail with EPIPE: that is
      // its business, the exit code tells the story.
      w.on('error', () => w.destroy());
      w.end(opts.input);
    } else {
      closeSync(child.stdin);
    }
  });
}

/** `<file> <args> exited <code>: <stderr or stdout>`, or how else it ended. */
export function describeFailure(file: string, args: readonly string[], r: HostCommandResult): string {
  const what = `${file} ${args.join(' ')}`;
  const output = r.stderr.trim() || r.stdout.trim();
  if (r.timedOut) return `${what} timed out`;
  if (r.signal) return `${what} killed by ${r.signal}: ${output}`;
  return `${what} exited ${r.code}: ${output}`;
}

/** runHostCommand that throws on anything but exit 0 (the message carries stderr); resolves stdout. */
export async function runHostChecked(
  file: string,
  args: readonly string[],
  opts: HostCommandOptions = {},
): Promise<string> {
  const r = await runHostCommand(file, args, opts);
  if (r.code !== 0 || r.timedOut) throw new Error(describeFailure(file, args, r));
  return r.stdout;
}
