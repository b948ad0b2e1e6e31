// Every error kind of the built package: what the server refuses (api), bad options
// (config), bad parameters (validation, nothing sent), bad answers (http, parse), no answer
// (network, timeout), a cancelled call (aborted), what is retried and what the client's
// own rate limiting refuses, and that no error or printed client ever shows the secret.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { AnalyticsClient, parseResponse } from "../../pkg/index.mjs";
import {
  DEMO_APP_ID,
  DEMO_SECRET,
  assertHidesSecret,
  assertZegoError,
  caught,
  closedPort,
  configureEmulator,
  emulatorRequests,
  requestIdOf,
  resetEmulator,
  startCannedServer,
  startEmulator,
  startRecorder,
} from "./helpers.mjs";

// A recognisable wrong secret, so a leak of it is easy to see.
const WRONG_SECRET = "0badc0de0badc0de0badc0de0badc0de";
const BIZ = { startDate: "20250110", endDate: "20250112", metrics: ["play_count"] };
// An app of its own for the test of the client's rate limiting, which is process-wide.
const LIMITED_APP_ID = 777;

let emu;
let client;
// Every error a test caught, for the secret checks at the end.
const errors = [];

async function failure(fn) {
  const err = await caught(fn);
  errors.push(err);
  return err;
}

/** A demo-app client that sends each call once and at once, unless `extra` says else. */
function clientFor(endpoint, extra = {}) {
  return new AnalyticsClient({
    appId: DEMO_APP_ID,
    serverSecret: DEMO_SECRET,
    endpoint,
    rateLimit: "off",
    maxRetries: 0,
    ...extra,
  });
}

/** Runs `fn` with a canned server, closing it afterwards. */
async function withServer(reply, fn) {
  const server = await startCannedServer(reply);
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

before(async () => {
  emu = await startEmulator({
    port: 0,
    rateLimit: false,
    apps: [{ appId: LIMITED_APP_ID, serverSecret: DEMO_SECRET }],
  });
  client = clientFor(emu.url);
});

after(async () => {
  await emu?.close();
});

describe("api errors", () => {
  test("a wrong secret: code 100000005, not retryable, the exact request id", async () => {
    const recorder = await startRecorder(emu.url);
    try {
      const wrong = clientFor(recorder.url, { serverSecret: WRONG_SECRET });
      const err = await failure(() => wrong.getBizUsage(BIZ));
      assertZegoError(err, { kind: "api", code: 100000005, retryable: false });
      assert.equal(typeof err.serverMessage, "string");
      assert.match(err.requestId, /^[0-9]{19}$/);
      assert.equal(err.requestId, requestIdOf(recorder.last().text));
    } finally {
      await recorder.close();
    }
  });

  test("an AppId the service does not know: code 100000010", async () => {
    const stranger = clientFor(emu.url, { appId: 42 });
    const err = await failure(() => stranger.getBizUsage(BIZ));
    assertZegoError(err, { kind: "api", code: 100000010, retryable: false });
  });

  test("over the service's rate limit: code 30002, retryable", async () => {
    await resetEmulator(emu);
    await configureEmulator(emu, { rateLimit: true });
    try {
      // GetBizUsage allows three calls a minute.
      for (let i = 0; i < 3; i += 1) await client.getBizUsage(BIZ);
      const err = await failure(() => client.getBizUsage(BIZ));
      assertZegoError(err, { kind: "api", code: 30002, retryable: true });
      assert.match(err.requestId, /^[0-9]{19}$/);
    } finally {
      await configureEmulator(emu, { rateLimit: false });
      await resetEmulator(emu);
    }
  });

  test("over the limit by the client's own count: 30002, nothing sent", async () => {
    // The default: at most three calls of a per-minute action in a rolling minute.
    const limited = new AnalyticsClient({
      appId: LIMITED_APP_ID,
      serverSecret: DEMO_SECRET,
      endpoint: emu.url,
    });
    const now = Date.now();
    const params = { startTs: now - 120_000, endTs: now - 60_000, metrics: ["online_user"] };
    for (let i = 0; i < 3; i += 1) await limited.getRealtimeUsage(params);

    const before = (await emulatorRequests(emu)).count;
    const err = await failure(() => limited.getRealtimeUsage(params));
    assertZegoError(err, { kind: "api", code: 30002, retryable: true });
    assert.ok(err.retryAfterMs > 30_000 && err.retryAfterMs <= 63_000, `${err.retryAfterMs}`);
    assert.equal((await emulatorRequests(emu)).count, before, "a request was sent");
  });
});

describe("validation errors: nothing is sent", () => {
  const now = Date.now();
  const ts = { startTs: now - 120_000, endTs: now - 60_000 };
  const ids = { roomId: "r", userId: "u", streamId: "s" };
  const cases = [
    ["a date in another form", "getBizUsage", { ...BIZ, startDate: "2025/01/10" }],
    ["a date with too few digits", "getBizUsage", { ...BIZ, startDate: "2025110" }],
    ["February 30", "getBizUsage", { ...BIZ, startDate: "20250230", endDate: "20250301" }],
    ["February 29 of a common year", "getBizQuality",
      { startDate: "2025-02-29", endDate: "2025-03-01", metrics: ["fft"] }],
    ["start after end", "getBizUsage", { ...BIZ, startDate: "20250113" }],
    ["an unknown metric", "getBizUsage", { ...BIZ, metrics: ["play_count", "nope"] }],
    ["another action's metric", "getBizUsage", { ...BIZ, metrics: ["break_rate"] }],
    ["no metrics", "getBizQuality", { ...BIZ, metrics: [] }],
    ["metrics missing", "getRealtimeUsage", ts],
    ["ts in seconds", "getRealtimeUsage",
      { startTs: 1736467200, endTs: 1736467260, metrics: ["online_user"] }, /second/i],
    ["ts in microseconds", "getRealtimeQuality",
      { startTs: 1736467200000000, endTs: 0, metrics: ["uplink_rtt"] }, /microsecond/i],
    ["ts not whole", "getRealtimeUsage",
      { startTs: 1736467200000.5, endTs: 0, metrics: ["online_user"] }],
    ["startTs after endTs", "getRealtimeUsage",
      { startTs: ts.endTs, endTs: ts.startTs, metrics: ["online_user"] }],
    ["a bad streamType", "getStreamBaseInfo", { ...ids, ...ts, streamType: "push" }],
    ["a bad platform", "getRegionQualityDetail", { ...ts, platform: "ios" }],
    ["an empty roomId", "getStreamBaseInfo", { ...ids, ...ts, roomId: "", streamType: "play" }],
    ["an empty userId", "getPublishQualityDetail",
      { ...ids, ...ts, userId: "", metrics: ["mos"] }],
    ["an empty streamId", "getPlayQualityDetail",
      { ...ids, ...ts, streamId: "", metrics: ["mos"] }],
    ["an unknown parameter key", "getBizUsage", { ...BIZ, metric: ["play_count"] }],
    ["a parameter of another action", "getRealtimeUsage",
      { ...ts, metrics: ["online_user"], region: "all" }],
    ["a string where a number belongs", "getRealtimeUsage",
      { startTs: String(ts.startTs), endTs: ts.endTs, metrics: ["online_user"] }],
  ];

  for (const [what, method, params, mentions] of cases) {
    test(what, async () => {
      const before = (await emulatorRequests(emu)).count;
      const err = await failure(() => client[method](params));
      assertZegoError(err, { kind: "validation", retryable: false });
      if (mentions) assert.match(err.message, mentions);
      assert.equal((await emulatorRequests(emu)).count, before, "a request was sent");
    });
  }
});

describe("config errors", () => {
  const cases = [
    ["appId 0", { appId: 0 }],
    ["appId 2**32", { appId: 2 ** 32 }],
    ["a negative appId", { appId: -1 }],
    ["a fractional appId", { appId: 1.5 }],
    ["an appId given as text", { appId: "1234567890" }],
    ["an empty secret", { serverSecret: "" }],
    ["a secret with a trailing newline", { serverSecret: `${DEMO_SECRET}\n` }],
    ["a secret with leading spaces", { serverSecret: `  ${DEMO_SECRET}` }],
    ["plain http to a host that is not loopback", { endpoint: "http://example.com/" }],
    ["an endpoint that is not a URL", { endpoint: "not a url" }],
    ["an unknown region", { region: "nyc" }],
    ["an unknown option", { secret: DEMO_SECRET }],
    ["timeoutMs 0", { timeoutMs: 0 }],
    ["maxRetries 11", { maxRetries: 11 }],
    ["a negative maxRetryDelayMs", { maxRetryDelayMs: -1 }],
    ["rateLimit neither auto nor off", { rateLimit: true }],
    ["maxBodyBytes 0", { maxBodyBytes: 0 }],
  ];

  for (const [what, change] of cases) {
    test(what, async () => {
      const options = { appId: DEMO_APP_ID, serverSecret: DEMO_SECRET, ...change };
      const err = await failure(() => new AnalyticsClient(options));
      assertZegoError(err, { kind: "config", retryable: false });
    });
  }

  test("plain http to loopback hosts is allowed", () => {
    for (const endpoint of [emu.url, "http://localhost:1/", "http://[::1]:1/"]) {
      new AnalyticsClient({ appId: DEMO_APP_ID, serverSecret: DEMO_SECRET, endpoint });
    }
  });
});

describe("parse errors", () => {
  const ok = (data) => `{"Code":0,"Message":"success","RequestId":1,"Data":${data}}`;
  const bodies = [
    ["an empty body", ""],
    ["not JSON", "<html>gateway timeout</html>"],
    ["cut short", '{"Code":0,"Message":"success","RequestId":16595129988786710'],
    ["a trailing comma", ok('{"Metrics":[],}')],
    ["a JSON array", "[]"],
    ["no Code", '{"Message":"success","RequestId":1,"Data":{"Metrics":[]}}'],
    ["Code as text", '{"Code":"0","Message":"success","RequestId":1,"Data":{"Metrics":[]}}'],
    ["no Data on success", '{"Code":0,"Message":"success","RequestId":1}'],
    ["Metrics not a list", ok('{"Metrics":{}}')],
    ["a value as text", ok(
      '{"Metrics":[{"Metric":"play_count","Values":[{"Date":"20250110","Value":"x"}]}]}',
    )],
    ["a point without a date", ok('{"Metrics":[{"Metric":"play_count","Values":[{"Value":1}]}]}')],
  ];

  for (const [what, body] of bodies) {
    test(what, async () => {
      const err = await failure(() => parseResponse("GetBizUsage", body));
      assertZegoError(err, { kind: "parse", retryable: false });
    });
  }

  test("the region sample's shape without its trailing comma parses", () => {
    const body = '{"Code":0,"Message":"success","RequestId":1659512998878671001,"Data":' +
      '{"List":[{"Timestamp":1736467200000,"QualityInfo":[{"Region":"中国",' +
      '"P2pDelayDetail":{"Total":10,"Rate1":0.5,"Rate2":0.5,"Rate3":0,"Rate4":0}}]}]}}';
    const result = parseResponse("GetRegionQualityDetail", body);
    assert.equal(result.requestId, "1659512998878671001");
    assert.deepEqual(result.list[0].qualityInfo[0].p2pDelayDetail,
      { total: 10, rate1: 0.5, rate2: 0.5, rate3: 0, rate4: 0 });
  });

  test("a body that is not JSON from the endpoint", async () => {
    await withServer(() => ({ status: 200, body: "<html>oops</html>" }), async (server) => {
      const err = await failure(() => clientFor(server.url).getBizUsage(BIZ));
      assertZegoError(err, { kind: "parse" });
    });
  });

  test("a body that is not UTF-8", async () => {
    const body = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    await withServer(() => ({ status: 200, body }), async (server) => {
      const err = await failure(() => clientFor(server.url).getBizUsage(BIZ));
      assertZegoError(err, { kind: "parse" });
    });
  });

  test("a body over maxBodyBytes, declared or not", async () => {
    const body = `{"Code":0,"Message":"${"x".repeat(5000)}","RequestId":1,"Data":{"Metrics":[]}}`;
    for (const headers of [{}, { "transfer-encoding": "chunked" }]) {
      await withServer(() => ({ status: 200, body, headers }), async (server) => {
        const small = clientFor(server.url, { maxBodyBytes: 1000 });
        const err = await failure(() => small.getBizUsage(BIZ));
        assertZegoError(err, { kind: "parse" });
      });
    }
  });
});

describe("the RequestId keeps its exact digits", () => {
  const envelope = (code, id) =>
    `{"Code":${code},"Message":"m","RequestId":${id},"Data":{"Metrics":[]}}`;

  test("as a bare number beyond 2**53 and as a string", () => {
    const id = "1659512998878671001";
    assert.notEqual(String(JSON.parse(id)), id, "the id must not survive a double");
    assert.equal(parseResponse("GetBizUsage", envelope(0, id)).requestId, id);
    assert.equal(parseResponse("GetBizUsage", envelope(0, `"${id}"`)).requestId, id);
  });

  test("in api errors, with retryable as documented", async () => {
    const id = "1659512998878671003";
    const codes = [[500, true], [30002, true], [100000015, true], [10001, false],
      [10002, false], [100000004, false], [100000005, false]];
    for (const [code, retryable] of codes) {
      const err = await failure(() => parseResponse("GetRealtimeUsage", envelope(code, id)));
      assertZegoError(err, { kind: "api", code, retryable, requestId: id, serverMessage: "m" });
    }
  });
});

describe("http errors", () => {
  test("a 5xx status: retryable, an excerpt of at most 200 characters", async () => {
    const body = `<html>${"bad gateway ".repeat(50)}</html>`;
    await withServer(() => ({ status: 502, body }), async (server) => {
      const err = await failure(() => clientFor(server.url).getBizUsage(BIZ));
      assertZegoError(err, { kind: "http", httpStatus: 502, retryable: true });
      assert.equal(typeof err.bodyExcerpt, "string");
      assert.ok(err.bodyExcerpt.length <= 200, `${err.bodyExcerpt.length} characters`);
      assert.ok(body.startsWith(err.bodyExcerpt.replace(/…$/, "")), err.bodyExcerpt);
      assert.equal(server.count(), 1);
    });
  });

  test("a 5xx status is retried maxRetries times, re-signed each time", async () => {
    const nonces = [];
    const reply = (req) => {
      nonces.push(new URL(req.url, "http://x").searchParams.get("SignatureNonce"));
      return { status: 503, body: "busy" };
    };
    await withServer(reply, async (server) => {
      const retrying = clientFor(server.url, { maxRetries: 2, retryBaseDelayMs: 1 });
      const err = await failure(() => retrying.getBizUsage(BIZ));
      assertZegoError(err, { kind: "http", httpStatus: 503, retryable: true });
      assert.equal(server.count(), 3);
      if (err.attempts !== undefined) assert.equal(err.attempts, 3);
      assert.equal(new Set(nonces).size, 3, "a retry reused a nonce");
    });
  });

  test("a 4xx status is not retried; a RequestId in the body is kept", async () => {
    const body = '{"Code":100000000,"Message":"bad host","RequestId":1659512998878671005}';
    await withServer(() => ({ status: 403, body }), async (server) => {
      const retrying = clientFor(server.url, { maxRetries: 2, retryBaseDelayMs: 1 });
      const err = await failure(() => retrying.getBizUsage(BIZ));
      assertZegoError(err, {
        kind: "http",
        httpStatus: 403,
        retryable: false,
        requestId: "1659512998878671005",
      });
      assert.equal(server.count(), 1);
    });
  });
});

describe("network, timeout and aborted", () => {
  test("nothing listening: network, retryable", async () => {
    const port = await closedPort();
    const err = await failure(() =>
      clientFor(`http://127.0.0.1:${port}/`).getBizUsage(BIZ),
    );
    assertZegoError(err, { kind: "network", retryable: true });
  });

  test("no answer within timeoutMs: timeout, retryable", async () => {
    await withServer(() => null, async (server) => {
      const slow = clientFor(server.url, { timeoutMs: 100 });
      const err = await failure(() => slow.getBizUsage(BIZ));
      assertZegoError(err, { kind: "timeout", retryable: true });
    });
  });

  test("the caller's signal: aborted, not retryable; nothing sent if aborted first", async () => {
    await withServer(() => null, async (server) => {
      const local = clientFor(server.url);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const err = await failure(() => local.getBizUsage(BIZ, { signal: controller.signal }));
      assertZegoError(err, { kind: "aborted", retryable: false });

      const sent = server.count();
      const early = await failure(() =>
        local.getBizUsage(BIZ, { signal: AbortSignal.abort() }),
      );
      assertZegoError(early, { kind: "aborted", retryable: false });
      assert.equal(server.count(), sent);
    });
  });
});

describe("the secret never shows", () => {
  test("in a client printed every way", () => {
    assertHidesSecret(client, DEMO_SECRET);
    for (const isTest of [true, false]) {
      const other = new AnalyticsClient({
        appId: DEMO_APP_ID,
        serverSecret: WRONG_SECRET,
        region: "sgp",
        isTest,
      });
      assertHidesSecret(other, WRONG_SECRET);
    }
  });

  test("in a config error about the secret itself", async () => {
    const err = await failure(
      () => new AnalyticsClient({ appId: DEMO_APP_ID, serverSecret: ` ${WRONG_SECRET}` }),
    );
    assertZegoError(err, { kind: "config" });
    assertHidesSecret(err, WRONG_SECRET);
  });

  test("in any error the other tests caught", () => {
    assert.ok(errors.length > 40, `only ${errors.length} errors`);
    for (const err of errors) {
      assertHidesSecret(err, DEMO_SECRET);
      assertHidesSecret(err, WRONG_SECRET);
    }
  });
});
