// The soak: at least 10,000 calls against the emulator at a concurrency of 50, with faults
// mixed in. The wasm memory after the run must equal the memory after a warm-up of 1,000
// calls within 1 MiB, and no promise may be left rejected without a handler.
//
// SOAK_CALLS raises the number of calls (never below 10,000); the run must finish within
// SOAK_SECONDS (default 240).

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AnalyticsClient } from "../../pkg/index.mjs";
import { wasmMemoryBytes } from "../../pkg/zego_analytics.js";
import {
  DEMO_APP_ID,
  DEMO_SECRET,
  qualityDetail,
  received,
  startEmulator,
  streamInfo,
} from "./helpers.mjs";

const CALLS = Math.max(10_000, Number(process.env.SOAK_CALLS) || 0);
const LIMIT_S = Number(process.env.SOAK_SECONDS) || 240;
const WARM_UP = 1_000;
const CONCURRENCY = 50;
const MiB = 1024 * 1024;

// Every 20th request the emulator receives is answered with one of these in turn, and
// every 12th of those faults is a hang instead, which the client's timeout ends.
const FAULTS = [
  { kind: "http", status: 502 },
  { kind: "code", code: 500 },
  { kind: "drop" },
  { kind: "code", code: 100000015 },
  { kind: "http", status: 503, body: "busy" },
];
const FAULT_EVERY = 20;

/** Queues a fault for every 20th of the next `requests` requests. */
function queueFaults(requests) {
  const script = [];
  for (let block = 0; block < Math.ceil(requests / FAULT_EVERY); block += 1) {
    script.push({ kind: "pass", count: FAULT_EVERY - 1 });
    script.push(block % 12 === 11 ? { kind: "hang" } : FAULTS[block % FAULTS.length]);
  }
  emu.state.faults.add(script);
  return script.length / 2;
}

const RETRYABLE = new Set(["http", "api", "network", "timeout"]);

const unhandled = [];
const onUnhandled = (reason) => unhandled.push(reason);

let emu;

before(async () => {
  process.on("unhandledRejection", onUnhandled);
  emu = await startEmulator({ rateLimit: false });
});

after(async () => {
  process.off("unhandledRejection", onUnhandled);
  await emu.close();
});

/** One call of the n-th kind: the eight actions in turn, with small answers. */
function call(client, n) {
  const now = Date.now();
  switch (n % 8) {
    case 0:
      return client.getBizUsage({ startDate: "2024-01-01", endDate: "2024-01-07",
        metrics: ["play_count", "room_concurrent"] });
    case 1:
      return client.getBizQuality({ startDate: "2024-02-01", endDate: "2024-02-03",
        metrics: ["fft"] });
    case 2:
      return client.getRealtimeUsage({ startTs: now - 90_000, endTs: now - 60_000,
        metrics: ["online_user"] });
    case 3:
      return client.getRealtimeQuality({ startTs: now - 90_000, endTs: now - 60_000,
        metrics: ["uplink_rtt"] });
    case 4:
      return client.getRegionQualityDetail({ startTs: now - 300_000, endTs: now - 60_000,
        platform: "web" });
    case 5:
      return client.getStreamBaseInfo(streamInfo(now));
    case 6:
      return client.getPublishQualityDetail(qualityDetail(now, ["video_bitrate"]));
    default:
      return client.getPlayQualityDetail(qualityDetail(now, ["mos", "decode_resolution"]));
  }
}

/** Runs `count` calls, `CONCURRENCY` at a time; returns what happened. */
async function run(client, count, first) {
  const tally = { ok: 0, failed: 0, kinds: {} };
  let next = first;
  const end = first + count;
  const worker = async () => {
    while (next < end) {
      const n = next;
      next += 1;
      try {
        const result = await call(client, n);
        assert.equal(typeof result.requestId, "string");
        tally.ok += 1;
      } catch (err) {
        if (err?.name !== "ZegoError" || !RETRYABLE.has(err.kind)) throw err;
        tally.failed += 1;
        tally.kinds[err.kind] = (tally.kinds[err.kind] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return tally;
}

test(`${CALLS} calls at a concurrency of ${CONCURRENCY}, faults mixed in`, {
  timeout: (LIMIT_S + 30) * 1000,
}, async (t) => {
  const client = new AnalyticsClient({
    appId: DEMO_APP_ID,
    serverSecret: DEMO_SECRET,
    endpoint: emu.url,
    rateLimit: "off",
    retryBaseDelayMs: 1,
    maxRetries: 3,
    timeoutMs: 1_000,
  });
  const start = performance.now();
  const initial = wasmMemoryBytes();
  // Enough for every call and its retries; whatever is left over is never used.
  const queued = queueFaults((WARM_UP + CALLS) * 1.2);

  const warm = await run(client, WARM_UP, 1);
  const warmMemory = wasmMemoryBytes();
  const warmRequests = received(emu).length;

  const soakStart = performance.now();
  const soak = await run(client, CALLS, WARM_UP + 1);
  const seconds = (performance.now() - soakStart) / 1000;
  const finalMemory = wasmMemoryBytes();
  const attempts = received(emu).length - warmRequests;
  const faultRequests = received(emu).slice(warmRequests).filter((r) => r.fault).length;

  // Give any stray rejection a chance to surface before counting.
  await new Promise((resolve) => setImmediate(resolve));

  const mib = (bytes) => `${(bytes / MiB).toFixed(2)} MiB`;
  t.diagnostic(`soak: ${CALLS} calls in ${seconds.toFixed(1)} s ` +
    `(${Math.round(CALLS / seconds)} calls/s), concurrency ${CONCURRENCY}`);
  t.diagnostic(`soak: ${attempts} requests sent, ${faultRequests} answered with a fault ` +
    `(1 in ${FAULT_EVERY}); ${soak.ok} calls succeeded, ${soak.failed} failed ` +
    `${JSON.stringify(soak.kinds)}`);
  t.diagnostic(`soak: wasm memory ${mib(initial)} at start, ${mib(warmMemory)} after ` +
    `${WARM_UP} warm-up calls (${warm.ok} ok), ${mib(finalMemory)} after the soak ` +
    `(${finalMemory - warmMemory} bytes more)`);
  t.diagnostic(`soak: ${unhandled.length} unhandled rejections; ` +
    `${((performance.now() - start) / 1000).toFixed(1)} s in all`);

  assert.deepEqual(unhandled, [], "unhandled rejections");
  assert.equal(soak.ok + soak.failed, CALLS);
  assert.ok(attempts >= CALLS - soak.failed + faultRequests, "a fault ended a call unretried");
  assert.ok(faultRequests >= CALLS / FAULT_EVERY, `only ${faultRequests} faults were served`);
  assert.ok(emu.state.faults.size > 0 && queued > 0, "the fault script ran out");
  assert.ok(soak.failed <= CALLS / 1_000, `${soak.failed} calls failed`);
  assert.ok(Math.abs(finalMemory - warmMemory) <= MiB,
    `wasm memory went from ${warmMemory} to ${finalMemory} bytes`);
  assert.ok(seconds <= LIMIT_S, `the soak took ${seconds} s, over ${LIMIT_S} s`);
});
