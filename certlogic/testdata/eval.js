// Drives certlogic-js (the CertLogic reference implementation) for the Go
// tests of package certlogic: the differential test and the side-by-side
// benchmark. One JSON request per line on stdin, one JSON response per line
// on stdout:
//
//   {"op":"version"}                        -> {"ok":true,"version":"1.2.2"}
//   {"op":"eval","expr":E,"data":D,"spec":B} -> {"ok":true,"result":R,"quirks":[...]}
//                                             | {"ok":false,"error":"...","quirks":[...]}
//   {"op":"validate","expr":E}               -> {"ok":true,"issues":[{"expr":..,"message":..}]}
//   {"op":"bench","expr":E,"data":D,"n":N}    -> {"ok":true,"ns":T,"result":R}
//
// The package is found in $DCC_CERTLOGIC_JS_DIR/node_modules/certlogic-js.
//
// Results are encoded so that nothing JSON.stringify would blur is lost: a
// Date is {"$date": ISO string or "Invalid Date"}, a non-finite number
// {"$number": "Infinity"}, undefined {"$undefined": true}, a function
// {"$function": true}.
//
// "quirks" names the places where certlogic-js departed from the spec in
// this evaluation (see certlogic/excused.txt): "access" (a var reached a
// JavaScript property no JSON value has: a string's characters, "length"),
// "truthiness" (a non-integer number was taken as truthy), "invalid-date"
// (plusTime or dccDateOfBirth made an Invalid Date). With "spec": true the
// same evaluation runs with those three places following the spec instead,
// which is what the Go engine must then agree with.
"use strict";
const path = require("path");
const readline = require("readline");

const dir = process.env.DCC_CERTLOGIC_JS_DIR;
if (!dir) {
  process.stderr.write("DCC_CERTLOGIC_JS_DIR is not set\n");
  process.exit(2);
}
const pkg = path.join(dir, "node_modules", "certlogic-js");
const certlogic = require(pkg);
const validation = require(path.join(pkg, "dist", "validation"));
// The evaluator calls these through the module object, so replacing them
// here reaches every call.
const internals = require(path.join(pkg, "dist", "internals"));
const orig = {
  access: internals.access,
  boolsiness: internals.boolsiness,
  plusTime: internals.plusTime,
  dccDateOfBirth: internals.dccDateOfBirth,
};

let quirks = new Set();
let specMode = false;

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

// The spec's data access: own members of objects, elements of arrays at
// decimal indices, null for everything else.
const specAccess = (data, p) => p === "" ? data : p.split(".").reduce((acc, f) => {
  if (Array.isArray(acc)) {
    if (!/^\d+$/.test(f)) return null;
    const v = acc[parseInt(f, 10)];
    return v === undefined ? null : v;
  }
  if (isObject(acc) && Object.prototype.hasOwnProperty.call(acc, f)) return acc[f];
  return null;
}, data);

const specBoolsiness = (v) => (typeof v === "number" && !Number.isInteger(v)) ? undefined : orig.boolsiness(v);

internals.access = (data, p) => {
  const mine = orig.access(data, p);
  const spec = specAccess(data, p);
  if (!Object.is(mine, spec)) {
    quirks.add("access");
    if (specMode) return spec;
  }
  return mine;
};
internals.boolsiness = (v) => {
  const mine = orig.boolsiness(v);
  const spec = specBoolsiness(v);
  if (mine !== spec) {
    quirks.add("truthiness");
    if (specMode) return spec;
  }
  return mine;
};
const dateMaker = (name) => (...args) => {
  const d = orig[name](...args);
  if (isNaN(d.getTime())) {
    quirks.add("invalid-date");
    if (specMode) throw new Error(`${name}: invalid date-time`);
  }
  return d;
};
internals.plusTime = dateMaker("plusTime");
internals.dccDateOfBirth = dateMaker("dccDateOfBirth");

const MAX_NODES = 100000;
const encode = (v) => {
  let budget = MAX_NODES;
  const enc = (x) => {
    if (--budget < 0) throw new Error("$toolarge");
    if (x === undefined) return { $undefined: true };
    if (x === null || typeof x === "boolean" || typeof x === "string") return x;
    if (typeof x === "number") return Number.isFinite(x) ? x : { $number: String(x) };
    if (typeof x === "function") return { $function: true };
    if (x instanceof Date) return { $date: isNaN(x.getTime()) ? "Invalid Date" : x.toISOString() };
    if (Array.isArray(x)) return x.map(enc);
    // No prototype: a "__proto__" key stays a member.
    const o = Object.create(null);
    for (const [k, val] of Object.entries(x)) o[k] = enc(val);
    return o;
  };
  try {
    return enc(v);
  } catch (e) {
    if (e.message === "$toolarge") return { $toolarge: true };
    throw e;
  }
};

const handle = (req) => {
  switch (req.op) {
    case "version":
      return { ok: true, version: require(path.join(pkg, "package.json")).version };
    case "validate":
      return { ok: true, issues: validation.validate(req.expr).map(({ expr, message }) => ({ expr: encode(expr), message })) };
    case "eval": {
      quirks = new Set();
      specMode = !!req.spec;
      try {
        const result = certlogic.evaluate(req.expr, req.data);
        return { ok: true, result: encode(result), quirks: [...quirks] };
      } catch (e) {
        return { ok: false, error: String(e && e.message || e), quirks: [...quirks] };
      } finally {
        specMode = false;
      }
    }
    case "bench": {
      // Warm up the JIT, then time n evaluations in a loop.
      const warm = Math.min(req.n, 10000);
      let result;
      for (let i = 0; i < warm; i++) result = certlogic.evaluate(req.expr, req.data);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < req.n; i++) result = certlogic.evaluate(req.expr, req.data);
      const ns = Number(process.hrtime.bigint() - t0);
      return { ok: true, ns, result: encode(result) };
    }
  }
  return { ok: false, error: `unknown op ${req.op}` };
};

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  let resp;
  try {
    resp = handle(JSON.parse(line));
  } catch (e) {
    resp = { ok: false, error: `driver: ${e && e.message || e}` };
  }
  process.stdout.write(JSON.stringify(resp) + "\n");
});
