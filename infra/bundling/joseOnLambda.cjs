'use strict';
/**
 * Stand-in for `jose` in the Lambda bundles (see REPLACED_ON_LAMBDA in
 * infra/lib/bundling.ts). Its one user there is jwks-rsa, which turns the
 * token signing keys (JWKs) into PEM public keys with importJWK and
 * exportSPKI; Node's crypto does both natively, and the ~60 KB of jose is the
 * margin that keeps the Teams functions within 1.0 MB. Anything else jose
 * offers throws, naming this file.
 */
const { createPublicKey } = require('node:crypto');

function missing(name) {
  return () => {
    throw new Error(
      `jose.${name} is not bundled into Lights Out's Lambda functions (infra/bundling/joseOnLambda.cjs)`,
    );
  };
}

module.exports = {
  /** A public JWK as a Node KeyObject (jwks-rsa exports it as PEM itself). */
  importJWK: async (jwk) => createPublicKey({ key: jwk, format: 'jwk' }),
  exportSPKI: async (key) => key.export({ format: 'pem', type: 'spki' }),
  decodeJwt: missing('decodeJwt'),
  decodeProtectedHeader: missing('decodeProtectedHeader'),
};
