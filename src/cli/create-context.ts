import type { HostConfig } from '../config.js';
import type { Logger } from '../log.js';
import { DaemonApi } from './api/daemon-api.js';
import { InProcessApi } from './api/in-process-api.js';
import type { KukeonApi } from './api/kukeon-api.js';
import type { ApiClass, CliContext } from './context.js';
import { hostConfigFromSettings } from './host-config-from-settings.js';
import { promotesToInProcess, type Settings } from './settings.js';

/** The process-wide context of one `kuke` run; APIs are opened once and closed at exit. */
export function createContext(
  settings: Settings,
  env: NodeJS.ProcessEnv,
  io: { out: CliContext['out']; err: CliContext['err'] },
  options: { blockingDaemonCalls?: boolean } = {},
): CliContext & { closeAll(): Promise<void> } {
  const opened: KukeonApi[] = [];
  let logger: Promise<Logger> | undefined;
  const ctx = {
    settings,
    env,
    out: io.out,
    err: io.err,
    now: () => new Date(),
    // A getter: touching process.stdin builds a stream, only `-f -` and prompts need it.
    get stdin(): NodeJS.ReadableStream {
      return process.stdin;
    },
    uid: () => (typeof process.geteuid === 'function' ? process.geteuid() : 0),
    hostConfig: (): HostConfig => hostConfigFromSettings(settings, env),
    logger: (): Promise<Logger> => (logger ??= makeLogger(settings, io.err)),
    api(cls: ApiClass, noDaemon?: boolean): KukeonApi {
      const inProcess =
        cls === 'in-process' ||
        (cls === 'promotable' && promotesToInProcess(settings, noDaemon)) ||
        (cls === 'daemon-only' && settings.noDaemonEnv);
      const api: KukeonApi = inProcess
        ? new InProcessApi(ctx.hostConfig(), async (config) => {
            const { openInProcess } = await import('./api/open-in-process.js');
            return openInProcess(config, await ctx.logger());
          })
        : new DaemonApi(settings.host, options.blockingDaemonCalls);
      opened.push(api);
      return api;
    },
    async closeAll(): Promise<void> {
      await Promise.all(opened.map((a) => a.close()));
    },
  };
  return ctx;
}

/** Text records on stderr at `--log-level` with `--verbose`, else silent. */
async function makeLogger(settings: Settings, err: CliContext['err']): Promise<Logger> {
  const { pino } = await import('pino');
  if (!settings.verbose) return pino({ level: 'silent' });
  const { textLogDestination } = await import('./output/text-log.js');
  return pino({ level: settings.logLevel }, textLogDestination(err));
}
