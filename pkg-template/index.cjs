// Node.js (CommonJS): the same module, from the CommonJS copy of the glue.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const glue = require("./zego_analytics.cjs");

glue.initSync({ module: readFileSync(join(__dirname, "zego_analytics_bg.wasm")) });

module.exports = {
  AnalyticsClient: glue.AnalyticsClient,
  generateSignature: glue.generateSignature,
  parseResponse: glue.parseResponse,
  verifySignedUrl: glue.verifySignedUrl,
  redactUrl: glue.redactUrl,
  ACTION_NAMES: Object.freeze(glue.actionNames()),
  ACTIONS: glue.actions(),
};
