// Shared pieces of the reliability tests of the built package: the emulator's demo app,
// call parameters for each kind of action, and checks of what the emulator received.
// Not a test file itself.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { inspect } from "node:util";

export { startEmulator } from "../emulator/server.mjs";

/** The emulator's built-in demo app. */
export const DEMO_APP_ID = 1234567890;
export const DEMO_SECRET = "5c3a9e2b7d1f40e8a6b2c9d0e1f2a3b4";

/** Options that keep a test fast and deterministic unless it says otherwise. */
export const QUIET = Object.freeze({ rateLimit: "off", retryBaseDelayMs: 10 });

/** Parameters of a per-minute action (GetBizUsage). */
export const BIZ = Object.freeze({
  startDate: "2024-01-01",
  endDate: "2024-01-03",
  metrics: ["play_count"],
});

/** Parameters of a per-second action (GetStreamBaseInfo), for a range a minute old. */
export function streamInfo(now = Date.now()) {
  return {
    roomId: "room 1",
    userId: "user-1",
    streamId: "stream_1",
    streamType: "play",
    startTs: now - 120_000,
    endTs: now - 60_000,
  };
}

/** Parameters of the other per-second actions (GetPlay/PublishQualityDetail). */
export function qualityDetail(now = Date.now(), metrics = ["video_bitrate"]) {
  return {
    roomId: "room 1",
    userId: "user-1",
    streamId: "stream_1",
    metrics,
    startTs: now - 120_000,
    endTs: now - 60_000,
  };
}

/** What a call threw (synchronously or as a rejection); fails when it returned. */
export async function caught(fn) {
  let value;
  try {
    value = await fn();
  } catch (err) {
    return err;
  }
  return assert.fail(`expected a ZegoError, got ${inspect(value, { depth: 2 })}`);
}

/** Checks that `err` is a ZegoError with the `expected` properties. */
export function assertZegoError(err, expected) {
  assert.ok(err instanceof Error, `not an Error: ${inspect(err)}`);
  assert.equal(err.name, "ZegoError", inspect(err));
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual(err[key], value, `${key} of ${inspect(err)}`);
  }
  assert.equal(typeof err.retryable, "boolean", `retryable of ${inspect(err)}`);
  assert.ok(typeof err.message === "string" && err.message.length > 0, "an empty message");
}

/** The requests the emulator has received so far. */
export const received = (emu) => emu.state.requests;

/** Forgets the emulator's requests, rate-limit windows and queued faults. */
export const resetEmulator = (emu) => emu.state.reset();

const md5hex = (text) => createHash("md5").update(text).digest("hex");

/**
 * Checks that each recorded request was signed afresh: distinct nonces, a correct signature
 * for its own nonce and timestamp, and a timestamp taken when it was sent.
 */
export function assertSignedAfresh(requests, secret = DEMO_SECRET, clockOffsetMs = 0) {
  const nonces = requests.map((r) => r.nonce);
  assert.equal(new Set(nonces).size, nonces.length, `nonces repeat: ${nonces}`);
  for (const r of requests) {
    assert.equal(r.signature, md5hex(`${r.appId}${r.nonce}${secret}${r.timestamp}`));
    const sentAt = (r.at + clockOffsetMs) / 1000;
    assert.ok(Math.abs(Number(r.timestamp) - sentAt) <= 2, `timestamp ${r.timestamp} at ${r.at}`);
  }
}

/** The gaps in ms between the arrivals of consecutive recorded requests. */
export const gaps = (requests) => requests.slice(1).map((r, i) => r.at - requests[i].at);

/** Milliseconds since `start` (a performance.now() reading). */
export const since = (start) => performance.now() - start;

/** Resolves once `predicate()` holds, checking every 5 ms; fails after `ms`. */
export async function until(predicate, ms = 5_000) {
  const start = performance.now();
  while (!predicate()) {
    if (since(start) > ms) assert.fail(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
