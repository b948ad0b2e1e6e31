// Hostile answers: bodies too large, cut short, not JSON, of the wrong shape, absurdly
// nested or not UTF-8. Each gives a "parse" or "http" error, never a crash of the wasm
// instance, and the next call works.

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { AnalyticsClient, parseResponse } from "../../pkg/index.mjs";
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

const MiB = 1024 * 1024;
const ID = "1796398262834007921";
// `{"` and two bytes that are never UTF-8.
const NOT_UTF8 = Buffer.from([0x7b, 0x22, 0xff, 0xfe]).toString("base64");

let emu;
let c;

before(async () => {
  emu = await startEmulator({ rateLimit: false });
  c = new AnalyticsClient({
    appId: DEMO_APP_ID,
    serverSecret: DEMO_SECRET,
    endpoint: emu.url,
    ...QUIET,
    maxRetries: 0,
    timeoutMs: 10_000,
  });
});

after(() => emu.close());

beforeEach(() => resetEmulator(emu));

/** The next call works and gives the emulator's answer. */
async function nextCallWorks(client = c) {
  const result = await client.getBizUsage(BIZ);
  assert.match(result.requestId, /^\d{19}$/);
  assert.equal(result.metrics[0].values.length, 3);
}

/** Queues `fault`, calls, checks the error's kind, then checks that the next call works. */
async function refused(fault, kinds, client = c) {
  emu.state.faults.add([fault]);
  const err = await caught(() => client.getBizUsage(BIZ));
  assertZegoError(err, {});
  assert.ok(kinds.includes(err.kind), `kind ${err.kind}: ${err.message}`);
  await nextCallWorks(client);
  return err;
}

const envelope = (data) => `{"Code":0,"Message":"success","RequestId":${ID},"Data":${data}}`;

describe("bodies over maxBodyBytes are refused without being read whole", () => {
  const small = () =>
    new AnalyticsClient({
      appId: DEMO_APP_ID,
      serverSecret: DEMO_SECRET,
      endpoint: emu.url,
      ...QUIET,
      maxRetries: 0,
      maxBodyBytes: MiB,
    });

  for (const chunked of [false, true]) {
    const how = chunked ? "without Content-Length" : "with Content-Length";
    test(how, async () => {
      const total = 256 * MiB;
      const client = small();
      const err = await refused({ kind: "oversize", bytes: total, chunked }, ["parse"], client);
      assert.match(err.message, /maxBodyBytes|large|size/i);
      await sleep(100);
      const { sentBytes } = received(emu).find((r) => r.fault === "oversize");
      assert.ok(sentBytes < 32 * MiB, `the emulator wrote ${sentBytes} bytes`);
    });
  }

  test("a body just under the cap is read", async () => {
    const client = small();
    emu.state.faults.add([{ kind: "oversize", bytes: MiB - 1 }]);
    // The padded envelope has no Metrics; what matters is that it was not refused for size.
    const outcome = await client.getBizUsage(BIZ).then(
      () => null,
      (err) => err,
    );
    if (outcome !== null) assert.doesNotMatch(outcome.message, /maxBodyBytes/);
    await nextCallWorks(client);
  });

  test("the default cap is 32 MiB", async () => {
    await refused({ kind: "oversize", bytes: 32 * MiB + 1 }, ["parse"]);
    await refused({ kind: "oversize", bytes: 40 * MiB, chunked: true }, ["parse"]);
  });
});

describe("broken and hostile bodies", () => {
  const cases = [
    ["a body cut in half", { kind: "truncate" }],
    ["an HTML page with status 200", { kind: "http", status: 200 }],
    ["a proxy page as JSON content", { kind: "body", body: "<html>502</html>" }],
    ["invalid JSON", { kind: "body", body: '{"Code":0,"Message":"success",' }],
    ["an empty body", { kind: "body", body: "" }],
    ["null", { kind: "body", body: "null" }],
    ["an array", { kind: "body", body: "[]" }],
    ["a string", { kind: "body", body: '"Code"' }],
    ["Code as a string", { kind: "body", body: `{"Code":"0","Message":"x","RequestId":${ID}}` }],
    ["Code as a fraction", { kind: "body", body: `{"Code":0.5,"Message":"x","RequestId":${ID}}` }],
    ["Code out of range", { kind: "body", body: `{"Code":1e400,"Message":"x","RequestId":1}` }],
    ["no Code", { kind: "body", body: `{"Message":"success","RequestId":${ID},"Data":{}}` }],
    ["Data an array", { kind: "body", body: envelope("[]") }],
    ["Metrics a string", { kind: "body", body: envelope('{"Metrics":"play_count"}') }],
    ["Values of the wrong type", {
      kind: "body",
      body: envelope('{"Metrics":[{"Metric":"play_count","Values":[{"Date":1,"Value":"x"}]}]}'),
    }],
    ["RequestId an object", { kind: "body", body: '{"Code":0,"Message":"","RequestId":{}}' }],
    ["a 100000-deep array", { kind: "body", body: "[".repeat(100_000) + "]".repeat(100_000) }],
    ["100000-deep Data", {
      kind: "body",
      body: envelope('{"Metrics":' + "[".repeat(100_000) + "]".repeat(100_000) + "}"),
    }],
    ["100000 unclosed objects", { kind: "body", body: '{"a":'.repeat(100_000) }],
    ["invalid UTF-8", { kind: "bytes", base64: NOT_UTF8 }],
    ["invalid UTF-8 inside a valid envelope", {
      kind: "bytes",
      base64: Buffer.concat([
        Buffer.from(`{"Code":10001,"Message":"`),
        Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
        Buffer.from(`","RequestId":${ID}}`),
      ]).toString("base64"),
    }],
    ["a NUL byte and a BOM", {
      kind: "bytes",
      base64: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(envelope("{}")),
        Buffer.from([0])]).toString("base64"),
    }],
  ];

  for (const [name, fault] of cases) {
    test(name, async () => {
      await refused(fault, ["parse", "http"]);
    });
  }

  test("invalid UTF-8 is a parse error", async () => {
    const err = await refused({ kind: "bytes", base64: NOT_UTF8 }, ["parse"]);
    assert.equal(err.retryable, false);
  });

  test("an HTTP 5xx answer keeps a short excerpt of its body", async () => {
    const body = `<html>${"x".repeat(10_000)}</html>`;
    const err = await refused({ kind: "http", status: 500, body }, ["http"]);
    assert.equal(err.httpStatus, 500);
    assert.ok(err.bodyExcerpt.length <= 200);
  });

  test("parseResponse survives the same inputs", () => {
    for (const [, fault] of cases) {
      const text = fault.kind === "body" ? fault.body : "{\"Code\":";
      const err = (() => {
        try {
          parseResponse("GetBizUsage", text);
        } catch (e) {
          return e;
        }
        return null;
      })();
      if (err !== null) assertZegoError(err, {});
    }
    const good = parseResponse("GetBizUsage", envelope(
      '{"Metrics":[{"Metric":"play_count","Values":[{"Date":"20240101","Value":7}]}]}'));
    assert.equal(good.requestId, ID);
  });

  test("after all of them, the instance still works", async () => {
    await nextCallWorks();
  });
});
