import { closeSync, constants as fsConstants, open as openCb } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The runner's ends of a new terminal task's FIFOs, opened before Tasks.Create: the shim's
 * blocking open of the stdout FIFO for writing needs a reader to exist already.
 */
export interface TerminalFds {
  /** stdout FIFO, O_RDONLY|O_NONBLOCK. */
  stdout: number;
  /** stdin FIFO, O_RDWR|O_NONBLOCK (never blocks, never ENXIO). */
  stdin: number;
}

/** fs.promises.open returns a FileHandle, which closes its fd when collected: a raw fd is needed. */
const openFd = promisify(openCb) as (path: string, flags: number) => Promise<number>;

/**
 * Where an attachable container's terminal lives on the host (`<container dir>/tty/`): the two
 * FIFOs containerd's shim copies the pty through (the daemon holds their other ends) and the
 * capture file the daemon appends everything the terminal printed to.
 */
export interface TerminalFiles {
  dir: string;
  stdin: string;
  stdout: string;
  capture: string;
}

export function terminalFiles(containerDir: string): TerminalFiles {
  const dir = join(containerDir, 'tty');
  return {
    dir,
    stdin: join(dir, 'stdin'),
    stdout: join(dir, 'stdout'),
    capture: join(dir, 'capture'),
  };
}

/** Our ends of the FIFOs (see TerminalFds for the flags and why). */
export async function openTerminalFds(files: TerminalFiles): Promise<TerminalFds> {
  const stdout = await openFd(files.stdout, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const stdin = await openFd(files.stdin, fsConstants.O_RDWR | fsConstants.O_NONBLOCK);
    return { stdout, stdin };
  } catch (err) {
    closeSync(stdout);
    throw err;
  }
}

export function closeTerminalFds(fds: TerminalFds): void {
  for (const fd of [fds.stdout, fds.stdin]) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}
