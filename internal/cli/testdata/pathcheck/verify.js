// node verify.js CODE.txt CERT.pem [EXPECTED.json]
//
// Verifies an HC1 string with @pathcheck/dcc-sdk's unpackAndVerify, the
// certificate CERT.pem registered (addCachedCerts) under the kid the code
// names, as a verifier holding that certificate would. Prints the kid, the
// SDK's status, and with EXPECTED.json whether the signed payload is that
// one. Exits 0 only when the status is "verified" (and the payload the same).
'use strict';
const fs = require('fs');
const { sdk, version, cbor } = require('./sdk.js');

// The kid of the COSE_Sign1 message: protected header 4, else unprotected.
async function kidOf(uri) {
  const cose = await sdk.unpack(uri);
  let msg = cbor.decodeFirstSync(cose);
  if (msg instanceof cbor.Tagged) msg = msg.value;
  const [p, u] = msg;
  const prot = p.length ? cbor.decodeFirstSync(p) : new Map();
  const kid = prot.get(4) || (u instanceof Map ? u.get(4) : undefined);
  if (!kid) throw new Error('the code has no kid');
  return Buffer.from(kid).toString('base64');
}

// JSON with the keys of every object sorted, to compare payloads.
function canonical(v) {
  if (v instanceof Map) v = Object.fromEntries(v);
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  if (v && typeof v === 'object') {
    return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonical(v[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}

async function main() {
  const [codeFile, certFile, expectedFile] = process.argv.slice(2);
  if (!certFile) {
    console.error('usage: node verify.js CODE.txt CERT.pem [EXPECTED.json]');
    process.exit(2);
  }
  const uri = fs.readFileSync(codeFile, 'utf8').trim();
  const b64 = fs.readFileSync(certFile, 'utf8')
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  const kid = await kidOf(uri);
  sdk.addCachedCerts({ [kid]: b64 });
  const r = await sdk.unpackAndVerify(uri);
  console.log('sdk: @pathcheck/dcc-sdk ' + version);
  console.log('kid: ' + kid);
  console.log('status: ' + r.status);
  let ok = r.status === 'verified';
  if (ok && expectedFile) {
    const hcert = r.contents.get(-260);
    const got = canonical(hcert instanceof Map ? hcert.get(1) : hcert[1]);
    const want = canonical(JSON.parse(fs.readFileSync(expectedFile, 'utf8')));
    if (got === want) {
      console.log('payload: the same as ' + expectedFile);
    } else {
      console.log('payload: differs from ' + expectedFile + ': got ' + got);
      ok = false;
    }
  }
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
