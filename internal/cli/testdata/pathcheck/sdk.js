// Loads @pathcheck/dcc-sdk from $DCC_PATHCHECK_DIR/node_modules, with its
// trust-registry download disabled: the SDK fetches a registry from the
// internet for any kid it does not know, and a test must never do that.
'use strict';
const path = require('path');
const Module = require('module');

const dir = process.env.DCC_PATHCHECK_DIR;
if (!dir) {
  console.error('DCC_PATHCHECK_DIR is not set');
  process.exit(2);
}
const from = path.join(dir, 'node_modules', '@pathcheck', 'dcc-sdk', 'lib', 'index.js');
const req = Module.createRequire(from);

// The SDK's resolver imports cross-fetch: answer from the require cache
// with a fetch that refuses, so an unknown kid fails without a network call.
const fetchPath = req.resolve('cross-fetch');
const refuse = async (url) => {
  throw new Error('network disabled in this test (the SDK asked for ' + url + ')');
};
refuse.default = refuse;
const cached = new Module(fetchPath);
cached.filename = fetchPath;
cached.loaded = true;
cached.exports = refuse;
require.cache[fetchPath] = cached;

// esm, the SDK's ES-module loader (2019), cannot parse the newer syntax of
// some of its dependencies' current releases (optional chaining in
// @peculiar/webcrypto): load them with Node first, so that esm finds them in
// the require cache and compiles only the SDK's own files.
const deps = Object.keys(req('../package.json').dependencies).filter((d) => d !== 'esm' && d !== 'cross-fetch');
for (const d of deps) {
  try {
    req(d);
  } catch (e) {
    if (e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && e.code !== 'MODULE_NOT_FOUND') throw e;
  }
}

const sdk = req(from);
const version = req(path.join(dir, 'node_modules', '@pathcheck', 'dcc-sdk', 'package.json')).version;

module.exports = { sdk, version, cbor: req('cbor') };
