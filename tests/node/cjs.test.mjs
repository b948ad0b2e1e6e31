// The CommonJS entry of the built package: the same exports as the ES module entry, and
// a real call through it.

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";

import * as esm from "../../pkg/index.mjs";
import {
  DEMO_APP_ID,
  DEMO_SECRET,
  assertZegoError,
  caught,
  startEmulator,
} from "./helpers.mjs";

const require = createRequire(import.meta.url);
const cjs = require("../../pkg/index.cjs");

let emu;

before(async () => {
  emu = await startEmulator({ port: 0, rateLimit: false });
});

after(async () => {
  await emu?.close();
});

test("require() gives the same exports as import", () => {
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
  for (const name of ["ACTION_NAMES", "AnalyticsClient", "generateSignature", "parseResponse"]) {
    assert.ok(Object.hasOwn(cjs, name), name);
  }
  assert.equal(typeof cjs.AnalyticsClient, "function");
  assert.equal(typeof cjs.generateSignature, "function");
  assert.equal(typeof cjs.parseResponse, "function");
  assert.deepEqual([...cjs.ACTION_NAMES], [...esm.ACTION_NAMES]);
  assert.equal(cjs.ACTION_NAMES.length, 8);
});

test("the package resolves by its name for require()", () => {
  const inPackage = createRequire(new URL("../../pkg/package.json", import.meta.url));
  assert.equal(inPackage.resolve("zego-analytics"), require.resolve("../../pkg/index.cjs"));
  assert.equal(inPackage("zego-analytics"), cjs);
});

test("the provider's signing example", () => {
  const signature = cjs.generateSignature(
    12345,
    "4fd24687296dd9f3",
    "9193cc662a4c0ec135ec71fb57194b38",
    1615186943,
  );
  assert.equal(signature, "43e5cfcca828314675f91b001390566a");
});

test("both entries build the same URL", () => {
  const options = { appId: DEMO_APP_ID, serverSecret: DEMO_SECRET, endpoint: emu.url };
  const params = { startDate: "20250110", endDate: "20250112", metrics: ["play_count"] };
  const at = { nonce: "0123456789abcdef", timestamp: 1736467200 };
  assert.equal(
    new cjs.AnalyticsClient(options).buildUrl("GetBizUsage", params, at),
    new esm.AnalyticsClient(options).buildUrl("GetBizUsage", params, at),
  );
});

test("a call through the CommonJS entry", async () => {
  const client = new cjs.AnalyticsClient({
    appId: DEMO_APP_ID,
    serverSecret: DEMO_SECRET,
    endpoint: emu.url,
  });
  const result = await client.getBizUsage({
    startDate: "20250110",
    endDate: "20250112",
    metrics: ["publish_count", "play_count"],
  });
  assert.match(result.requestId, /^[0-9]{19}$/);
  assert.deepEqual(result.metrics.map((m) => m.metric), ["publish_count", "play_count"]);
  for (const series of result.metrics) {
    assert.deepEqual(series.values.map((v) => v.date), ["20250110", "20250111", "20250112"]);
  }
});

test("errors from the CommonJS entry are ZegoErrors", async () => {
  const err = await caught(() => new cjs.AnalyticsClient({ appId: 0, serverSecret: "s" }));
  assertZegoError(err, { kind: "config", retryable: false });
});
