'use strict';
/**
 * Stand-in for `semver` in the Lambda bundles (see REPLACED_ON_LAMBDA in
 * infra/lib/bundling.ts). Its one user there is jsonwebtoken (the Agents SDK's
 * token check), which asks three questions when it loads, each
 * `satisfies(process.version, range)` with a range of `>=x.y.z` or `^x.y.z`
 * alternatives joined by `||`. Answering those takes a few lines; the ~29 KB
 * of semver is the margin that keeps the Teams functions within 1.0 MB. Any
 * other range or function throws, naming this file, and since jsonwebtoken
 * asks at load time, `npm run bench -- bundles` (which imports every bundle)
 * would fail first.
 */

function unsupported(what) {
  return new Error(
    `semver ${what} is not bundled into Lights Out's Lambda functions (infra/bundling/semverOnLambda.cjs)`,
  );
}

function parse(version) {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(version).trim());
  if (!m) throw unsupported(`version "${version}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** One comparator: `>=x.y.z`, or `^x.y.z` (same major, at least x.y.z; majors ≥ 1 only). */
function satisfiesOne(version, comparator) {
  const c = comparator.trim();
  const atLeast = /^>=\s*(\d+\.\d+\.\d+)$/.exec(c);
  if (atLeast) return compare(version, parse(atLeast[1])) >= 0;
  const caret = /^\^(\d+\.\d+\.\d+)$/.exec(c);
  if (caret) {
    const base = parse(caret[1]);
    if (base[0] === 0) throw unsupported(`range "${c}"`);
    return version[0] === base[0] && compare(version, base) >= 0;
  }
  throw unsupported(`range "${c}"`);
}

function satisfies(version, range) {
  const v = parse(version);
  return String(range)
    .split('||')
    .some((c) => satisfiesOne(v, c));
}

module.exports = new Proxy(
  { satisfies },
  {
    get(target, name) {
      if (name in target || typeof name === 'symbol' || name === '__esModule') return target[name];
      return () => {
        throw unsupported(`.${String(name)}`);
      };
    },
  },
);
