// The `node` dev dependency (Node 24) exists so the Lambda suites run on the
// runtime infra/ deploys. npm links its `node` binary into node_modules/.bin,
// which would put every npm script, and the better-sqlite3 build made for the
// machine's Node, on Node 24. Unlinking the shim keeps npm scripts on the
// machine's Node; the Lambda suites call node_modules/node/bin/node directly.
// The npm package ships this script because postinstall runs in a user's
// install too; there the shim path does not exist and it does nothing.
import { lstatSync, unlinkSync } from 'node:fs';

const shim = new URL('../node_modules/.bin/node', import.meta.url);
try {
  if (lstatSync(shim).isSymbolicLink()) unlinkSync(shim);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
