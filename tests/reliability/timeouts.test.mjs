// Timeouts: every attempt is cut off after timeoutMs, body reading included, and the timer
// never outlives the call.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
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
  since,
  startEmulator,
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

test("a server that never answers times out after timeoutMs", async () => {
  emu.state.faults.add([{ kind: "hang" }]);
  const start = performance.now();
  const err = await caught(() => client({ timeoutMs: 300, maxRetries: 0 }).getBizUsage(BIZ));
  const took = since(start);
  assertZegoError(err, { kind: "timeout", retryable: true, attempts: 1 });
  assert.ok(took >= 290 && took < 1_500, `gave up after ${took} ms`);
  assert.equal(received(emu).length, 1);
});

test("timeouts are retried, each attempt signed afresh and timed on its own", async () => {
  emu.state.faults.add([{ kind: "hang", count: 3 }]);
  const start = performance.now();
  const err = await caught(() => client({ timeoutMs: 200, maxRetries: 2 }).getBizUsage(BIZ));
  const took = since(start);
  assertZegoError(err, { kind: "timeout", retryable: true, attempts: 3 });
  assert.ok(took >= 590 && took < 2_500, `gave up after ${took} ms`);
  assert.equal(received(emu).length, 3);
  assertSignedAfresh(received(emu));
});

test("a timed-out attempt followed by a good one succeeds", async () => {
  emu.state.faults.add([{ kind: "hang" }]);
  const result = await client({ timeoutMs: 200, maxRetries: 1 }).getBizUsage(BIZ);
  assert.match(result.requestId, /^\d{19}$/);
  assert.equal(received(emu).length, 2);
  assertSignedAfresh(received(emu));
});

test("a body that arrives slower than timeoutMs times out", async () => {
  emu.state.faults.add([{ kind: "slow", delayMs: 3_000 }]);
  const start = performance.now();
  const err = await caught(() => client({ timeoutMs: 400, maxRetries: 0 }).getBizUsage(BIZ));
  const took = since(start);
  assertZegoError(err, { kind: "timeout", retryable: true, attempts: 1 });
  assert.ok(took >= 390 && took < 2_000, `gave up after ${took} ms`);
});

test("a slow body within timeoutMs is read whole", async () => {
  emu.state.faults.add([{ kind: "slow", delayMs: 300 }]);
  const result = await client({ timeoutMs: 3_000, maxRetries: 0 }).getBizUsage(BIZ);
  assert.equal(result.metrics[0].metric, "play_count");
  assert.equal(result.metrics[0].values.length, 3);
});

test("timeouts work where AbortSignal.timeout does not exist", async (t) => {
  const original = AbortSignal.timeout;
  delete AbortSignal.timeout;
  t.after(() => {
    AbortSignal.timeout = original;
  });
  assert.equal(AbortSignal.timeout, undefined);
  emu.state.faults.add([{ kind: "hang" }]);
  const err = await caught(() => client({ timeoutMs: 200, maxRetries: 0 }).getBizUsage(BIZ));
  assertZegoError(err, { kind: "timeout" });
});

test("the message says how long the attempt took and names no secret", async () => {
  emu.state.faults.add([{ kind: "hang" }]);
  const err = await caught(() => client({ timeoutMs: 250, maxRetries: 0 }).getBizUsage(BIZ));
  assert.match(err.message, /250/);
  assert.ok(!err.message.includes(DEMO_SECRET));
});

// A process whose only calls used timeoutMs of two minutes must still exit at once: the
// timers of finished calls (and of a failed call's attempts) are cleared.
test("no timer outlives a call: the process exits promptly", async () => {
  const pkg = new URL("../../pkg/index.mjs", import.meta.url).href;
  const emulator = new URL("../emulator/server.mjs", import.meta.url).href;
  const script = `
    import { AnalyticsClient } from ${JSON.stringify(pkg)};
    import { startEmulator } from ${JSON.stringify(emulator)};
    const emu = await startEmulator({ rateLimit: false });
    const client = new AnalyticsClient({ appId: ${DEMO_APP_ID},
      serverSecret: ${JSON.stringify(DEMO_SECRET)}, endpoint: emu.url, rateLimit: "off",
      timeoutMs: 120000, retryBaseDelayMs: 10, maxRetries: 1 });
    const biz = ${JSON.stringify(BIZ)};
    await client.getBizUsage(biz);
    emu.state.faults.add([{ kind: "code", code: 10002 }]);
    await client.getBizUsage(biz).catch(() => {});
    emu.state.faults.add([{ kind: "http", status: 502, count: 2 }]);
    await client.getBizUsage(biz).catch(() => {});
    const aborted = new AbortController();
    emu.state.faults.add([{ kind: "hang" }]);
    setTimeout(() => aborted.abort(), 50);
    await client.getBizUsage(biz, { signal: aborted.signal }).catch(() => {});
    await emu.close();
    process.stdout.write("done\\n");
  `;
  const start = performance.now();
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (chunk) => {
    out += chunk;
  });
  child.stderr.on("data", (chunk) => {
    out += chunk;
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await new Promise((resolve) => child.once("exit", (c, s) => resolve(c ?? s)));
  clearTimeout(killer);
  const took = since(start);
  assert.equal(code, 0, out);
  assert.equal(out, "done\n");
  assert.ok(took < 10_000, `the process took ${took} ms to exit`);
});
