import type { TerminalFiles } from './cell/terminal-files.js';

/** A terminal task: which container, and where its FIFOs and capture file are. */
export interface TerminalTask {
  namespace: string;
  containerdId: string;
  files: TerminalFiles;
}

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

/**
 * Who holds the FIFOs of attachable containers: kukeond's attach sessions. The runner tells it
 * about every terminal task between Tasks.Create and Tasks.Start, so the output reader is open
 * before the process prints its first byte. Without a host (in-process `kuke`), the output waits
 * in the FIFO (the shim keeps both ends open) until a daemon re-opens it.
 */
export interface TerminalHost {
  /** Takes ownership of `fds` (closes them when it cannot use them). */
  taskCreated(task: TerminalTask, fds: TerminalFds): Promise<void>;
}
