import type { TerminalFds, TerminalFiles } from './cell/terminal-files.js';

export type { TerminalFds };

/** A terminal task: which container, and where its FIFOs and capture file are. */
export interface TerminalTask {
  namespace: string;
  containerdId: string;
  files: TerminalFiles;
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
