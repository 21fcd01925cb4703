import type { Logger } from '../../log.js';

export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * SIGTERM/SIGINT: log `received shutdown signal`, stop (drain) the server, log `kukeond stopped`
 * and exit 0; a failing stop exits 1. A second signal during the drain exits 1 at once (an
 * operator who presses Ctrl-C twice wants out). Returns a function that removes the handlers.
 */
export function installShutdownSignals(
  server: Stoppable,
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second shutdown signal; exiting without draining');
      exit(1);
      return;
    }
    shuttingDown = true;
    logger.info({ signal }, 'received shutdown signal');
    server.stop().then(
      () => {
        logger.info('kukeond stopped');
        exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
