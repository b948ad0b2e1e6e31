// Node and Bun, CommonJS: the package as `require` resolves it.
"use strict";
const zego = require("zego-analytics");

import("./conformance.mjs")
  .then(({ runConformance }) => runConformance(zego, { emulatorUrl: process.argv[2] }))
  .then((summary) => console.log(`conformance-summary ${JSON.stringify(summary)}`));
