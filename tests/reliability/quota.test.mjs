// Daily quotas, on a fake clock: the client counts the calls of each action per UTC day and
// refuses, without sending, once the service's quota (480 or 10000) is spent.
//
// Spending a quota in real time would take an hour (10000 calls at three per second) or a
// day (480 calls at three per minute), so this file moves `Date.now`, which both the client
// and the in-process emulator read, forward between calls. Only the clock is fake: every
// call is a real request that the emulator checks, signature expiry and rate limits
// included, so a client that spaced its calls wrongly would see 30002 from the emulator.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AnalyticsClient } from "../../pkg/index.mjs";
import {
  assertZegoError,
  caught,
  qualityDetail,
  received,
  startEmulator,
} from "./helpers.mjs";

const DAY_MS = 86_400_000;
const APP_SECOND = { appId: 4001, serverSecret: "4001abcdef0123456789abcdef012345" };
const APP_MINUTE = { appId: 4002, serverSecret: "4002abcdef0123456789abcdef012345" };

const realNow = Date.now;
// A minute into the current UTC day; the runs below stay well inside that day.
let fakeNow = Math.floor(realNow() / DAY_MS) * DAY_MS + 60_000;

let emu;

before(async () => {
  Date.now = () => fakeNow;
  emu = await startEmulator({ apps: [APP_SECOND, APP_MINUTE], now: () => Date.now() });
});

after(async () => {
  Date.now = realNow;
  await emu.close();
});

const sentBy = (app) => received(emu).filter((r) => r.appId === String(app.appId)).length;

test("10000 calls of a per-second action per UTC day, then refused locally", async (t) => {
  const c = new AnalyticsClient({ ...APP_SECOND, endpoint: emu.url, maxRetries: 0 });
  const started = performance.now();
  for (let i = 0; i < 10_000; i += 1) {
    // Three calls per 1.05 s is what the client allows itself; 400 ms apart needs no wait.
    fakeNow += 400;
    try {
      await c.getPublishQualityDetail(qualityDetail(fakeNow));
    } catch (err) {
      assert.fail(`call ${i + 1} failed: ${err.message}`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  assert.equal(sentBy(APP_SECOND), 10_000);

  fakeNow += 400;
  const err = await caught(() => c.getPublishQualityDetail(qualityDetail(fakeNow)));
  assertZegoError(err, { kind: "api", code: 30002, retryable: true });
  assert.equal(err.attempts ?? 0, 0);
  assert.match(err.message, /10000/);
  const untilMidnight = (Math.floor(fakeNow / DAY_MS) + 1) * DAY_MS - fakeNow;
  assert.ok(Math.abs(err.retryAfterMs - untilMidnight) < 5_000,
    `retryAfterMs ${err.retryAfterMs}, midnight in ${untilMidnight}`);
  assert.equal(sentBy(APP_SECOND), 10_000, "the refused call was not sent");

  // The other per-user actions have quotas of their own.
  await c.getPlayQualityDetail(qualityDetail(fakeNow, ["mos"]));
  assert.equal(sentBy(APP_SECOND), 10_001);

  // A new UTC day starts afresh.
  fakeNow = (Math.floor(fakeNow / DAY_MS) + 1) * DAY_MS + 1_000;
  await c.getPublishQualityDetail(qualityDetail(fakeNow));
  assert.equal(sentBy(APP_SECOND), 10_002);
  t.diagnostic(`10000 per-second calls on the fake clock in ${seconds} s`);
});

test("480 calls of a per-minute action per UTC day, then refused locally", async () => {
  const c = new AnalyticsClient({ ...APP_MINUTE, endpoint: emu.url, maxRetries: 0 });
  const biz = { startDate: "2024-01-01", endDate: "2024-01-02", metrics: ["play_count"] };
  for (let i = 0; i < 480; i += 1) {
    fakeNow += 22_000; // three per 63 s
    try {
      await c.getBizUsage(biz);
    } catch (err) {
      assert.fail(`call ${i + 1} failed: ${err.message}`);
    }
  }
  assert.equal(sentBy(APP_MINUTE), 480);

  fakeNow += 22_000;
  const err = await caught(() => c.getBizUsage(biz));
  assertZegoError(err, { kind: "api", code: 30002, retryable: true });
  assert.match(err.message, /480/);
  assert.ok(err.retryAfterMs > 60_000, `retryAfterMs ${err.retryAfterMs}`);
  assert.equal(sentBy(APP_MINUTE), 480);
});
