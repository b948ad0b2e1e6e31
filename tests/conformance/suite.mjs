// The conformance suite of the zego-analytics package: one set of checks that every
// JavaScript runtime must pass, whatever way it loads the package.
//
// Runtime-neutral on purpose: an ES module that uses nothing but the package it is given,
// `fetch`, `URL`, `AbortController`, `setTimeout` and the language itself, so the same file
// runs in Node, Deno, Bun, workerd and browsers. Each runtime's small harness imports the
// package the way users of that runtime do, starts nothing itself, and calls:
//
//     const summary = await runConformance(zego, { emulatorUrl, report });
//
// `emulatorUrl` is the base URL of the project's emulator (tests/emulator), started with
// rate limits off; `report` (optional) sees each result as it comes. The summary is
// `{ passed, failed, results: [{ name, ok, error? }] }`, plain JSON.
//
// Expected query strings and signatures are written out here by hand, computed once from
// the service's documentation (md5 of AppId + SignatureNonce + ServerSecret + Timestamp),
// never by calling the package.

/** The emulator's built-in demo app. */
const APP_ID = 1234567890;
const SECRET = "5c3a9e2b7d1f40e8a6b2c9d0e1f2a3b4";
const WRONG_SECRET = "0f0e0d0c0b0a09080706050403020100";

/** The eight actions, in the order of the service's documentation. */
const ACTIONS = [
  "GetBizUsage",
  "GetBizQuality",
  "GetRealtimeUsage",
  "GetRealtimeQuality",
  "GetRegionQualityDetail",
  "GetStreamBaseInfo",
  "GetPublishQualityDetail",
  "GetPlayQualityDetail",
];

/** Everything the package exports, in every runtime and module system. */
const EXPORTS = [
  "ACTIONS",
  "ACTION_NAMES",
  "AnalyticsClient",
  "generateSignature",
  "parseResponse",
  "redactUrl",
  "verifySignedUrl",
];

const DAY_MS = 86_400_000;
const TEST_TIMEOUT_MS = 20_000;

// Two fixed signing inputs and their signatures, worked out by hand:
// md5("1234567890" + "0123456789abcdef" + SECRET + "1736400000")
const AT_1 = { nonce: "0123456789abcdef", timestamp: 1736400000 };
const SIGNED_1 =
  "AppId=1234567890&SignatureNonce=0123456789abcdef&Timestamp=1736400000" +
  "&SignatureVersion=2.0&Signature=11efb9877fe31fa87fa83bbc5bc1aeda";
// md5("1234567890" + "a1b2c3d4e5f60123" + SECRET + "1736412345")
const AT_2 = { nonce: "a1b2c3d4e5f60123", timestamp: 1736412345 };
const SIGNED_2 =
  "AppId=1234567890&SignatureNonce=a1b2c3d4e5f60123&Timestamp=1736412345" +
  "&SignatureVersion=2.0&Signature=2eed0cfd108cc0a481fb7c6a0fb18a43";

const HOUR = { startTs: 1736395200000, endTs: 1736398800000 };

/** buildUrl cases: action, params, signing inputs, and the exact query expected. */
const QUERY_CASES = [
  {
    action: "GetBizUsage",
    params: {
      startDate: "2025-01-01",
      endDate: "20250107",
      metrics: ["publish_count", "play_count", "publish_count"],
    },
    at: AT_1,
    query:
      `Action=GetBizUsage&${SIGNED_1}` +
      "&StartDate=20250101&EndDate=20250107&Metrics[]=publish_count&Metrics[]=play_count",
  },
  {
    action: "GetBizQuality",
    params: { startDate: "20241231", endDate: "2025-01-01", metrics: ["fft", "login_success_5s"] },
    at: AT_1,
    query:
      `Action=GetBizQuality&${SIGNED_1}` +
      "&StartDate=20241231&EndDate=20250101&Metrics[]=fft&Metrics[]=login_success_5s",
  },
  {
    action: "GetRealtimeUsage",
    params: { startTs: 1736395200000, endTs: 0, metrics: ["online_user"] },
    at: AT_1,
    query:
      `Action=GetRealtimeUsage&${SIGNED_1}` +
      "&StartTs=1736395200000&EndTs=0&Metrics[]=online_user",
  },
  {
    action: "GetRealtimeQuality",
    params: {
      startTs: 1736395200000,
      endTs: 1736395260000,
      metrics: ["uplink_rtt", "downlink_rtt"],
    },
    at: AT_1,
    query:
      `Action=GetRealtimeQuality&${SIGNED_1}` +
      "&StartTs=1736395200000&EndTs=1736395260000&Metrics[]=uplink_rtt&Metrics[]=downlink_rtt",
  },
  {
    action: "GetRegionQualityDetail",
    params: { ...HOUR, region: "中国", platform: "web" },
    at: AT_1,
    query:
      `Action=GetRegionQualityDetail&${SIGNED_1}` +
      "&Region=%E4%B8%AD%E5%9B%BD&Platform=web&StartTs=1736395200000&EndTs=1736398800000",
  },
  {
    action: "GetStreamBaseInfo",
    params: {
      roomId: "room 1",
      userId: "user/ü",
      streamId: "s&t=1+2",
      streamType: "play",
      ...HOUR,
    },
    at: AT_2,
    query:
      `Action=GetStreamBaseInfo&${SIGNED_2}` +
      "&RoomId=room%201&UserId=user%2F%C3%BC&StreamId=s%26t%3D1%2B2" +
      "&StartTs=1736395200000&EndTs=1736398800000&StreamType=play",
  },
  {
    action: "GetPublishQualityDetail",
    params: {
      roomId: "r-1_2.3~4",
      userId: "u",
      streamId: "s",
      metrics: ["video_bitrate", "encode_resolution"],
      ...HOUR,
    },
    at: AT_2,
    query:
      `Action=GetPublishQualityDetail&${SIGNED_2}` +
      "&RoomId=r-1_2.3~4&UserId=u&StreamId=s&StartTs=1736395200000&EndTs=1736398800000" +
      "&Metrics[]=video_bitrate&Metrics[]=encode_resolution",
  },
  {
    action: "GetPlayQualityDetail",
    params: { roomId: "(r)!*'", userId: "u", streamId: "s", metrics: ["mos"], ...HOUR },
    at: AT_2,
    query:
      `Action=GetPlayQualityDetail&${SIGNED_2}` +
      "&RoomId=%28r%29%21%2A%27&UserId=u&StreamId=s" +
      "&StartTs=1736395200000&EndTs=1736398800000&Metrics[]=mos",
  },
];

// ---------------------------------------------------------------------------------------
// Small assertions (no runtime's assert module is available everywhere)

class Failure extends Error {}

function fail(message) {
  throw new Failure(message);
}

const show = (value) => {
  try {
    return JSON.stringify(value)?.slice(0, 300) ?? String(value);
  } catch {
    return String(value);
  }
};

function equal(actual, expected, what) {
  if (!Object.is(actual, expected)) {
    fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

function ok(condition, what) {
  if (!condition) fail(what);
}

/** Deep equality of plain JSON data, naming the first path that differs. */
function deepEqual(actual, expected, path = "result") {
  if (Array.isArray(expected)) {
    ok(Array.isArray(actual), `${path}: expected an array, got ${show(actual)}`);
    equal(actual.length, expected.length, `${path}.length`);
    expected.forEach((item, i) => deepEqual(actual[i], item, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === "object") {
    ok(actual !== null && typeof actual === "object", `${path}: expected an object`);
    const keys = (o) => Object.keys(o).filter((k) => o[k] !== undefined).sort();
    equal(keys(actual).join(","), keys(expected).join(","), `${path} keys`);
    for (const key of keys(expected)) deepEqual(actual[key], expected[key], `${path}.${key}`);
  } else {
    equal(actual, expected, path);
  }
}

/** What a call threw or rejected with; fails when it succeeded. */
async function caught(fn) {
  let value;
  try {
    value = await fn();
  } catch (err) {
    return err;
  }
  return fail(`expected a ZegoError, got ${show(value)}`);
}

/** Checks the documented shape of a ZegoError and the given fields. */
function zegoError(err, fields) {
  ok(err instanceof Error, `not an Error: ${show(err)}`);
  equal(err.name, "ZegoError", "error name");
  equal(typeof err.retryable, "boolean", "typeof retryable");
  ok(typeof err.message === "string" && err.message.length > 0, "an empty message");
  for (const [key, value] of Object.entries(fields)) equal(err[key], value, `error ${key}`);
}

/** A fetch that never answers but gives up when its signal fires, as real ones do. */
function hanging(_url, init) {
  return new Promise((_, reject) => {
    const signal = init?.signal;
    signal?.addEventListener("abort", () => reject(signal.reason ?? new Error("aborted")));
  });
}

const isRequestId = (id) => typeof id === "string" && /^[1-9][0-9]{18}$/.test(id);

// ---------------------------------------------------------------------------------------
// An independent reading of a raw answer: what the package must return for it

/** The exact digits of RequestId in a raw body, whether a bare number or a string. */
function requestIdOf(text) {
  const match = /"RequestId"\s*:\s*"?([0-9]+)"?/.exec(text);
  ok(match, `no RequestId in ${text.slice(0, 200)}`);
  return match[1];
}

const lowerFirst = (key) => key[0].toLowerCase() + key.slice(1);

const REGION_DETAILS = {
  P2pDelayDetail: "p2pDelayDetail",
  P2pPlrDetail: "p2pPlrDetail",
  VideoBreakDetail: "videoBreakDetail",
  AudioBreakDetail: "audioBreakDetail",
  VideoFFTDetail: "videoFftDetail",
  AudioFFTDetail: "audioFftDetail",
  LoginSuccessRateDetail: "loginSuccessRateDetail",
};

/** The contract's result for a successful raw body, built without the package. */
function expectedResult(action, text) {
  const data = JSON.parse(text).Data;
  const requestId = requestIdOf(text);
  if (action === "GetRegionQualityDetail") {
    return {
      requestId,
      list: data.List.map((point) => ({
        timestamp: point.Timestamp,
        qualityInfo: point.QualityInfo.map((info) => {
          const out = { region: info.Region };
          for (const [wire, key] of Object.entries(REGION_DETAILS)) {
            if (info[wire] === undefined) continue;
            out[key] = Object.fromEntries(
              Object.entries(info[wire]).map(([k, v]) => [lowerFirst(k), v]),
            );
          }
          return out;
        }),
      })),
    };
  }
  const daily = action === "GetBizUsage" || action === "GetBizQuality";
  return {
    requestId,
    metrics: data.Metrics.map((series) => ({
      metric: series.Metric,
      values: series.Values.map((point) =>
        daily
          ? { date: point.Date, value: point.Value }
          : { timestamp: point.Timestamp, value: point.Value },
      ),
    })),
  };
}

// ---------------------------------------------------------------------------------------
// Live parameters, relative to now, inside what the emulator (and the service) accept

function yyyymmdd(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

function liveParams(action, now) {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const second = Math.floor(now / 1000) * 1000 - 600_000;
  const minute = Math.floor(now / 60_000) * 60_000 - 30 * 60_000;
  const stream = { roomId: "room 1", userId: "user-ü", streamId: "stream&1" };
  switch (action) {
    case "GetBizUsage":
      return {
        startDate: yyyymmdd(today - 3 * DAY_MS),
        endDate: yyyymmdd(today - DAY_MS),
        metrics: ["publish_count", "play_count"],
      };
    case "GetBizQuality":
      return {
        startDate: yyyymmdd(today - 2 * DAY_MS),
        endDate: yyyymmdd(today - DAY_MS),
        metrics: ["fft", "break_rate"],
      };
    case "GetRealtimeUsage":
      return { startTs: second, endTs: second + 9000, metrics: ["online_user"] };
    case "GetRealtimeQuality":
      return {
        startTs: second,
        endTs: second + 4000,
        metrics: ["uplink_rtt", "play_success_rate"],
      };
    case "GetRegionQualityDetail":
      return { startTs: minute, endTs: minute + 120_000, region: "中国", platform: "native" };
    case "GetStreamBaseInfo":
      return { ...stream, streamType: "publish", startTs: second - 60_000, endTs: second };
    case "GetPublishQualityDetail":
      return {
        ...stream,
        metrics: ["video_bitrate", "encode_resolution"],
        startTs: second,
        endTs: second + 50_000,
      };
    case "GetPlayQualityDetail":
      return {
        ...stream,
        metrics: ["mos", "decode_resolution"],
        startTs: second,
        endTs: second + 20_000,
      };
    default:
      return fail(`no live parameters for ${action}`);
  }
}

const METHODS = {
  GetBizUsage: "getBizUsage",
  GetBizQuality: "getBizQuality",
  GetRealtimeUsage: "getRealtimeUsage",
  GetRealtimeQuality: "getRealtimeQuality",
  GetRegionQualityDetail: "getRegionQualityDetail",
  GetStreamBaseInfo: "getStreamBaseInfo",
  GetPublishQualityDetail: "getPublishQualityDetail",
  GetPlayQualityDetail: "getPlayQualityDetail",
};

/** Type checks of a result beyond its equality with the raw answer. */
function checkValues(action, result) {
  ok(isRequestId(result.requestId), `requestId ${show(result.requestId)} is not 19 digits`);
  if (action === "GetRegionQualityDetail") {
    ok(result.list.length > 0, "an empty list");
    for (const point of result.list) {
      equal(typeof point.timestamp, "number", "typeof timestamp");
      for (const info of point.qualityInfo) {
        equal(info.region, "中国", "region");
        equal(typeof info.p2pDelayDetail.total, "number", "typeof p2pDelayDetail.total");
      }
    }
    return;
  }
  ok(result.metrics.length > 0, "no metrics");
  for (const series of result.metrics) {
    ok(series.values.length > 0, `no values for ${series.metric}`);
    for (const point of series.values) {
      if ("date" in point) ok(/^[0-9]{8}$/.test(point.date), `date ${point.date}`);
      else equal(typeof point.timestamp, "number", "typeof timestamp");
      const text = action === "GetStreamBaseInfo" || series.metric.endsWith("_resolution");
      equal(typeof point.value, text ? "string" : "number", `typeof ${series.metric} value`);
    }
  }
}

// ---------------------------------------------------------------------------------------
// The tests

function tests(zego, emulatorUrl) {
  const { AnalyticsClient, generateSignature, parseResponse, redactUrl, ACTION_NAMES } = zego;
  // The client's own pacing and retries are off: the suite calls some actions more often
  // than the service's limits allow, and counts what reaches the emulator.
  const client = (options = {}) =>
    new AnalyticsClient({
      appId: APP_ID,
      serverSecret: SECRET,
      endpoint: emulatorUrl,
      rateLimit: "off",
      maxRetries: 0,
      ...options,
    });
  // How many requests reached the emulator (its control endpoint, not the service's API).
  const requestCount = async () =>
    (await (await fetch(new URL("_emulator/requests", emulatorUrl))).json()).count;
  const list = [];
  const test = (name, fn) => list.push({ name, fn });

  test("exports: the same names from every entry, ACTION_NAMES frozen", () => {
    deepEqual(Object.keys(zego).sort(), EXPORTS, "exported names");
    for (const name of ["AnalyticsClient", "generateSignature", "parseResponse", "redactUrl"]) {
      equal(typeof zego[name], "function", `typeof ${name}`);
    }
    deepEqual([...ACTION_NAMES], ACTIONS, "ACTION_NAMES");
    ok(Object.isFrozen(ACTION_NAMES), "ACTION_NAMES is not frozen");
  });

  test("signature: the provider's worked example", () => {
    const sig = generateSignature(
      12345,
      "4fd24687296dd9f3",
      "9193cc662a4c0ec135ec71fb57194b38",
      1615186943,
    );
    equal(sig, "43e5cfcca828314675f91b001390566a", "signature");
  });

  test("signature: the demo app with fixed inputs", () => {
    equal(
      generateSignature(APP_ID, AT_1.nonce, SECRET, AT_1.timestamp),
      "11efb9877fe31fa87fa83bbc5bc1aeda",
      "signature",
    );
  });

  test("client: appId, baseUrl of the endpoint and of a region", () => {
    const c = client();
    equal(c.appId, APP_ID, "appId");
    equal(c.baseUrl, emulatorUrl, "baseUrl");
    // Only read, never sent to.
    const fra = new AnalyticsClient({ appId: APP_ID, serverSecret: SECRET, region: "fra" });
    equal(fra.baseUrl, "https://analytics-api-fra.zego.im/", "baseUrl of region fra");
  });

  for (const { action, params, at, query } of QUERY_CASES) {
    test(`buildUrl: exact query of ${action}`, () => {
      equal(client().buildUrl(action, params, at), `${emulatorUrl}?${query}`, "URL");
    });
  }

  test("buildUrl: IsTest follows the signature", () => {
    const { action, params, at } = QUERY_CASES[0];
    const url = client({ isTest: true }).buildUrl(action, params, at);
    const expected =
      `${emulatorUrl}?Action=GetBizUsage&${SIGNED_1}&IsTest=true` +
      "&StartDate=20250101&EndDate=20250107&Metrics[]=publish_count&Metrics[]=play_count";
    equal(url, expected, "URL");
  });

  test("redactUrl: signature and nonce masked, the rest kept", () => {
    const url = `${emulatorUrl}?${QUERY_CASES[0].query}`;
    const expected =
      `${emulatorUrl}?Action=GetBizUsage&AppId=1234567890&SignatureNonce=***` +
      "&Timestamp=1736400000&SignatureVersion=2.0&Signature=***" +
      "&StartDate=20250101&EndDate=20250107&Metrics[]=publish_count&Metrics[]=play_count";
    equal(redactUrl(url), expected, "redacted URL");
  });

  for (const action of ACTIONS) {
    test(`emulator: ${action} returns what the service answered`, async () => {
      const c = client();
      const params = liveParams(action, Date.now());
      const result = await c[METHODS[action]](params);
      checkValues(action, result);

      // The same request again, signed by the package but sent and read here: the
      // emulator's data depend on the request only, so everything but the id must match.
      const text = await (await fetch(c.buildUrl(action, params))).text();
      const expected = expectedResult(action, text);
      expected.requestId = result.requestId;
      deepEqual(result, expected);
    });
  }

  test("requestId: the exact digits of the raw body, for every action", async () => {
    const c = client();
    for (const action of ACTIONS) {
      const params = liveParams(action, Date.now());
      const text = await (await fetch(c.buildUrl(action, params))).text();
      const digits = requestIdOf(text);
      ok(isRequestId(digits), `the emulator sent RequestId ${digits}`);
      // A double cannot hold it: the test would catch a client that rounds it.
      ok(BigInt(Number(digits)) !== BigInt(digits), `${digits} fits in a double`);
      const parsed = parseResponse(action, text);
      equal(parsed.requestId, digits, `${action} requestId`);
      deepEqual(parsed, expectedResult(action, text), action);
    }
  });

  test("validation: unknown parameter, nothing sent", async () => {
    const before = await requestCount();
    const params = { ...liveParams("GetBizUsage", Date.now()), extra: 1 };
    zegoError(await caught(() => client().getBizUsage(params)), {
      kind: "validation",
      param: "extra",
      retryable: false,
    });
    equal(await requestCount(), before, "requests the emulator saw");
  });

  test("validation: 30 February, unknown metric, missing parameter", async () => {
    const c = client();
    const feb30 = { startDate: "20250230", endDate: "20250301", metrics: ["fft"] };
    zegoError(await caught(() => c.getBizQuality(feb30)), {
      kind: "validation",
      param: "startDate",
    });
    const badMetric = { ...liveParams("GetBizUsage", Date.now()), metrics: ["nope"] };
    zegoError(await caught(() => c.getBizUsage(badMetric)), { kind: "validation" });
    const { streamType: _, ...noType } = liveParams("GetStreamBaseInfo", Date.now());
    zegoError(await caught(() => c.getStreamBaseInfo(noType)), { kind: "validation" });
    zegoError(await caught(() => c.buildUrl("GetNothing", {})), { kind: "validation" });
  });

  test("config: bad options are refused before anything is sent", async () => {
    const make = (options) => () => new AnalyticsClient(options);
    zegoError(await caught(make({ appId: 0, serverSecret: SECRET })), { kind: "config" });
    zegoError(await caught(make({ appId: APP_ID })), { kind: "config" });
    const plainHttp = { appId: APP_ID, serverSecret: SECRET, endpoint: "http://10.0.0.1/" };
    zegoError(await caught(make(plainHttp)), { kind: "config" });
  });

  test("api: wrong secret is 100000005, with the request id, secret not shown", async () => {
    const c = client({ serverSecret: WRONG_SECRET });
    const err = await caught(() => c.getBizUsage(liveParams("GetBizUsage", Date.now())));
    zegoError(err, { kind: "api", code: 100000005, retryable: false });
    ok(isRequestId(err.requestId), `requestId ${show(err.requestId)}`);
    equal(typeof err.serverMessage, "string", "typeof serverMessage");
    const views = [err.message, String(err), err.stack ?? "", show(err)];
    for (const key of Object.getOwnPropertyNames(err)) views.push(String(err[key]));
    ok(!views.some((v) => v.includes(WRONG_SECRET)), "the secret shows in the error");
  });

  test("api: unknown AppId is 100000010", async () => {
    const c = client({ appId: 42 });
    const err = await caught(() => c.getRealtimeUsage(liveParams("GetRealtimeUsage", Date.now())));
    zegoError(err, { kind: "api", code: 100000010, retryable: false });
  });

  test("fetch option: the caller's fetch sends the request", async () => {
    const seen = [];
    const ownFetch = (url, init) => {
      seen.push(String(url));
      return fetch(url, init);
    };
    const result = await client({ fetch: ownFetch }).getStreamBaseInfo(
      liveParams("GetStreamBaseInfo", Date.now()),
    );
    ok(isRequestId(result.requestId), `requestId ${show(result.requestId)}`);
    equal(seen.length, 1, "calls of the fetch option");
    ok(seen[0].startsWith(`${emulatorUrl}?Action=GetStreamBaseInfo&`), `sent to ${seen[0]}`);
  });

  test("timeoutMs: a call that gets no answer fails with kind timeout", async () => {
    const c = client({ fetch: hanging, timeoutMs: 50 });
    const params = liveParams("GetPlayQualityDetail", Date.now());
    zegoError(await caught(() => c.getPlayQualityDetail(params)), {
      kind: "timeout",
      retryable: true,
    });
  });

  test("signal: an aborted call fails with kind aborted, before and while sending", async () => {
    const params = liveParams("GetBizQuality", Date.now());
    const before = await requestCount();
    const early = new AbortController();
    early.abort();
    const err = await caught(() => client().getBizQuality(params, { signal: early.signal }));
    zegoError(err, { kind: "aborted", retryable: false });
    equal(await requestCount(), before, "requests the emulator saw");

    const late = new AbortController();
    const pending = client({ fetch: hanging }).getBizQuality(params, { signal: late.signal });
    setTimeout(() => late.abort(), 20);
    zegoError(await caught(() => pending), { kind: "aborted", retryable: false });
  });

  test("parseResponse: error envelopes are api errors with exact ids", async () => {
    const limited =
      '{"Code":30002,"Message":"rate limit","RequestId":1659512998878671001}';
    zegoError(await caught(() => parseResponse("GetBizUsage", limited)), {
      kind: "api",
      code: 30002,
      retryable: true,
      requestId: "1659512998878671001",
      serverMessage: "rate limit",
    });
    const quoted = '{"Code":500,"Message":"busy","RequestId":"1659512998878671003"}';
    zegoError(await caught(() => parseResponse("GetPlayQualityDetail", quoted)), {
      kind: "api",
      code: 500,
      retryable: true,
      requestId: "1659512998878671003",
    });
  });

  test("parseResponse: a success with the id as a bare number or a string", () => {
    const data = '"Data":{"Metrics":[{"Metric":"play_count","Values":[{"Date":"20250110",' +
      '"Value":7}]}]}';
    const bare = `{"Code":0,"Message":"success","RequestId":1659512998878671001,${data}}`;
    const quoted = `{"Code":0,"Message":"success","RequestId":"1659512998878671001",${data}}`;
    const expected = {
      requestId: "1659512998878671001",
      metrics: [{ metric: "play_count", values: [{ date: "20250110", value: 7 }] }],
    };
    deepEqual(parseResponse("GetBizUsage", bare), expected, "bare");
    deepEqual(parseResponse("GetBizUsage", quoted), expected, "quoted");
  });

  const MALFORMED = {
    "an HTML page": "<html><body>502 Bad Gateway</body></html>",
    "an empty body": "",
    "cut short": '{"Code":0,"Message":"succ',
    "a trailing comma":
      '{"Code":0,"Message":"success","RequestId":1,"Data":{"List":[{"Timestamp":1,' +
      '"QualityInfo":[]},]}}',
    "Metrics not an array":
      '{"Code":0,"Message":"success","RequestId":"1","Data":{"Metrics":"none"}}',
    "a value of the wrong type":
      '{"Code":0,"Message":"success","RequestId":"1","Data":{"Metrics":[{"Metric":"fft",' +
      '"Values":[{"Date":"20250110","Value":{}}]}]}}',
    "no Code": '{"Message":"success","RequestId":"1","Data":{}}',
  };
  test("parseResponse: malformed bodies are parse errors", async () => {
    for (const [what, body] of Object.entries(MALFORMED)) {
      const action = what === "a trailing comma" ? "GetRegionQualityDetail" : "GetBizQuality";
      const err = await caught(() => parseResponse(action, body));
      try {
        zegoError(err, { kind: "parse", retryable: false });
      } catch (e) {
        fail(`${what}: ${e.message}`);
      }
    }
  });

  return list;
}

/**
 * Runs every test against the package `zego` (its exports, loaded the runtime's own way)
 * and the emulator at `emulatorUrl`. Never throws for a failing test; resolves to the
 * summary.
 */
export async function runConformance(zego, { emulatorUrl, report = () => {} }) {
  const results = [];
  const base = new URL(emulatorUrl).href;
  // Each run starts from a clean emulator: no recorded requests, no spent quotas.
  await fetch(new URL("_emulator/reset", base), { method: "POST" });
  for (const { name, fn } of tests(zego, base)) {
    let result;
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Failure(`no result in ${TEST_TIMEOUT_MS} ms`)),
        TEST_TIMEOUT_MS);
    });
    try {
      await Promise.race([fn(), late]);
      result = { name, ok: true };
    } catch (err) {
      const why = err instanceof Failure ? err.message : `threw ${err?.name}: ${err?.message}`;
      result = { name, ok: false, error: why };
    } finally {
      clearTimeout(timer);
    }
    results.push(result);
    report(result);
  }
  const passed = results.filter((r) => r.ok).length;
  return { passed, failed: results.length - passed, results };
}
