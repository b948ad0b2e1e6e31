// Cancellation: the caller's AbortSignal stops the attempt in flight, a pending backoff
// wait and a rate-limit queue wait, at once, with kind "aborted".

import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { AnalyticsClient } from "../../pkg/index.mjs";
import {
  BIZ,
  DEMO_APP_ID,
  DEMO_SECRET,
  QUIET,
  assertZegoError,
  caught,
  received,
  resetEmulator,
  since,
  startEmulator,
  until,
} from "./helpers.mjs";

// An app of its own, so that rate-limit windows of other tests cannot interfere.
const QUEUE_APP = { appId: 2001, serverSecret: "0123456789abcdef0123456789abcdef" };

let emu;

before(async () => {
  emu = await startEmulator({ rateLimit: false, apps: [QUEUE_APP] });
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

/** Aborts `controller` once the emulator has received `n` requests, plus `delayMs`. */
async function abortAfterRequests(controller, n, delayMs = 20) {
  await until(() => received(emu).length >= n);
  await sleep(delayMs);
  controller.abort();
  return performance.now();
}

test("an already-aborted signal sends nothing", async () => {
  const err = await caught(() => client().getBizUsage(BIZ, { signal: AbortSignal.abort() }));
  assertZegoError(err, { kind: "aborted", retryable: false });
  assert.equal(err.attempts ?? 0, 0);

  const controller = new AbortController();
  controller.abort(new Error("user pressed stop"));
  const again = await caught(() => client().getBizUsage(BIZ, { signal: controller.signal }));
  assertZegoError(again, { kind: "aborted" });
  await sleep(50);
  assert.equal(received(emu).length, 0);
});

test("aborting stops the attempt in flight at once", async () => {
  emu.state.faults.add([{ kind: "hang" }]);
  const controller = new AbortController();
  const call = caught(() =>
    client({ timeoutMs: 30_000 }).getBizUsage(BIZ, { signal: controller.signal }),
  );
  const abortedAt = await abortAfterRequests(controller, 1);
  const err = await call;
  const lag = since(abortedAt);
  assertZegoError(err, { kind: "aborted", retryable: false, attempts: 1 });
  assert.ok(lag < 200, `settled ${lag} ms after the abort`);
  await sleep(100);
  assert.equal(received(emu).length, 1, "an aborted call is not retried");
});

test("aborting while the body is being read stops it", async () => {
  emu.state.faults.add([{ kind: "slow", delayMs: 10_000 }]);
  const controller = new AbortController();
  const call = caught(() => client().getBizUsage(BIZ, { signal: controller.signal }));
  const abortedAt = await abortAfterRequests(controller, 1, 200);
  const err = await call;
  assertZegoError(err, { kind: "aborted" });
  assert.ok(since(abortedAt) < 200);
});

test("aborting stops a pending backoff wait at once", async () => {
  // The first retry would wait 2.5 to 5 s.
  emu.state.faults.add([{ kind: "http", status: 502 }]);
  const controller = new AbortController();
  const call = caught(() =>
    client({ retryBaseDelayMs: 5_000 }).getBizUsage(BIZ, { signal: controller.signal }),
  );
  const abortedAt = await abortAfterRequests(controller, 1, 100);
  const err = await call;
  const lag = since(abortedAt);
  assertZegoError(err, { kind: "aborted", retryable: false });
  assert.ok(lag < 200, `settled ${lag} ms after the abort`);
  await sleep(100);
  assert.equal(received(emu).length, 1, "nothing is sent after the abort");
});

test("aborting stops a wait in the rate-limit queue at once", async () => {
  const queued = new AnalyticsClient({
    ...QUEUE_APP,
    endpoint: emu.url,
    rateLimit: "auto",
    maxRetryDelayMs: 120_000,
  });
  for (let i = 0; i < 3; i += 1) await queued.getBizUsage(BIZ);
  assert.equal(received(emu).length, 3);

  // The fourth call of the minute waits about a minute in the queue.
  const controller = new AbortController();
  const start = performance.now();
  const call = caught(() => queued.getBizUsage(BIZ, { signal: controller.signal }));
  await sleep(100);
  const abortedAt = performance.now();
  controller.abort();
  const err = await call;
  assertZegoError(err, { kind: "aborted", retryable: false });
  assert.equal(err.attempts ?? 0, 0);
  assert.ok(since(abortedAt) < 200, `settled ${since(abortedAt)} ms after the abort`);
  assert.ok(since(start) < 1_000);
  await sleep(50);
  assert.equal(received(emu).length, 3, "the queued call was never sent");

  // A queued call behind it that asks for a short wait is refused at once, not blocked.
  const short = await caught(() =>
    new AnalyticsClient({ ...QUEUE_APP, endpoint: emu.url, maxRetryDelayMs: 1_000 })
      .getBizUsage(BIZ),
  );
  assertZegoError(short, { kind: "api", code: 30002, retryable: true });
});

test("one signal can cancel several calls, and a later call still works", async () => {
  emu.state.faults.add([{ kind: "hang", count: 3 }]);
  const controller = new AbortController();
  const c = client({ timeoutMs: 30_000 });
  const calls = [1, 2, 3].map(() =>
    caught(() => c.getBizUsage(BIZ, { signal: controller.signal })),
  );
  await abortAfterRequests(controller, 3);
  for (const err of await Promise.all(calls)) assertZegoError(err, { kind: "aborted" });
  const result = await c.getBizUsage(BIZ);
  assert.match(result.requestId, /^\d{19}$/);
});
