/**
 * A real pseudo-terminal for end-to-end tests: a command run in a tmux pane on a private tmux
 * server (`-L`), typed into with send-keys and read with capture-pane. The pane outlives the
 * command (`; sleep`) so its exit line stays readable.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const EXIT_MARK = 'KUKE-EXIT:';

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class TmuxPane {
  private constructor(
    private readonly server: string,
    readonly name: string,
  ) {}

  /** Runs `argv` with `env` (only these variables) in a new pane of `cols` × `rows`. */
  static start(
    server: string,
    name: string,
    argv: string[],
    env: Record<string, string | undefined>,
    size = { cols: 100, rows: 30 },
  ): TmuxPane {
    const vars = Object.entries(env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${shellQuote(v!)}`);
    const command = `env -i ${vars.join(' ')} ${argv.map(shellQuote).join(' ')}; echo ${EXIT_MARK}$?; sleep 3600`;
    execFileSync('tmux', [
      '-L',
      server,
      '-f',
      '/dev/null',
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(size.cols),
      '-y',
      String(size.rows),
      'sh',
      '-c',
      command,
    ]);
    return new TmuxPane(server, name);
  }

  /** Types text literally, then Enter. */
  type(text: string): void {
    this.tmux('send-keys', '-t', this.name, '-l', text);
    this.tmux('send-keys', '-t', this.name, 'Enter');
  }

  /** Sends raw bytes (hex), e.g. the detach keys `1d 1d`. */
  sendBytes(...hex: string[]): void {
    this.tmux('send-keys', '-t', this.name, '-H', ...hex);
  }

  resize(cols: number, rows: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows));
  }

  /** The pane's text, with the scrollback (joined wrapped lines). */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-2000', '-t', this.name);
  }

  /** Waits until the screen matches; returns the screen. Throws with the screen on timeout. */
  async waitFor(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s)) return s;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${String(pattern)} in pane ${this.name}:\n${s}`);
      await sleep(50);
    }
  }

  /** The command's exit code once it has ended (waits for it). */
  async exitCode(timeoutMs = 15_000): Promise<number> {
    const s = await this.waitFor(new RegExp(`${EXIT_MARK}\\d+`), timeoutMs);
    return Number(new RegExp(`${EXIT_MARK}(\\d+)`).exec(s)![1]);
  }

  /** True while the command runs (no exit line yet). */
  running(): boolean {
    return !this.screen().includes(EXIT_MARK);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.server, 'kill-session', '-t', this.name]);
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.server, ...args], { encoding: 'utf8' });
  }
}

/** Ends the private tmux server (every pane and the commands in them). */
export function killTmuxServer(server: string): void {
  spawnSync('tmux', ['-L', server, 'kill-server']);
}
