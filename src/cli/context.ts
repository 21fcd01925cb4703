import type { HostConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { KukeonApi } from './api/kukeon-api.js';
import type { Settings } from './settings.js';

/** Where a command writes; process.stdout/stderr in the binary, buffers in tests. */
export interface Output {
  write(text: string): void;
  /** Raw bytes (container output), when the destination takes them; else callers decode. */
  writeBytes?(bytes: Buffer): void;
}

/** How a command reaches state. */
export type ApiClass =
  /** Always dials the daemon (we also honour `KUKEON_NO_DAEMON=true`, see docs/cli.md). */
  | 'daemon-only'
  /** Dials the daemon unless in-process mode is on. */
  | 'promotable'
  /** Always in-process. */
  | 'in-process';

/** Everything an operation needs from its surroundings; operations take this plus plain options. */
export interface CliContext {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  out: Output;
  err: Output;
  now: () => Date;
  /** The API for a command of the given class; `noDaemon` is the command's own `--no-daemon`. */
  api(cls: ApiClass, noDaemon?: boolean): KukeonApi;
  /** The runner's configuration for in-process work. */
  hostConfig(): HostConfig;
  /** Logger (silent unless `--verbose`). */
  logger(): Promise<Logger>;
  /** stdin, for `-f -` and prompts. */
  stdin: NodeJS.ReadableStream;
  /** Effective UID (root checks). */
  uid(): number;
}
