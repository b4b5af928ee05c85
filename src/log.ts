/**
 * Structured JSON logging (Powertools Logger) for every runtime. Secrets are
 * never passed to the logger; config objects are logged only through
 * `redact()` below.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export type Log = Logger;

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
