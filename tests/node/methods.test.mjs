// Every method of the built package against the emulator: the exact query it sent, the
// exact result it returned for the raw body it received, and the shape of the data.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { AnalyticsClient, parseResponse } from "../../pkg/index.mjs";
import {
  DEMO_APP_ID,
  DEMO_SECRET,
  METRICS,
  emulatorRequests,
  expectedResult,
  plain,
  requestIdOf,
  signedQuery,
  startEmulator,
  startRecorder,
} from "./helpers.mjs";

const reversed = (list) => [...list].reverse();
const floorTo = (ms, step) => Math.floor(ms / step) * step;

let emu;
let recorder;
let client;

before(async () => {
  emu = await startEmulator({ port: 0, rateLimit: false });
  recorder = await startRecorder(emu.url);
  client = new AnalyticsClient({
    appId: DEMO_APP_ID,
    serverSecret: DEMO_SECRET,
    endpoint: recorder.url,
    // One request per call, however many calls this file makes.
    rateLimit: "off",
    maxRetries: 0,
  });
});

after(async () => {
  await recorder?.close();
  await emu?.close();
});

/**
 * Makes one call and checks what is common to every action: one request sent, its exact
 * query, the RequestId's exact digits, the whole result against the raw body, and
 * parseResponse agreeing with the method. Returns the result.
 */
async function call(action, method, params, { isTest, on = client } = {}) {
  const before = (await emulatorRequests(emu)).count;
  const result = await on[method](params);
  const raw = recorder.last();
  const log = await emulatorRequests(emu);

  assert.equal(log.count, before + 1, "exactly one request per call");
  const sent = log.requests.at(-1);
  assert.equal(sent.action, action);
  assert.match(sent.nonce, /^[0-9a-f]{16}$/);
  assert.ok(Math.abs(Number(sent.timestamp) - Date.now() / 1000) < 30, "Timestamp is now");
  const expectedQuery = signedQuery({
    action,
    params,
    appId: DEMO_APP_ID,
    secret: DEMO_SECRET,
    nonce: sent.nonce,
    timestamp: sent.timestamp,
    isTest,
  });
  assert.equal(sent.query, expectedQuery);

  assert.equal(JSON.parse(raw.text).Code, 0, raw.text.slice(0, 200));
  assert.equal(typeof result.requestId, "string");
  assert.match(result.requestId, /^[0-9]{19}$/);
  assert.equal(result.requestId, requestIdOf(raw.text));
  assert.deepStrictEqual(plain(result), expectedResult(action, raw.text));
  assert.deepStrictEqual(plain(parseResponse(action, raw.text)), plain(result));
  return result;
}

function assertSeries(result, metrics, keys, keyName) {
  assert.deepEqual(result.metrics.map((m) => m.metric), metrics, "metric order");
  for (const series of result.metrics) {
    assert.deepEqual(series.values.map((v) => v[keyName]), keys, series.metric);
  }
}

function assertNumbers(result, except = []) {
  for (const series of result.metrics) {
    for (const { value } of series.values) {
      if (except.includes(series.metric)) {
        assert.match(value, /^[0-9]+\*[0-9]+$/, `${series.metric} is a W*H resolution`);
      } else {
        assert.ok(Number.isFinite(value), `${series.metric} value ${value} is a number`);
      }
    }
  }
}

describe("getBizUsage", () => {
  test("three days, both date forms, metric order kept and duplicates dropped", async () => {
    const metrics = ["publish_count", "play_count", "publish_count"];
    const result = await call("GetBizUsage", "getBizUsage", {
      startDate: "20250110",
      endDate: "2025-01-12",
      metrics,
    });
    assertSeries(result, ["publish_count", "play_count"],
      ["20250110", "20250111", "20250112"], "date");
    assertNumbers(result);
  });

  test("every metric, over a leap day", async () => {
    const metrics = reversed(METRICS.GetBizUsage);
    const result = await call("GetBizUsage", "getBizUsage", {
      startDate: "2024-02-27",
      endDate: "2024-03-01",
      metrics,
    });
    assertSeries(result, metrics, ["20240227", "20240228", "20240229", "20240301"], "date");
    assertNumbers(result);
  });

  test("a single day", async () => {
    const result = await call("GetBizUsage", "getBizUsage", {
      startDate: "20241231",
      endDate: "20241231",
      metrics: ["room_concurrent"],
    });
    assertSeries(result, ["room_concurrent"], ["20241231"], "date");
  });
});

describe("getBizQuality", () => {
  test("every metric across a year end", async () => {
    const metrics = reversed(METRICS.GetBizQuality);
    const result = await call("GetBizQuality", "getBizQuality", {
      startDate: "2024-12-30",
      endDate: "20250102",
      metrics,
    });
    assertSeries(result, metrics, ["20241230", "20241231", "20250101", "20250102"], "date");
    assertNumbers(result);
  });
});

function lastMinute() {
  const startTs = floorTo(Date.now(), 1000) - 300_000;
  const endTs = startTs + 60_000;
  const seconds = Array.from({ length: 61 }, (_, i) => startTs + i * 1000);
  return { startTs, endTs, seconds };
}

describe("getRealtimeUsage", () => {
  test("one point per second, every metric", async () => {
    const { startTs, endTs, seconds } = lastMinute();
    const metrics = reversed(METRICS.GetRealtimeUsage);
    const result = await call("GetRealtimeUsage", "getRealtimeUsage", {
      startTs,
      endTs,
      metrics,
    });
    assertSeries(result, metrics, seconds, "timestamp");
    assertNumbers(result);
  });

  test("endTs 0 means up to now", async () => {
    const startTs = floorTo(Date.now(), 1000) - 10_000;
    const result = await call("GetRealtimeUsage", "getRealtimeUsage", {
      startTs,
      endTs: 0,
      metrics: ["online_user"],
    });
    const times = result.metrics[0].values.map((v) => v.timestamp);
    assert.ok(times.length >= 10, `${times.length} points`);
    assert.equal(times[0], startTs);
    assert.ok(times.at(-1) <= Date.now());
  });

  test("IsTest is sent and signed when the client asks for it", async () => {
    const testClient = new AnalyticsClient({
      appId: DEMO_APP_ID,
      serverSecret: DEMO_SECRET,
      endpoint: recorder.url,
      isTest: true,
      rateLimit: "off",
      maxRetries: 0,
    });
    const { startTs, endTs } = lastMinute();
    await call("GetRealtimeUsage", "getRealtimeUsage",
      { startTs, endTs, metrics: ["mix_concurrent"] }, { isTest: true, on: testClient });
  });
});

describe("getRealtimeQuality", () => {
  test("one point per second, every metric", async () => {
    const { startTs, endTs, seconds } = lastMinute();
    const metrics = reversed(METRICS.GetRealtimeQuality);
    const result = await call("GetRealtimeQuality", "getRealtimeQuality", {
      startTs,
      endTs,
      metrics,
    });
    assertSeries(result, metrics, seconds, "timestamp");
    assertNumbers(result);
  });
});

describe("getRegionQualityDetail", () => {
  const startTs = floorTo(Date.now(), 60_000) - 3_600_000;
  const endTs = startTs + 3_600_000;
  const minutes = Array.from({ length: 61 }, (_, i) => startTs + i * 60_000);
  const rateKeys = (n) => ["total", ...Array.from({ length: n }, (_, i) => `rate${i + 1}`)];

  test("one hour, every region, every detail", async () => {
    const result = await call("GetRegionQualityDetail", "getRegionQualityDetail", {
      startTs,
      endTs,
    });
    assert.deepEqual(result.list.map((point) => point.timestamp), minutes);
    for (const point of result.list) {
      assert.ok(point.qualityInfo.length > 0);
      for (const info of point.qualityInfo) {
        assert.equal(typeof info.region, "string");
        assert.deepEqual(Object.keys(info.p2pDelayDetail).sort(), rateKeys(4).sort());
        for (const key of ["p2pPlrDetail", "videoBreakDetail", "audioBreakDetail",
          "videoFftDetail", "audioFftDetail"]) {
          assert.deepEqual(Object.keys(info[key]).sort(), rateKeys(5).sort(), key);
        }
        assert.equal(typeof info.loginSuccessRateDetail.loginSuccessRate, "number");
        assert.equal(typeof info.loginSuccessRateDetail.loginSuccessRate5s, "number");
      }
    }
  });

  test("a region named in Chinese and a platform", async () => {
    const result = await call("GetRegionQualityDetail", "getRegionQualityDetail", {
      startTs,
      endTs: startTs + 600_000,
      region: "中国",
      platform: "web",
    });
    assert.equal(result.list.length, 11);
    for (const point of result.list) {
      assert.deepEqual(point.qualityInfo.map((info) => info.region), ["中国"]);
    }
  });
});

describe("getStreamBaseInfo", () => {
  test("text values; ids with reserved and non-ASCII characters", async () => {
    const endTs = floorTo(Date.now(), 1000);
    const result = await call("GetStreamBaseInfo", "getStreamBaseInfo", {
      roomId: "room 1+2&3=4",
      userId: "用户/ä?#",
      streamId: "s~._-!*'()%",
      streamType: "play",
      startTs: endTs - 600_000,
      endTs,
    });
    assert.deepEqual(
      result.metrics.map((m) => m.metric).sort(),
      [...METRICS.GetStreamBaseInfo].sort(),
    );
    for (const series of result.metrics) {
      assert.ok(series.values.length > 0);
      for (const { timestamp, value } of series.values) {
        assert.equal(typeof value, "string");
        assert.ok(timestamp >= endTs - 600_000 && timestamp <= endTs);
      }
    }
  });
});

function detailRange() {
  const startTs = floorTo(Date.now(), 10_000) - 600_000;
  const endTs = startTs + 300_000;
  const points = Array.from({ length: 31 }, (_, i) => startTs + i * 10_000);
  return { startTs, endTs, points };
}

const stream = { roomId: "room-1", userId: "user 1", streamId: "stream_1" };

describe("getPublishQualityDetail", () => {
  test("every metric; the resolution is text, the rest numbers", async () => {
    const { startTs, endTs, points } = detailRange();
    const metrics = reversed(METRICS.GetPublishQualityDetail);
    const result = await call("GetPublishQualityDetail", "getPublishQualityDetail", {
      ...stream,
      metrics,
      startTs,
      endTs,
    });
    assertSeries(result, metrics, points, "timestamp");
    assertNumbers(result, ["encode_resolution"]);
  });
});

describe("getPlayQualityDetail", () => {
  test("every metric; the resolution is text, the rest numbers", async () => {
    const { startTs, endTs, points } = detailRange();
    const metrics = reversed(METRICS.GetPlayQualityDetail);
    const result = await call("GetPlayQualityDetail", "getPlayQualityDetail", {
      ...stream,
      metrics: [...metrics, metrics[0]],
      startTs,
      endTs,
    });
    assertSeries(result, metrics, points, "timestamp");
    assertNumbers(result, ["decode_resolution"]);
  });
});
