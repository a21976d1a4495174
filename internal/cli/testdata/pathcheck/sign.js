// node sign.js PAYLOAD.json CERT.pem KEY.pem ISS MONTHS
//
// Signs the DCC payload with @pathcheck/dcc-sdk as its users do: makeCWT
// (iat now, exp MONTHS later, iss ISS), then signAndPack with the signer's
// certificate (the kid is the first 8 bytes of its SHA-256) and its PKCS#8
// private key. Prints the HC1 string.
'use strict';
const fs = require('fs');
const { sdk } = require('./sdk.js');

async function main() {
  const [payloadFile, certFile, keyFile, iss, months] = process.argv.slice(2);
  if (!months) {
    console.error('usage: node sign.js PAYLOAD.json CERT.pem KEY.pem ISS MONTHS');
    process.exit(2);
  }
  const payload = JSON.parse(fs.readFileSync(payloadFile, 'utf8'));
  const cert = fs.readFileSync(certFile, 'utf8');
  const key = fs.readFileSync(keyFile, 'utf8');
  const cwt = await sdk.makeCWT(payload, Number(months), iss);
  console.log(await sdk.signAndPack(cwt, cert, key));
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
