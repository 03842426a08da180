import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

/** Structured logging (pino). Components get a child logger with their name; fields, not formatted strings. */
export type Logger = PinoLogger;

/** MetalLB's `--log-level` values mapped to pino levels. */
export const logLevels = ['all', 'debug', 'info', 'warn', 'error', 'none'] as const;
export type LogLevel = (typeof logLevels)[number];

function pinoLevel(level: LogLevel): LevelWithSilent {
  switch (level) {
    case 'all': return 'trace';
    case 'none': return 'silent';
    default: return level;
  }
}

export function createLogger(options: { level?: LogLevel; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const base = { level: pinoLevel(options.level ?? 'info'), ...(options.name === undefined ? {} : { name: options.name }) };
  return options.destination === undefined ? pino(base) : pino(base, options.destination as never);
}

/** A logger that discards everything (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
