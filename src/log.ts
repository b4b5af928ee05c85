/**
 * Structured JSON logging (Powertools Logger) for every runtime. Secrets are
 * never passed to the logger; config objects are logged only through
 * `redact()` below.
 */
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The logger every layer takes. Powertools' Logger is the implementation;
 * code that needs Lambda-only features (`addContext`) holds the `Logger` that
 * `createLogger` returns, everything else asks only for this.
 */
export type Log = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/** A logger that drops everything: the default where a caller passes none. */
export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

export function createLogger(serviceName: string, level: string = 'INFO'): Logger {
  return new Logger({ serviceName, logLevel: level as 'INFO' });
}

const SECRET_KEY = /secret|token|password|signing|key$/i;

/** Copy of an object with anything secret-looking replaced, for start-up logs. */
export function redact<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (k, v) =>
      k && SECRET_KEY.test(k) && typeof v === 'string' && v ? '[redacted]' : v,
    ),
  ) as T;
}
