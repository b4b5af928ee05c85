/**
 * Base class for every error Lights Out raises on purpose. The stable `code`
 * is what chat replies, logs and tests key on; the message is for humans.
 */
export class LightsOutError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A conditional write lost a race: someone else changed the record first. */
export class ConflictError extends LightsOutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
  }
}

/** Something the caller named does not exist (instance, workload, run…). */
export class NotFoundError extends LightsOutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not_found', message, options);
  }
}

/** Input that cannot be used; the message says what was wrong and what works. */
export class ValidationError extends LightsOutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid', message, options);
  }
}

/** AWS refused the call for lack of permission. */
export class AccessDeniedError extends LightsOutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('access_denied', message, options);
  }
}

/** The remote side asked us to slow down, or failed transiently; safe to retry. */
export class TransientError extends LightsOutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('transient', message, options);
  }
}

/** An AWS call failed for a reason that retrying will not fix (bad state, bad id…). */
export class AwsRequestError extends LightsOutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('aws_error', message, options);
  }
}

/** The action was meant for a run that has ended (stopped, terminated or restarted). */
export class StaleRunError extends LightsOutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('stale', message, options);
  }
}

/** Extend would take a run past its total extension cap (MAX_EXTENSION); the message says what is left. */
export class ExtensionCapError extends LightsOutError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('extension_cap', message, options);
  }
}

/**
 * EC2 refused StopInstances because the instance has stop protection
 * (`DisableApiStop`). Nothing changed; the owner lifts it with
 * `aws ec2 modify-instance-attribute --no-disable-api-stop`. `instanceId` is
 * the instance EC2 named, when it named one.
 */
export class StopProtectedError extends LightsOutError {
  constructor(
    message: string,
    readonly instanceId?: string,
    options?: { cause?: unknown },
  ) {
    super('stop_protected', message, options);
  }
}
