/**
 * Structured JSON logs, one line per entry, with the request id on every line.
 * Callers log identifiers and outcomes, never personal data (names, emails, phones).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

function errorFields(value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
}

export function createLogger(
  base: Record<string, unknown> = {},
  { level = (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info', write = (line: string) => process.stdout.write(`${line}\n`) } = {},
): Logger {
  const threshold = ORDER[level] ?? ORDER.info;
  const log = (lvl: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (ORDER[lvl] < threshold) return;
    const entry: Record<string, unknown> = { level: lvl, time: new Date().toISOString(), message, ...base };
    for (const [k, v] of Object.entries(fields)) entry[k] = errorFields(v);
    write(JSON.stringify(entry));
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger({ ...base, ...fields }, { level, write }),
  };
}
