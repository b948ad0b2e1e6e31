// Clock skew: on 100000004 the client learns the server's clock from the Date header,
// keeps the offset, re-signs and sends once more.

import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";

import { AnalyticsClient } from "../../pkg/index.mjs";
import {
  BIZ,
  DEMO_APP_ID,
  DEMO_SECRET,
  QUIET,
  assertSignedAfresh,
  assertZegoError,
  caught,
  received,
  resetEmulator,
  startEmulator,
} from "./helpers.mjs";

const SKEW_MS = 20 * 60_000;

let emu;

before(async () => {
  emu = await startEmulator({ rateLimit: false, clockOffsetMs: SKEW_MS });
});

after(() => emu.close());

beforeEach(() => {
  resetEmulator(emu);
  emu.state.config.clockOffsetMs = SKEW_MS;
});

const client = (options = {}) =>
  new AnalyticsClient({
    appId: DEMO_APP_ID,
    serverSecret: DEMO_SECRET,
    endpoint: emu.url,
    ...QUIET,
    ...options,
  });

test("a server 20 minutes ahead: the first call re-signs, later ones need one", async () => {
  const c = client();
  const first = await c.getBizUsage(BIZ);
  assert.match(first.requestId, /^\d{19}$/);
  const [refused, accepted] = received(emu);
  assert.equal(received(emu).length, 2);
  const moved = Number(accepted.timestamp) - Number(refused.timestamp);
  assert.ok(Math.abs(moved - SKEW_MS / 1000) <= 2, `the timestamp moved by ${moved} s`);
  assertSignedAfresh([accepted], DEMO_SECRET, SKEW_MS);

  await c.getBizUsage(BIZ);
  await c.getBizUsage(BIZ);
  assert.equal(received(emu).length, 4, "the offset was kept");
  assertSignedAfresh(received(emu).slice(1), DEMO_SECRET, SKEW_MS);
});

test("a server behind works the same way", async () => {
  emu.state.config.clockOffsetMs = -SKEW_MS;
  await client().getBizUsage(BIZ);
  assert.equal(received(emu).length, 2);
  assertSignedAfresh(received(emu).slice(1), DEMO_SECRET, -SKEW_MS);
});

test("the resync comes on top of maxRetries and happens once only", async () => {
  await client({ maxRetries: 0 }).getBizUsage(BIZ);
  assert.equal(received(emu).length, 2);

  // The server's clock jumps again after the client has learnt it: one more resync per call.
  resetEmulator(emu);
  const c = client({ maxRetries: 0 });
  await c.getBizUsage(BIZ);
  emu.state.config.clockOffsetMs = -SKEW_MS;
  await c.getBizUsage(BIZ);
  assert.equal(received(emu).length, 4);
});

test("a second 100000004 in the same call is not retried again", async () => {
  emu.state.faults.add([
    { kind: "code", code: 100000004 },
    { kind: "code", code: 100000004 },
    { kind: "code", code: 100000004 },
  ]);
  const err = await caught(() => client({ maxRetries: 2 }).getBizUsage(BIZ));
  assertZegoError(err, { kind: "api", code: 100000004, retryable: false, attempts: 2 });
  assert.equal(received(emu).length, 2);
  emu.state.faults.clear();
});

test("without a Date header there is nothing to learn: 100000004 fails", async () => {
  const fetchWithoutDate = async (url, init) => {
    const response = await fetch(url, init);
    const headers = new Headers(response.headers);
    headers.delete("date");
    return new Response(await response.arrayBuffer(), { status: response.status, headers });
  };
  const err = await caught(() => client({ fetch: fetchWithoutDate }).getBizUsage(BIZ));
  assertZegoError(err, { kind: "api", code: 100000004, retryable: false, attempts: 1 });
  assert.equal(received(emu).length, 1);
});

test("clockOffsetMs set up front signs with the server's time from the start", async () => {
  await client({ clockOffsetMs: SKEW_MS }).getBizUsage(BIZ);
  assert.equal(received(emu).length, 1);
  assertSignedAfresh(received(emu), DEMO_SECRET, SKEW_MS);
});

test("buildUrl uses the offset a client has learnt", async () => {
  const c = client();
  await c.getBizUsage(BIZ);
  const url = new URL(c.buildUrl("GetBizUsage", BIZ));
  const timestamp = Number(url.searchParams.get("Timestamp"));
  const serverNow = (Date.now() + SKEW_MS) / 1000;
  assert.ok(Math.abs(timestamp - serverNow) <= 2, `Timestamp ${timestamp} vs ${serverNow}`);
});
