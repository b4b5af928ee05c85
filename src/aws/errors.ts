/**
 * Translates AWS SDK v3 errors into Lights Out errors, so services and chat
 * replies key on our stable codes (`transient`, `access_denied`, …) and never
 * on one SDK's exception names. The AWS error code stays in the message for
 * humans and logs; the SDK error itself stays as `cause`.
 */
import {
  AccessDeniedError,
  AwsRequestError,
  ConflictError,
  LightsOutError,
  NotFoundError,
  TransientError,
} from '../core/errors.js';

const TRANSIENT_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'Throttled',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionInProgressException',
]);

const ACCESS_DENIED_CODES = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
]);

const CONFLICT_CODES = new Set([
  'ConditionalCheckFailedException',
  'TransactionCanceledException',
  'ConflictException',
]);

const NOT_FOUND_CODES = new Set(['ResourceNotFoundException', 'NotFound', 'NotFoundException']);

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/** The AWS error code of an SDK v3 error (`InvalidInstanceID.NotFound`, …), if it has one. */
export function awsErrorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as SdkErrorShape;
  return e.name && e.name !== 'Error' ? e.name : (e.Code ?? e.code);
}

function httpStatus(err: unknown): number | undefined {
  return (err as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/**
 * Maps an SDK error to the matching LightsOutError. `action` says what we were
 * doing, e.g. `StopInstances in eu-west-1`. LightsOutErrors pass through.
 */
export function translateAwsError(err: unknown, action: string): LightsOutError {
  if (err instanceof LightsOutError) return err;
  const code = awsErrorCode(err) ?? 'UnknownError';
  const detail = err instanceof Error ? err.message : String(err);
  const message = `${action} failed: ${code}: ${detail}`;
  const status = httpStatus(err);
  const fault = (err as SdkErrorShape | undefined)?.$fault;

  if (TRANSIENT_CODES.has(code) || (status !== undefined && status >= 500) || fault === 'server') {
    return new TransientError(message, { cause: err });
  }
  if (ACCESS_DENIED_CODES.has(code)) return new AccessDeniedError(message, { cause: err });
  if (CONFLICT_CODES.has(code)) return new ConflictError(message, { cause: err });
  if (NOT_FOUND_CODES.has(code) || /\.NotFound$/.test(code))
    return new NotFoundError(message, { cause: err });
  if (code === 'TimeoutError' || code === 'ECONNRESET' || code === 'ECONNREFUSED') {
    return new TransientError(message, { cause: err });
  }
  return new AwsRequestError(message, { cause: err });
}

/** Runs one AWS call and rethrows any failure as a LightsOutError. */
export async function awsCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw translateAwsError(err, action);
  }
}
