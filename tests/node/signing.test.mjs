// Signing and URL building of the built package: the provider's worked example, exact query
// strings for fixed nonce and time, percent-encoding, and the hosts.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  ACTION_NAMES,
  ACTIONS,
  AnalyticsClient,
  generateSignature,
  verifySignedUrl,
} from "../../pkg/index.mjs";
import * as entry from "../../pkg/index.mjs";
import {
  DEMO_APP_ID,
  DEMO_SECRET,
  METRICS,
  assertHidesSecret,
  assertZegoError,
  caught,
  emulatorRequests,
  md5hex,
  signedQuery,
  startEmulator,
} from "./helpers.mjs";

// The provider's worked example of the signature.
const EXAMPLE = {
  appId: 12345,
  nonce: "4fd24687296dd9f3",
  secret: "9193cc662a4c0ec135ec71fb57194b38",
  timestamp: 1615186943,
  signature: "43e5cfcca828314675f91b001390566a",
};

const SERVICE = "https://analytics-api.zego.im/";
const at = { nonce: EXAMPLE.nonce, timestamp: EXAMPLE.timestamp };

let emu;
let example;

before(async () => {
  emu = await startEmulator({ port: 0, rateLimit: false });
  // Never used to send anything: buildUrl only signs.
  example = new AnalyticsClient({ appId: EXAMPLE.appId, serverSecret: EXAMPLE.secret });
});

after(async () => {
  await emu?.close();
});

/** The URL the example client should build, computed here. */
function expectedUrl(action, params, isTest) {
  const query = signedQuery({
    action,
    params,
    appId: EXAMPLE.appId,
    secret: EXAMPLE.secret,
    nonce: EXAMPLE.nonce,
    timestamp: EXAMPLE.timestamp,
    isTest,
  });
  return `${SERVICE}?${query}`;
}

describe("generateSignature", () => {
  test("the provider's worked example", () => {
    const { appId, nonce, secret, timestamp, signature } = EXAMPLE;
    assert.equal(md5hex(`${appId}${nonce}${secret}${timestamp}`), signature);
    assert.equal(generateSignature(appId, nonce, secret, timestamp), signature);
  });

  test("md5 of the concatenation, lowercase hex, for other inputs", () => {
    const cases = [
      [1, "0", "s", 0],
      [4294967295, "ffffffffffffffff", "5c3a9e2b7d1f40e8a6b2c9d0e1f2a3b4", 1999999999],
      [1234567890, "12345678901234", "abcde1234aaaaaaaabbbbbbb", 1700000000],
    ];
    for (const [appId, nonce, secret, timestamp] of cases) {
      const signature = generateSignature(appId, nonce, secret, timestamp);
      assert.match(signature, /^[0-9a-f]{32}$/);
      assert.equal(signature, md5hex(`${appId}${nonce}${secret}${timestamp}`));
    }
  });
});

describe("buildUrl with a fixed nonce and timestamp", () => {
  test("GetBizUsage: the worked example's signature, dates compacted, duplicates dropped", () => {
    const params = {
      startDate: "20250110",
      endDate: "2025-01-12",
      metrics: ["publish_count", "play_count", "publish_count"],
    };
    const url = example.buildUrl("GetBizUsage", params, at);
    assert.equal(
      url,
      "https://analytics-api.zego.im/?Action=GetBizUsage&AppId=12345" +
        "&SignatureNonce=4fd24687296dd9f3&Timestamp=1615186943&SignatureVersion=2.0" +
        "&Signature=43e5cfcca828314675f91b001390566a" +
        "&StartDate=20250110&EndDate=20250112&Metrics[]=publish_count&Metrics[]=play_count",
    );
    assert.equal(url, expectedUrl("GetBizUsage", params));
  });

  test("every action, in the documented parameter order", () => {
    const ts = { startTs: 1736467200000, endTs: 1736467260000 };
    const ids = { roomId: "r", userId: "u", streamId: "s" };
    const calls = [
      ["GetBizQuality", { startDate: "2025-01-10", endDate: "20250110", metrics: ["fft"] }],
      ["GetRealtimeUsage", { ...ts, metrics: ["online_user", "room_concurrent"] }],
      ["GetRealtimeQuality", { startTs: 1736467200000, endTs: 0, metrics: ["uplink_rtt"] }],
      ["GetRegionQualityDetail", ts],
      ["GetRegionQualityDetail", { ...ts, region: "all", platform: "native" }],
      ["GetStreamBaseInfo", { ...ids, streamType: "publish", ...ts }],
      ["GetPublishQualityDetail", { ...ids, metrics: ["sys_cpu_used", "video_bitrate"], ...ts }],
      ["GetPlayQualityDetail", { ...ids, metrics: ["mos"], ...ts }],
    ];
    for (const [action, params] of calls) {
      assert.equal(example.buildUrl(action, params, at), expectedUrl(action, params), action);
    }
  });

  test("percent-encoding: space %20, plus %2B, Chinese as UTF-8, only unreserved kept", () => {
    const region = example.buildUrl(
      "GetRegionQualityDetail",
      { startTs: 1736467200000, endTs: 1736467260000, region: "中国", platform: "web" },
      at,
    );
    assert.ok(region.includes("&Region=%E4%B8%AD%E5%9B%BD&Platform=web&StartTs="), region);

    const params = {
      roomId: "room 1+2",
      userId: "a&b=c/d?e#f%g",
      streamId: "AZaz09-._~!*'()",
      streamType: "play",
      startTs: 1736467200000,
      endTs: 1736467260000,
    };
    const url = example.buildUrl("GetStreamBaseInfo", params, at);
    assert.ok(url.includes("&RoomId=room%201%2B2&"), url);
    assert.ok(url.includes("&UserId=a%26b%3Dc%2Fd%3Fe%23f%25g&"), url);
    assert.ok(url.includes("&StreamId=AZaz09-._~%21%2A%27%28%29&"), url);
    assert.equal(url, expectedUrl("GetStreamBaseInfo", params));
  });

  test("the Metrics[] key is written literally, once per metric, in order", () => {
    const url = example.buildUrl(
      "GetPlayQualityDetail",
      {
        roomId: "r",
        userId: "u",
        streamId: "s",
        metrics: ["mos", "app_cpu_used", "mos", "decode_resolution", "app_cpu_used"],
        startTs: 1736467200000,
        endTs: 1736467260000,
      },
      at,
    );
    assert.ok(
      url.endsWith("&Metrics[]=mos&Metrics[]=app_cpu_used&Metrics[]=decode_resolution"),
      url,
    );
    assert.ok(!url.includes("%5B") && !url.includes("%5D"), url);
  });

  test("IsTest follows the signature when the client sets it, and only then", () => {
    const params = { startDate: "20250110", endDate: "20250110", metrics: ["play_count"] };
    for (const isTest of [true, false]) {
      const client = new AnalyticsClient({
        appId: EXAMPLE.appId,
        serverSecret: EXAMPLE.secret,
        isTest,
      });
      const url = client.buildUrl("GetBizUsage", params, at);
      assert.equal(url, expectedUrl("GetBizUsage", params, isTest));
      assert.ok(url.includes(`&Signature=${EXAMPLE.signature}&IsTest=${isTest}&`), url);
    }
    assert.ok(!example.buildUrl("GetBizUsage", params, at).includes("IsTest"));
  });

  test("invalid parameters are refused, not signed", async () => {
    const err = await caught(() =>
      example.buildUrl("GetBizUsage", { startDate: "20250230", endDate: "20250301",
        metrics: ["play_count"] }, at),
    );
    assertZegoError(err, { kind: "validation", retryable: false });
  });
});

describe("buildUrl with fresh signing inputs", () => {
  const params = { startDate: "20250110", endDate: "20250112", metrics: ["play_count"] };

  test("a new 16-hex nonce and the current time in seconds, every call", () => {
    const seen = new Set();
    for (let i = 0; i < 5; i += 1) {
      const url = new URL(example.buildUrl("GetBizUsage", params));
      const nonce = url.searchParams.get("SignatureNonce");
      const timestamp = url.searchParams.get("Timestamp");
      assert.match(nonce, /^[0-9a-f]{16}$/);
      assert.match(timestamp, /^[0-9]{10}$/);
      assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) <= 5, timestamp);
      assert.equal(
        url.searchParams.get("Signature"),
        md5hex(`${EXAMPLE.appId}${nonce}${EXAMPLE.secret}${timestamp}`),
      );
      seen.add(nonce);
    }
    assert.equal(seen.size, 5, "nonces repeat");
  });

  test("a fixed nonce alone keeps the current time", () => {
    const url = new URL(example.buildUrl("GetBizUsage", params, { nonce: "abc" }));
    assert.equal(url.searchParams.get("SignatureNonce"), "abc");
    assert.ok(Math.abs(Number(url.searchParams.get("Timestamp")) - Date.now() / 1000) <= 5);
  });

  test("the emulator accepts the URL and builds nothing by itself", async () => {
    const client = new AnalyticsClient({
      appId: DEMO_APP_ID,
      serverSecret: DEMO_SECRET,
      endpoint: emu.url,
    });
    const before = (await emulatorRequests(emu)).count;
    const url = client.buildUrl("GetBizUsage", params);
    assert.equal((await emulatorRequests(emu)).count, before, "buildUrl sent a request");

    assert.ok(url.startsWith(`${emu.url}?Action=GetBizUsage&`), url);
    const body = await (await fetch(url)).text();
    assert.match(body, /"Code":0[,}]/, body.slice(0, 200));
  });
});

describe("hosts", () => {
  test("the unified host by default, a regional host by key, an endpoint over both", () => {
    assert.equal(example.baseUrl, SERVICE);
    assert.equal(example.appId, EXAMPLE.appId);
    for (const region of ["sha", "hkg", "fra", "lax", "bom", "sgp"]) {
      const client = new AnalyticsClient({ appId: 1, serverSecret: "s", region });
      assert.equal(client.baseUrl, `https://analytics-api-${region}.zego.im/`);
    }
    const local = new AnalyticsClient({
      appId: 1,
      serverSecret: "s",
      region: "fra",
      endpoint: emu.url,
    });
    assert.equal(local.baseUrl, emu.url);
  });
});

test("ACTION_NAMES lists the eight actions", () => {
  assert.deepEqual([...ACTION_NAMES].sort(), [
    "GetBizQuality",
    "GetBizUsage",
    "GetPlayQualityDetail",
    "GetPublishQualityDetail",
    "GetRealtimeQuality",
    "GetRealtimeUsage",
    "GetRegionQualityDetail",
    "GetStreamBaseInfo",
  ]);
});

test("ACTIONS describes the eight actions, frozen", () => {
  assert.deepEqual(ACTIONS.map((info) => info.name), [...ACTION_NAMES]);
  for (const info of ACTIONS) {
    assert.equal(typeof example[info.method], "function", info.method);
    const takesMetrics = info.params.some((param) => param.wire === "Metrics[]");
    assert.deepEqual([...info.metrics], takesMetrics ? METRICS[info.name] : [], info.name);
    assert.ok(Object.isFrozen(info) && Object.isFrozen(info.params), info.name);
  }
});

describe("verifySignedUrl", () => {
  const params = { startDate: "20250110", endDate: "20250112", metrics: ["play_count"] };
  const url = () => example.buildUrl("GetBizUsage", params, at);
  const now = { nowSeconds: EXAMPLE.timestamp };

  test("a URL the client signed is valid", () => {
    const verdict = verifySignedUrl(url(), EXAMPLE.secret, now);
    assert.deepEqual(verdict.problems, []);
    assert.equal(verdict.valid, true);
    assert.equal(verdict.action, "GetBizUsage");
    assert.equal(verdict.appId, EXAMPLE.appId);
  });

  test("a wrong secret, a changed nonce and an old timestamp are each reported", () => {
    const wrong = "0badc0de0badc0de0badc0de0badc0de";
    const bySecret = verifySignedUrl(url(), wrong, now);
    assert.equal(bySecret.valid, false);
    assert.deepEqual(bySecret.problems.map((p) => p.param), ["Signature"]);
    assertHidesSecret(bySecret, wrong);

    // The signature covers the common parameters only, the nonce among them.
    const changed = verifySignedUrl(url().replace(EXAMPLE.nonce, "0123456789abcdef"),
      EXAMPLE.secret, now);
    assert.deepEqual(changed.problems.map((p) => p.param), ["Signature"]);

    const late = verifySignedUrl(url(), EXAMPLE.secret, { nowSeconds: EXAMPLE.timestamp + 601 });
    assert.deepEqual(late.problems.map((p) => p.param), ["Timestamp"]);
  });
});

test("redactUrl hides the values of Signature and SignatureNonce", () => {
  assert.equal(typeof entry.redactUrl, "function", "the package does not export redactUrl");
  const params = { startDate: "20250110", endDate: "20250112", metrics: ["play_count"] };
  const url = example.buildUrl("GetBizUsage", params, at);
  const expected = url
    .replace(`SignatureNonce=${EXAMPLE.nonce}&`, "SignatureNonce=***&")
    .replace(`Signature=${EXAMPLE.signature}&`, "Signature=***&");
  assert.equal(entry.redactUrl(url), expected);
});
