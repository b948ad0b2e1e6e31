// Retries: which failures are sent again, how often, after which waits, and that every
// attempt is signed afresh.

import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";

import { AnalyticsClient } from "../../pkg/index.mjs";
import {
  BIZ,
  DEMO_APP_ID,
  DEMO_SECRET,
  QUIET,
  assertSignedAfresh,
  assertZegoError,
  caught,
  gaps,
  received,
  resetEmulator,
  since,
  startEmulator,
  streamInfo,
} from "./helpers.mjs";

let emu;

before(async () => {
  emu = await startEmulator({ rateLimit: false });
});

after(() => emu.close());

beforeEach(() => resetEmulator(emu));

const client = (options = {}) =>
  new AnalyticsClient({
    appId: DEMO_APP_ID,
    serverSecret: DEMO_SECRET,
    endpoint: emu.url,
    ...QUIET,
    ...options,
  });

// Each transient failure, and the error it gives once the retries are spent.
const TRANSIENT = [
  ["HTTP 502, HTML", { kind: "http", status: 502 }, { kind: "http", httpStatus: 502 }],
  ["HTTP 503", { kind: "http", status: 503 }, { kind: "http", httpStatus: 503 }],
  ["HTTP 429", { kind: "http", status: 429, body: "later" }, { kind: "http", httpStatus: 429 }],
  ["code 500", { kind: "code", code: 500 }, { kind: "api", code: 500 }],
  ["code 100000015", { kind: "code", code: 100000015 }, { kind: "api", code: 100000015 }],
  ["a dropped connection", { kind: "drop" }, { kind: "network" }],
];

describe("transient failures are retried", () => {
  for (const [name, fault, expected] of TRANSIENT) {
    test(`${name}: once, then success`, async () => {
      emu.state.faults.add([fault]);
      const result = await client().getBizUsage(BIZ);
      assert.match(result.requestId, /^\d{19}$/);
      assert.equal(received(emu).length, 2);
      assertSignedAfresh(received(emu));
    });

    test(`${name}: up to maxRetries, then the error`, async () => {
      emu.state.faults.add([{ ...fault, count: 4 }]);
      const err = await caught(() => client({ maxRetries: 3 }).getBizUsage(BIZ));
      assertZegoError(err, { ...expected, retryable: true, attempts: 4 });
      assert.equal(received(emu).length, 4);
      assertSignedAfresh(received(emu));
    });
  }

  test("the default is two retries", async () => {
    emu.state.faults.add([{ kind: "code", code: 500, count: 5 }]);
    const err = await caught(() => client().getBizUsage(BIZ));
    assertZegoError(err, { kind: "api", code: 500, attempts: 3 });
    assert.equal(received(emu).length, 3);
  });

  test("maxRetries 0 turns retrying off", async () => {
    emu.state.faults.add([{ kind: "http", status: 502 }]);
    const err = await caught(() => client({ maxRetries: 0 }).getBizUsage(BIZ));
    assertZegoError(err, { kind: "http", httpStatus: 502, retryable: true, attempts: 1 });
    assert.equal(received(emu).length, 1);
  });

  test("an HTML error page is summed up, not returned whole", async () => {
    const page = `<html><body>${"<p>bad gateway</p>".repeat(500)}</body></html>`;
    emu.state.faults.add([{ kind: "http", status: 502, body: page }]);
    const err = await caught(() => client({ maxRetries: 0 }).getBizUsage(BIZ));
    assertZegoError(err, { kind: "http", httpStatus: 502 });
    assert.equal(typeof err.bodyExcerpt, "string");
    assert.ok(err.bodyExcerpt.length <= 200, `excerpt of ${err.bodyExcerpt.length} chars`);
  });
});

describe("permanent failures are never retried", () => {
  const codes = [10001, 10002, 100000001, 100000005, 100000010, 100000014];
  for (const code of codes) {
    test(`code ${code}`, async () => {
      emu.state.faults.add([{ kind: "code", code, count: 3 }]);
      const err = await caught(() => client({ maxRetries: 5 }).getBizUsage(BIZ));
      assertZegoError(err, { kind: "api", code, retryable: false, attempts: 1 });
      assert.equal(received(emu).length, 1);
      emu.state.faults.clear();
    });
  }

  test("a real wrong signature from the emulator", async () => {
    const wrong = client({ serverSecret: "ffffffffffffffffffffffffffffffff", maxRetries: 5 });
    const err = await caught(() => wrong.getBizUsage(BIZ));
    assertZegoError(err, { kind: "api", code: 100000005, retryable: false, attempts: 1 });
    assert.equal(received(emu).length, 1);
  });

  test("HTTP 404 and 400", async () => {
    emu.state.faults.add([
      { kind: "http", status: 404 },
      { kind: "http", status: 400, body: "bad request" },
    ]);
    for (const status of [404, 400]) {
      const err = await caught(() => client().getBizUsage(BIZ));
      assertZegoError(err, { kind: "http", httpStatus: status, retryable: false, attempts: 1 });
    }
    assert.equal(received(emu).length, 2);
  });
});

describe("waits", () => {
  test("backoff doubles from retryBaseDelayMs, with jitter in [0.5, 1]", async () => {
    emu.state.faults.add([{ kind: "http", status: 502, count: 3 }]);
    await client({ retryBaseDelayMs: 200, maxRetries: 3 }).getBizUsage(BIZ);
    const waits = gaps(received(emu));
    assert.equal(waits.length, 3);
    for (const [i, wait] of waits.entries()) {
      const step = 200 * 2 ** i;
      assert.ok(wait >= step / 2 - 5 && wait <= step + 150, `wait ${i + 1}: ${wait} ms`);
    }
  });

  test("no single wait exceeds maxRetryDelayMs", async () => {
    emu.state.faults.add([{ kind: "code", code: 500, count: 2 }]);
    const c = client({ retryBaseDelayMs: 5_000, maxRetryDelayMs: 300, maxRetries: 2 });
    await c.getBizUsage(BIZ);
    for (const wait of gaps(received(emu))) {
      assert.ok(wait >= 140 && wait <= 450, `waited ${wait} ms`);
    }
  });

  test("each attempt takes a new timestamp as well as a new nonce", async () => {
    // A first retry waits 1 to 2 s here, so the two timestamps must differ.
    emu.state.faults.add([{ kind: "http", status: 503 }]);
    await client({ retryBaseDelayMs: 2_000, maxRetries: 1 }).getBizUsage(BIZ);
    const [first, second] = received(emu);
    assert.notEqual(first.nonce, second.nonce);
    assert.ok(Number(second.timestamp) > Number(first.timestamp), "the timestamp was reused");
    assertSignedAfresh(received(emu));
  });

  test("30002 on a per-minute action fails at once when the wait is too long", async () => {
    emu.state.faults.add([{ kind: "code", code: 30002, count: 3 }]);
    const start = performance.now();
    const err = await caught(() => client().getBizUsage(BIZ));
    assertZegoError(err, { kind: "api", code: 30002, retryable: true, attempts: 1 });
    assert.ok(since(start) < 1_000, `took ${since(start)} ms`);
    assert.equal(typeof err.retryAfterMs, "number");
    assert.ok(err.retryAfterMs >= 55_000 && err.retryAfterMs <= 66_000, `${err.retryAfterMs}`);
    assert.equal(received(emu).length, 1);
  });

  test("30002 on a per-second action waits for the window and succeeds", async () => {
    emu.state.faults.add([{ kind: "code", code: 30002 }]);
    const result = await client().getStreamBaseInfo(streamInfo());
    assert.ok(Array.isArray(result.metrics));
    const [wait] = gaps(received(emu));
    assert.ok(wait >= 900 && wait <= 1_600, `waited ${wait} ms`);
    assertSignedAfresh(received(emu));
  });

  test("a maxRetryDelayMs below the window fails 30002 at once with retryAfterMs", async () => {
    emu.state.faults.add([{ kind: "code", code: 30002 }]);
    const c = client({ maxRetryDelayMs: 100 });
    const err = await caught(() => c.getStreamBaseInfo(streamInfo()));
    assertZegoError(err, { kind: "api", code: 30002, retryable: true, attempts: 1 });
    assert.ok(err.retryAfterMs > 100 && err.retryAfterMs <= 1_100, `${err.retryAfterMs}`);
  });
});
