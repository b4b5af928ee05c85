/**
 * Public HTTPS endpoints for the chat platforms.
 *
 * Why no IAM auth: Slack and the Bot Framework cannot sign requests with AWS
 * SigV4, so a Function URL with AWS_IAM auth (or an IAM-authorised API) would
 * reject every legitimate request. Instead every request is verified in code
 * before anything else runs: Slack requests by their `X-Slack-Signature`
 * HMAC over the body with the signing secret (and a 5-minute timestamp
 * window against replays); Teams requests by the Bot Framework JWT in the
 * `Authorization` header, checked against Microsoft's signing keys, issuer and
 * our App ID. Unverified requests get 401 and touch nothing.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** A Function URL with auth NONE; `verifiedBy` states how the handler authenticates callers. */
export function publicFunctionUrl(fn: lambda.IFunction, verifiedBy: string): lambda.FunctionUrl {
  const url = fn.addFunctionUrl({
    // See the module comment: the caller cannot do SigV4; the handler verifies `verifiedBy`.
    authType: lambda.FunctionUrlAuthType.NONE,
    invokeMode: lambda.InvokeMode.BUFFERED,
  });
  url.node.addMetadata('lightsout:verifiedBy', verifiedBy);
  return url;
}
