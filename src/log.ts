import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One structured logger is created at the entry point and passed down. Debug level shows every
 * containerd/CNI call; the default keeps the console quiet.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'kukeon',
    level: options.level ?? process.env.KUKEON_LOG_LEVEL ?? 'info',
  });
}

/** A logger that drops everything: for tests and library use without a caller-supplied logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
