'use strict';
/**
 * Stand-in for modules that Bolt and the Agents SDK load but Lambda never uses
 * (see UNUSED_ON_LAMBDA in infra/lib/bundling.ts). Reading properties at load
 * time works, so `require()` and class definitions succeed; calling or
 * constructing anything throws an error that says what happened, instead of a
 * confusing `undefined is not a function`.
 */
function unused(name) {
  const fail = () => {
    throw new Error(
      `${name} is not bundled into Lights Out's Lambda functions because Lambda never needs it ` +
        '(see UNUSED_ON_LAMBDA in infra/lib/bundling.ts); remove it from that list if a new code path does.',
    );
  };
  return new Proxy(function unusedOnLambda() {}, {
    get(_target, prop) {
      if (typeof prop === 'symbol' || prop === '__esModule' || prop === 'then') return undefined;
      return unused(`${name}.${prop}`);
    },
    apply: fail,
    construct: fail,
  });
}

module.exports = unused('This unused-on-Lambda module');
