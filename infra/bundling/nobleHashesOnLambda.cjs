'use strict';
/**
 * Stand-in for `@noble/hashes/hmac`, `/sha2` and `/utils` in the Lambda
 * bundles (see REPLACED_ON_LAMBDA in infra/lib/bundling.ts). Their one user
 * there is the Agents SDK's telemetry, which hides conversation ids behind
 * `hmac(sha256, key, id)` as hex. Node's crypto computes the same HMAC
 * natively; the ~19 KB of pure-JavaScript hashes is margin the Teams functions
 * need under 1.0 MB. Any other hash throws, naming this file.
 */
const { createHmac } = require('node:crypto');

function unsupported(what) {
  return new Error(
    `@noble/hashes ${what} is not bundled into Lights Out's Lambda functions (infra/bundling/nobleHashesOnLambda.cjs)`,
  );
}

/** Stands for noble's sha256; only `hmac` below reads it. */
const sha256 = Object.freeze({ outputLen: 32, blockLen: 64, nodeName: 'sha256' });

function hmac(hash, key, message) {
  if (hash !== sha256) throw unsupported('hmac with a hash other than sha256');
  return new Uint8Array(createHmac('sha256', toBytes(key)).update(toBytes(message)).digest());
}

function toBytes(data) {
  if (typeof data === 'string') return utf8ToBytes(data);
  if (data instanceof Uint8Array) return data;
  throw unsupported('input other than bytes or a string');
}

function utf8ToBytes(text) {
  if (typeof text !== 'string') throw new TypeError('utf8ToBytes expected a string');
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

function bytesToHex(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytesToHex expected a Uint8Array');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

module.exports = { hmac, sha256, utf8ToBytes, bytesToHex };
