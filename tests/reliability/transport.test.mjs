// The fetch option, a runtime without fetch, redactUrl, and the checks of the new options.

import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { inspect } from "node:util";

import * as pkg from "../../pkg/index.mjs";
import {
  BIZ,
  DEMO_APP_ID,
  DEMO_SECRET,
  QUIET,
  assertZegoError,
  caught,
  received,
  resetEmulator,
  startEmulator,
} from "./helpers.mjs";

const { AnalyticsClient, redactUrl } = pkg;

let emu;

before(async () => {
  emu = await startEmulator({ rateLimit: false });
});

after(() => emu.close());

beforeEach(() => resetEmulator(emu));

const options = (extra = {}) => ({
  appId: DEMO_APP_ID,
  serverSecret: DEMO_SECRET,
  endpoint: emu.url,
  ...QUIET,
  ...extra,
});

test("the fetch option is used for every attempt", async () => {
  const seen = [];
  const counting = (url, init) => {
    seen.push({ url: String(url), method: init?.method ?? "GET", signal: init?.signal });
    return fetch(url, init);
  };
  emu.state.faults.add([{ kind: "http", status: 502 }]);
  const client = new AnalyticsClient(options({ fetch: counting }));
  await client.getBizUsage(BIZ);
  await client.getBizUsage(BIZ);
  assert.equal(seen.length, 3);
  assert.equal(received(emu).length, 3);
  for (const call of seen) {
    assert.ok(call.url.startsWith(emu.url), call.url);
    assert.equal(call.method, "GET");
    assert.ok(call.signal instanceof AbortSignal, "each attempt gets a signal for its timeout");
  }
  assert.deepEqual(
    seen.map((call) => new URL(call.url).searchParams.get("SignatureNonce")),
    received(emu).map((r) => r.nonce),
  );
});

test("a fetch option that throws or rejects is a network error", async () => {
  const throwing = () => {
    throw new TypeError("no network here");
  };
  const rejecting = () => Promise.reject(new TypeError("connection refused"));
  for (const fetch of [throwing, rejecting]) {
    const err = await caught(() =>
      new AnalyticsClient(options({ fetch, maxRetries: 1 })).getBizUsage(BIZ),
    );
    assertZegoError(err, { kind: "network", retryable: true, attempts: 2 });
  }
  assert.equal(received(emu).length, 0);
});

test("without a global fetch: a config error that says how to pass one", async (t) => {
  const saved = globalThis.fetch;
  delete globalThis.fetch;
  t.after(() => {
    globalThis.fetch = saved;
  });
  assert.equal(typeof globalThis.fetch, "undefined");

  const err = await caught(() => new AnalyticsClient(options()).getBizUsage(BIZ));
  assertZegoError(err, { kind: "config", retryable: false });
  assert.match(err.message, /fetch/);
  assert.match(err.message, /option|pass|\{ *fetch/i, err.message);

  // Passing one works.
  const result = await new AnalyticsClient(options({ fetch: saved })).getBizUsage(BIZ);
  assert.match(result.requestId, /^\d{19}$/);
  assert.equal(received(emu).length, 1);
});

test("redactUrl masks Signature and SignatureNonce and nothing else", () => {
  const client = new AnalyticsClient(options());
  const url = client.buildUrl("GetBizUsage", BIZ, { nonce: "0011223344556677", timestamp: 1 });
  const signature = new URL(url).searchParams.get("Signature");
  const redacted = redactUrl(url);
  assert.equal(typeof redacted, "string");
  assert.ok(!redacted.includes(signature));
  assert.ok(!redacted.includes("0011223344556677"));
  const params = new URL(redacted).searchParams;
  assert.equal(params.get("Signature"), "***");
  assert.equal(params.get("SignatureNonce"), "***");
  assert.equal(params.get("AppId"), String(DEMO_APP_ID));
  assert.equal(params.get("Timestamp"), "1");
  assert.equal(params.get("Action"), "GetBizUsage");
  assert.deepEqual(params.getAll("Metrics[]"), ["play_count"]);
  // Everything but the two values is left as it was.
  const unmasked = redacted.replace("Signature=***", `Signature=${signature}`)
    .replace("SignatureNonce=***", "SignatureNonce=0011223344556677");
  assert.equal(unmasked, url);
});

test("redactUrl copes with any order and with URLs that have no signature", () => {
  const base = "https://analytics-api.zego.im/";
  assert.equal(
    redactUrl(`${base}?Signature=abc&AppId=1&SignatureNonce=def&SignatureVersion=2.0`),
    `${base}?Signature=***&AppId=1&SignatureNonce=***&SignatureVersion=2.0`,
  );
  assert.equal(redactUrl(`${base}?AppId=1`), `${base}?AppId=1`);
  assert.equal(typeof redactUrl("not a url"), "string");
  assert.ok(!redactUrl("x?Signature=0123456789abcdef").includes("0123456789abcdef"));
});

/** The config error `new AnalyticsClient(...)` throws with `extra` options, or fails. */
function refusedOption(extra) {
  let err = null;
  try {
    new AnalyticsClient(options(extra)); // eslint-disable-line no-new
  } catch (e) {
    err = e;
  }
  assert.ok(err !== null, `accepted ${inspect(extra)}`);
  assertZegoError(err, { kind: "config", retryable: false });
  return err;
}

test("the new options are checked when the client is made", () => {
  const bad = [
    { timeoutMs: -1 },
    { timeoutMs: 0 },
    { timeoutMs: "10s" },
    { maxRetries: -1 },
    { maxRetries: 1.5 },
    { maxRetryDelayMs: -5 },
    { retryBaseDelayMs: -5 },
    { rateLimit: "on" },
    { rateLimit: true },
    { clockOffsetMs: "1m" },
    { fetch: "fetch" },
    { fetch: 42 },
    { maxBodyBytes: -1 },
    { endpoint: "http://user:password@127.0.0.1:1/" },
    { endpoint: "https://user@analytics-api.zego.im/" },
    { endpoint: "http://analytics-api.zego.im/" },
  ];
  for (const extra of bad) refusedOption(extra);

  const good = new AnalyticsClient(options({
    timeoutMs: 5_000,
    maxRetries: 0,
    maxRetryDelayMs: 1_000,
    retryBaseDelayMs: 100,
    rateLimit: "auto",
    clockOffsetMs: -30_000,
    fetch: (url, init) => fetch(url, init),
    maxBodyBytes: 1024,
  }));
  assert.equal(good.appId, DEMO_APP_ID);
});

test("a refused endpoint's message does not repeat its credentials", () => {
  // Someone pasting "AppId:ServerSecret@" into the endpoint must not see it echoed into logs.
  const password = "5c3a9e2b7d1f40e8a6b2c9d0e1f2a3b4";
  for (const endpoint of [
    `https://${DEMO_APP_ID}:${password}@analytics-api.zego.im/`,
    `http://user:${password}@127.0.0.1:1/`,
  ]) {
    const err = refusedOption({ endpoint, serverSecret: "0".repeat(32) });
    const shown = JSON.stringify(err, Object.getOwnPropertyNames(err)) + inspect(err);
    assert.ok(!shown.includes(password), err.message);
  }
});

test("numbers that are not finite are refused, not taken as the default", () => {
  const names = ["timeoutMs", "maxRetries", "maxRetryDelayMs", "retryBaseDelayMs",
    "clockOffsetMs", "maxBodyBytes"];
  for (const name of names) {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) refusedOption({ [name]: value });
  }
});

test("the package exports redactUrl; the glue exports wasmMemoryBytes", async () => {
  assert.equal(typeof pkg.redactUrl, "function");
  const glue = await import("../../pkg/zego_analytics.js");
  assert.equal(typeof glue.wasmMemoryBytes, "function");
  const bytes = glue.wasmMemoryBytes();
  assert.ok(Number.isInteger(bytes) && bytes > 0 && bytes % 65_536 === 0, `${bytes}`);
});
