// Hostile values from the caller's side: getters that throw, revoked proxies, imitation
// Responses and AbortSignals, a fetch that ignores its signal. Each must give a ZegoError
// the caller can catch, and thousands of them must leave the instance working: an
// exception that unwinds through wasm frames skips their cleanup, and enough of them used
// to leave every later call failing with "memory access out of bounds".

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { AnalyticsClient, generateSignature } from "../../pkg/index.mjs";
import { BIZ, DEMO_APP_ID, DEMO_SECRET, QUIET, startEmulator } from "./helpers.mjs";

let emu;
before(async () => {
  emu = await startEmulator({ port: 0, rateLimit: false });
});
after(() => emu.close());

const client = (extra = {}) =>
  new AnalyticsClient({
    appId: DEMO_APP_ID,
    serverSecret: DEMO_SECRET,
    endpoint: emu.url,
    maxRetries: 0,
    ...QUIET,
    ...extra,
  });

function zego(kind) {
  return (err) => {
    assert.equal(err.name, "ZegoError", String(err));
    assert.equal(err.kind, kind, err.message);
    return true;
  };
}

const throwing = () => ({ ...BIZ, get endDate() { throw new Error("getter"); } });

test("thousands of throwing getters leave the instance working", async () => {
  const c = client();
  for (let i = 0; i < 3000; i++) {
    assert.throws(() => c.buildUrl("GetBizUsage", throwing()), zego("validation"));
  }
  for (let i = 0; i < 3000; i++) {
    const options = { appId: DEMO_APP_ID, get serverSecret() { throw new Error("x"); } };
    assert.throws(() => new AnalyticsClient(options), zego("config"));
  }
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  for (let i = 0; i < 2000; i++) {
    assert.throws(() => c.buildUrl("GetBizUsage", proxy), zego("validation"));
  }
  assert.equal(generateSignature(12345, "4fd24687296dd9f3",
    "9193cc662a4c0ec135ec71fb57194b38", 1615186943), "43e5cfcca828314675f91b001390566a");
  const out = await c.getBizUsage(BIZ);
  assert.equal(out.metrics[0].values.length, 3);
});

test("a method given a throwing getter rejects with a ZegoError", async () => {
  await assert.rejects(client().getBizUsage(throwing()), zego("validation"));
  await assert.rejects(client().getBizUsage({ ...BIZ, endDate: 10n }), zego("validation"));
  await assert.rejects(client().getBizUsage({ ...BIZ, endDate: NaN }), (err) => {
    zego("validation")(err);
    assert.match(err.message, /finite/);
    return true;
  });
  const opts = { get signal() { throw new Error("nope"); } };
  await assert.rejects(client().getBizUsage(BIZ, opts), zego("validation"));
});

test("an imitation AbortSignal is refused", async () => {
  const fake = Object.create(AbortSignal.prototype);
  await assert.rejects(client().getBizUsage(BIZ, { signal: fake }), zego("validation"));
});

test("a fetch option that returns an unusable Response gives a config error", async () => {
  const used = async (url) => {
    const r = await fetch(url);
    await r.text();
    return r;
  };
  const locked = async (url) => {
    const r = await fetch(url);
    r.body.getReader();
    return r;
  };
  const imitation = async () => Object.create(Response.prototype);
  for (const f of [used, locked, imitation]) {
    for (let i = 0; i < 700; i++) {
      await assert.rejects(client({ fetch: f }).getBizUsage(BIZ), zego("config"));
    }
  }
  assert.equal((await client().getBizUsage(BIZ)).metrics.length, 1);
});

test("timeouts and signals work with a fetch that ignores its signal", async () => {
  const deaf = (url) => fetch(url); // drops init, and with it the signal
  await emu.state.faults.add([{ kind: "hang" }]);
  const started = Date.now();
  await assert.rejects(client({ fetch: deaf, timeoutMs: 300 }).getBizUsage(BIZ),
    zego("timeout"));
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);

  await emu.state.faults.add([{ kind: "hang" }]);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(client({ fetch: deaf }).getBizUsage(BIZ, { signal: ac.signal }),
    zego("aborted"));
});

test("thrown values of any shape, from any hook, leave the instance working", async () => {
  const odd = () => {
    const e = new Error("x");
    e.message = 42;
    return e;
  };
  for (let i = 0; i < 2500; i++) {
    const options = { appId: 1, serverSecret: "s", get isTest() { throw odd(); } };
    assert.throws(() => new AnalyticsClient(options), zego("config"));
  }
  const rejecting = client({ fetch: async () => { throw odd(); } });
  for (let i = 0; i < 1500; i++) {
    await assert.rejects(rejecting.getBizUsage(BIZ), zego("network"));
  }
  assert.equal((await client().getBizUsage(BIZ)).metrics.length, 1);
});

test("a body chunk whose length lies is copied by what it holds", async () => {
  const lying = async (url) => {
    const text = await (await fetch(url)).text();
    const bytes = new TextEncoder().encode(text);
    let reads = 0;
    Object.defineProperty(bytes, "length", { get: () => (reads++ ? 30_000_000 : 5) });
    const body = new ReadableStream({
      start(c) {
        c.enqueue(bytes);
        c.close();
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  };
  for (let i = 0; i < 1500; i++) {
    const out = await client({ fetch: lying }).getBizUsage(BIZ);
    assert.equal(out.metrics[0].values.length, 3);
  }
});

test("a signal whose aborted getter throws later counts as aborted", async () => {
  for (let i = 0; i < 1500; i++) {
    const s = new AbortController().signal;
    let n = 0;
    Object.defineProperty(s, "aborted", {
      get() {
        if (n++) throw new Error("x");
        return false;
      },
    });
    await assert.rejects(client().getBizUsage(BIZ, { signal: s }), zego("aborted"));
  }
  assert.equal((await client().getBizUsage(BIZ)).metrics.length, 1);
});

test("arguments that are not strings are validation errors", async () => {
  const { parseResponse, redactUrl, verifySignedUrl } = await import("../../pkg/index.mjs");
  const url = client().buildUrl("GetBizUsage", BIZ);
  for (let i = 0; i < 500; i++) {
    assert.throws(() => redactUrl(new URL(url)), zego("validation"));
    assert.throws(() => verifySignedUrl(12345, DEMO_SECRET), zego("validation"));
    assert.throws(() => client().buildUrl(Symbol("a"), BIZ), zego("validation"));
    assert.throws(() => generateSignature(1, 5, "s", 1), zego("validation"));
    assert.throws(() => parseResponse("GetBizUsage", 5), zego("validation"));
  }
  assert.equal(redactUrl(url).includes("Signature=***"), true);
});
