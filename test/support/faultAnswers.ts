/**
 * The error answers of the fault proxy, each in the protocol the SDK expects
 * from that service, so the SDK classifies them as it would a real one:
 * RequestLimitExceeded is throttling for EC2, `Throttling` for the query
 * services, `ThrottlingException` for the JSON ones.
 */
import type { CallInfo } from './faultProxy.js';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const REQUEST_ID = '00000000-0000-4000-8000-0000000fa017';

/** The throttling or server-error answer for `call`. */
export function faultAnswer(call: CallInfo, kind: 'throttle' | 'error', status?: number): Answer {
  const throttle = kind === 'throttle';
  if (call.service === 'ec2') {
    const code = throttle ? 'RequestLimitExceeded' : 'InternalError';
    return xml(
      status ?? (throttle ? 400 : 500),
      ec2Error(code, throttle ? 'Request limit exceeded.' : 'Internal error.'),
    );
  }
  if (call.target) {
    const code = throttle ? 'ThrottlingException' : 'InternalServerError';
    return json(status ?? (throttle ? 400 : 500), call.target.startsWith('DynamoDB') ? '1.0' : '1.1', code);
  }
  if (call.params.Action || call.service === 'route53') {
    const code = throttle ? 'Throttling' : 'InternalFailure';
    return xml(status ?? (throttle ? 400 : 500), queryError(throttle ? 'Sender' : 'Receiver', code));
  }
  // REST-JSON services (EventBridge Scheduler, Lambda): the code travels in a header.
  const lambda = call.service === 'lambda';
  const code = throttle
    ? lambda
      ? 'TooManyRequestsException'
      : 'ThrottlingException'
    : 'InternalServerException';
  return {
    status: status ?? (throttle ? (lambda ? 429 : 400) : 500),
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': REQUEST_ID },
    body: JSON.stringify({ message: throttle ? 'Rate exceeded' : 'Internal error' }),
  };
}

function ec2Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${REQUEST_ID}</RequestID></Response>`;
}

function queryError(type: string, code: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse><Error><Type>${type}</Type><Code>${code}</Code><Message>Rate exceeded</Message></Error><RequestId>${REQUEST_ID}</RequestId></ErrorResponse>`;
}

function xml(status: number, body: string): Answer {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': REQUEST_ID }, body };
}

function json(status: number, version: string, code: string): Answer {
  return {
    status,
    headers: { 'content-type': `application/x-amz-json-${version}`, 'x-amzn-requestid': REQUEST_ID },
    body: JSON.stringify({ __type: code, message: 'Rate exceeded' }),
  };
}
