// Rate limits: with rateLimit "auto" the client spaces its own calls per AppId and action
// and refuses, without sending, a call that would have to wait too long.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { AnalyticsClient } from "../../pkg/index.mjs";
import {
  BIZ,
  assertZegoError,
  caught,
  received,
  since,
  startEmulator,
  streamInfo,
} from "./helpers.mjs";

// The limits are per AppId and shared by every client in the process, so each test has an
// app of its own.
const apps = Array.from({ length: 8 }, (_, i) => ({
  appId: 3001 + i,
  serverSecret: `${"0123456789abcdef".repeat(2).slice(i)}${"a".repeat(i)}`,
}));

let emu;

before(async () => {
  // The emulator enforces the limits too: a client that sent too fast would see 30002.
  emu = await startEmulator({ apps });
});

after(() => emu.close());

const client = (app, options = {}) =>
  new AnalyticsClient({ ...app, endpoint: emu.url, retryBaseDelayMs: 10, ...options });

const sentBy = (app) => received(emu).filter((r) => r.appId === String(app.appId));

test("the 4th quick call of a per-second action waits about a second, in order", async () => {
  const app = apps[0];
  const c = client(app);
  const start = performance.now();
  const finished = [];
  const calls = [0, 1, 2, 3].map((i) =>
    c.getStreamBaseInfo(streamInfo()).then((result) => {
      finished.push({ i, at: since(start) });
      return result;
    }),
  );
  const results = await Promise.all(calls);
  assert.ok(results.every((r) => /^\d{19}$/.test(r.requestId)));
  assert.deepEqual(finished.map((f) => f.i), [0, 1, 2, 3]);
  assert.ok(finished[2].at < 800, `3rd after ${finished[2].at} ms`);
  assert.ok(finished[3].at >= 950 && finished[3].at < 2_500, `4th after ${finished[3].at} ms`);

  const sent = sentBy(app);
  assert.equal(sent.length, 4, "no call was refused by the emulator and sent again");
  assert.ok(sent[3].at - sent[0].at >= 950);
});

test("seven quick calls go out three per second", async () => {
  const app = apps[1];
  const c = client(app);
  const results = await Promise.all(
    Array.from({ length: 7 }, () => c.getPlayQualityDetail({
      roomId: "r", userId: "u", streamId: "s", metrics: ["mos"],
      startTs: Date.now() - 120_000, endTs: Date.now() - 60_000,
    })),
  );
  assert.equal(results.length, 7);
  const sent = sentBy(app);
  assert.equal(sent.length, 7);
  for (let i = 3; i < sent.length; i += 1) {
    const wait = sent[i].at - sent[i - 3].at;
    assert.ok(wait >= 950, `call ${i + 1} came ${wait} ms after call ${i - 2}`);
  }
});

test("a per-minute action: the 4th call fails at once, nothing sent", async () => {
  const app = apps[2];
  const c = client(app, { maxRetryDelayMs: 5_000 });
  for (let i = 0; i < 3; i += 1) await c.getBizUsage(BIZ);

  const start = performance.now();
  const err = await caught(() => c.getBizUsage(BIZ));
  assert.ok(since(start) < 200, `refused after ${since(start)} ms`);
  assertZegoError(err, { kind: "api", code: 30002, retryable: true });
  assert.equal(err.attempts ?? 0, 0);
  assert.ok(err.retryAfterMs >= 55_000 && err.retryAfterMs <= 66_000, `${err.retryAfterMs}`);
  assert.match(err.message, /GetBizUsage/);
  await sleep(50);
  assert.equal(sentBy(app).length, 3);
});

test("the limits are per action and per AppId, and shared by clients of one AppId", async () => {
  const [first, other] = [apps[3], apps[4]];
  const a = client(first, { maxRetryDelayMs: 1_000 });
  const b = client(first, { maxRetryDelayMs: 1_000 });
  await a.getBizUsage(BIZ);
  await b.getBizUsage(BIZ);
  await a.getBizUsage(BIZ);
  const err = await caught(() => b.getBizUsage(BIZ));
  assertZegoError(err, { kind: "api", code: 30002 });

  // Another action and another AppId are not held up.
  const quality = { startDate: "2024-01-01", endDate: "2024-01-02", metrics: ["fft"] };
  await a.getBizQuality(quality);
  await client(other).getBizUsage(BIZ);
  assert.equal(sentBy(first).length, 4);
  assert.equal(sentBy(other).length, 1);
});

test('rateLimit "off" sends the 4th call and the emulator answers 30002', async () => {
  const app = apps[5];
  const c = client(app, { rateLimit: "off" });
  for (let i = 0; i < 3; i += 1) await c.getBizUsage(BIZ);
  const err = await caught(() => c.getBizUsage(BIZ));
  assertZegoError(err, { kind: "api", code: 30002, retryable: true, attempts: 1 });
  assert.ok(err.retryAfterMs >= 55_000 && err.retryAfterMs <= 66_000, `${err.retryAfterMs}`);
  assert.equal(sentBy(app).length, 4);
});

test("a queued call that gets 30002 anyway waits for the window it knows", async () => {
  // The emulator's window was filled by someone else (another process, say): the client's
  // own record says nothing, so it learns from the answer.
  const app = apps[6];
  const outsider = client(app, { rateLimit: "off" });
  for (let i = 0; i < 3; i += 1) await outsider.getStreamBaseInfo(streamInfo());
  const start = performance.now();
  const result = await client(app).getStreamBaseInfo(streamInfo());
  assert.match(result.requestId, /^\d{19}$/);
  const took = since(start);
  assert.ok(took >= 500 && took < 2_500, `took ${took} ms`);
  const sent = sentBy(app);
  assert.equal(sent.length, 5);
  assert.ok(sent[4].at - sent[0].at >= 1_000, "the retry came after the emulator's window");
});

test("calls in flight keep their place: slow first requests cannot crowd the 4th", async () => {
  const app = apps[7];
  let n = 0;
  // The first three take 1.5 s to reach the service (a cold connection, a slow proxy).
  const slowStart = async (url, init) => {
    if (n++ < 3) await sleep(1_500);
    return fetch(url, init);
  };
  const c = client(app, { fetch: slowStart, maxRetries: 0 });
  const results = await Promise.all([0, 1, 2, 3].map(() => c.getStreamBaseInfo(streamInfo())));
  assert.equal(results.length, 4);
  const arrivals = sentBy(app).map((r) => r.at).sort((a, b) => a - b);
  assert.equal(arrivals.length, 4);
  const offsets = arrivals.map((t) => t - arrivals[0]);
  assert.ok(offsets[3] >= 1_000, `arrivals at ${offsets} ms`);
});
