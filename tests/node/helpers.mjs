// Shared pieces of the Node tests of the built package: the emulator's demo app, a signer
// and query encoder written here from the service's documentation (not taken from the
// package), a recording proxy that keeps the raw bodies the package received, and a way
// to run the command. Not a test file itself.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import http from "node:http";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";

export { startEmulator } from "../emulator/server.mjs";

/** The emulator's built-in demo app. */
export const DEMO_APP_ID = 1234567890;
export const DEMO_SECRET = "5c3a9e2b7d1f40e8a6b2c9d0e1f2a3b4";

const CLI = fileURLToPath(new URL("../../pkg/bin/zego-analytics.mjs", import.meta.url));

const DAY_MS = 86_400_000;

// The metric names as the provider documents them, in its order.
export const METRICS = {
  GetBizUsage: ["room_concurrent", "user_concurrent", "publish_concurrent", "play_concurrent",
    "publish_count", "play_count"],
  GetBizQuality: ["break_rate", "fft", "login_consumed", "publish_success_rate_cdn",
    "publish_success_rate_rtc", "play_success_rate_cdn", "play_success_rate_l3",
    "play_success_rate_rtc", "login_success_rate", "login_success_5s"],
  GetRealtimeUsage: ["publish_concurrent", "play_concurrent", "room_concurrent", "online_user",
    "max_room_user", "mix_concurrent"],
  GetRealtimeQuality: ["video_break_rate", "audio_break_rate", "uplink_rtt", "downlink_rtt",
    "peer_to_peer_delay", "publish_success_rate", "play_success_rate", "login_success_rate"],
  GetStreamBaseInfo: ["isp", "net_type", "os_type", "device_model", "sdk_version", "region"],
  GetPublishQualityDetail: ["video_bitrate", "audio_bitrate", "video_network_fps",
    "audio_network_fps", "video_capture_fps", "uplink_delay", "uplink_packet_loss_rate",
    "captured_sound_level", "encode_resolution", "sys_cpu_used", "app_cpu_used",
    "sys_mem_used", "app_mem_used"],
  GetPlayQualityDetail: ["audio_bitrate", "audio_network_fps", "audio_break_percentage",
    "video_bitrate", "video_network_fps", "video_break_percentage", "decode_resolution",
    "peer_to_peer_delay", "peer_to_peer_plr", "downlink_delay", "downlink_packet_loss_rate",
    "rendered_sound_level", "mos", "sys_cpu_used", "app_cpu_used", "sys_mem_used",
    "app_mem_used"],
};

export const md5hex = (text) => createHash("md5").update(text).digest("hex");

/** RFC 3986 percent-encoding: only A-Z a-z 0-9 - . _ ~ stay as they are. */
function encode(value) {
  return encodeURIComponent(String(value)).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const compactDate = (date) => date.replaceAll("-", "");

/** The business parameters of a call as wire pairs, in the documented order. */
function businessPairs(action, params) {
  const metrics = () => [...new Set(params.metrics)].map((m) => ["Metrics[]", m]);
  const range = () => [["StartTs", params.startTs], ["EndTs", params.endTs]];
  const stream = () => [
    ["RoomId", params.roomId],
    ["UserId", params.userId],
    ["StreamId", params.streamId],
  ];
  switch (action) {
    case "GetBizUsage":
    case "GetBizQuality":
      return [
        ["StartDate", compactDate(params.startDate)],
        ["EndDate", compactDate(params.endDate)],
        ...metrics(),
      ];
    case "GetRealtimeUsage":
    case "GetRealtimeQuality":
      return [...range(), ...metrics()];
    case "GetRegionQualityDetail":
      return [
        ...(params.region === undefined ? [] : [["Region", params.region]]),
        ...(params.platform === undefined ? [] : [["Platform", params.platform]]),
        ...range(),
      ];
    case "GetStreamBaseInfo":
      return [...stream(), ...range(), ["StreamType", params.streamType]];
    case "GetPublishQualityDetail":
    case "GetPlayQualityDetail":
      return [...stream(), ...range(), ...metrics()];
    default:
      throw new Error(`no such action ${action}`);
  }
}

/** The query string the package should send, for a given nonce and timestamp. */
export function signedQuery({ action, params, appId, secret, nonce, timestamp, isTest }) {
  const pairs = [
    ["Action", action],
    ["AppId", appId],
    ["SignatureNonce", nonce],
    ["Timestamp", timestamp],
    ["SignatureVersion", "2.0"],
    ["Signature", md5hex(`${appId}${nonce}${secret}${timestamp}`)],
    ...(isTest === undefined ? [] : [["IsTest", String(isTest)]]),
    ...businessPairs(action, params),
  ];
  // The array key is written literally, as in the provider's samples.
  return pairs
    .map(([key, value]) => `${key === "Metrics[]" ? key : encode(key)}=${encode(value)}`)
    .join("&");
}

/** The exact digits of RequestId in a raw body, whether a string or a bare number. */
export function requestIdOf(bodyText) {
  const match = /"RequestId"\s*:\s*"?([0-9]+)"?/.exec(bodyText);
  assert.ok(match, `no RequestId in ${bodyText.slice(0, 200)}`);
  return match[1];
}

const renameRates = (detail) =>
  Object.fromEntries(
    Object.entries(detail).map(([key, value]) => [key[0].toLowerCase() + key.slice(1), value]),
  );

const REGION_KEYS = {
  P2pDelayDetail: "p2pDelayDetail",
  P2pPlrDetail: "p2pPlrDetail",
  VideoBreakDetail: "videoBreakDetail",
  AudioBreakDetail: "audioBreakDetail",
  VideoFFTDetail: "videoFftDetail",
  AudioFFTDetail: "audioFftDetail",
  LoginSuccessRateDetail: "loginSuccessRateDetail",
};

/** The result the contract promises for a successful raw body of `action`. */
export function expectedResult(action, bodyText) {
  const { Data: data } = JSON.parse(bodyText);
  const requestId = requestIdOf(bodyText);
  if (action === "GetRegionQualityDetail") {
    return {
      requestId,
      list: data.List.map((point) => ({
        timestamp: point.Timestamp,
        qualityInfo: point.QualityInfo.map((info) => {
          const out = { region: info.Region };
          for (const [wire, key] of Object.entries(REGION_KEYS)) {
            if (info[wire] !== undefined) out[key] = renameRates(info[wire]);
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

/** A value as plain JSON data: drops properties that hold undefined. */
export const plain = (value) => JSON.parse(JSON.stringify(value));

/**
 * A proxy in front of the emulator that records every raw response body, so a test can
 * compare what the package returned with exactly what it received.
 */
export async function startRecorder(targetUrl) {
  const target = new URL(targetUrl);
  const bodies = [];
  const server = http.createServer((req, res) => {
    const upstream = http.get(
      { host: target.hostname, port: target.port, path: req.url, headers: req.headers },
      (reply) => {
        const chunks = [];
        reply.on("data", (chunk) => chunks.push(chunk));
        reply.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          bodies.push({ path: req.url, status: reply.statusCode, text });
          res.writeHead(reply.statusCode, reply.headers);
          res.end(text);
        });
      },
    );
    upstream.on("error", () => {
      res.writeHead(599);
      res.end();
    });
  });
  await listen(server);
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    bodies,
    last: () => bodies.at(-1),
    close: () => close(server),
  };
}

/**
 * A server answering every request with `reply()`: `{ status, body, headers? }`, the body
 * text or bytes; `null` leaves the request unanswered until the server closes.
 */
export async function startCannedServer(reply) {
  let count = 0;
  const server = http.createServer((req, res) => {
    count += 1;
    const canned = reply(req);
    if (canned === null) return;
    const { status, body, headers = {} } = canned;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  });
  await listen(server);
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    count: () => count,
    close: () => close(server),
  };
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
}

function close(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A 127.0.0.1 port that was free a moment ago and has nothing listening now. */
export async function closedPort() {
  const server = net.createServer();
  await listen(server);
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The emulator's log of requests (every request to `/`, accepted or not). */
export async function emulatorRequests(emu) {
  const response = await fetch(new URL("_emulator/requests", emu.url));
  assert.equal(response.status, 200);
  return response.json();
}

export async function resetEmulator(emu) {
  const response = await fetch(new URL("_emulator/reset", emu.url), { method: "POST" });
  assert.equal(response.status, 200);
}

export async function configureEmulator(emu, config) {
  const response = await fetch(new URL("_emulator/config", emu.url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(config),
  });
  assert.equal(response.status, 200);
}

/** The decoded query of a recorded request, as [key, value] pairs. */
export function queryPairs(rawQuery) {
  return rawQuery.split("&").map((pair) => {
    const eq = pair.indexOf("=");
    return [decodeURIComponent(pair.slice(0, eq)), decodeURIComponent(pair.slice(eq + 1))];
  });
}

/** What a call threw (synchronously or as a rejection); fails when it returned. */
export async function caught(fn) {
  let value;
  try {
    value = await fn();
  } catch (err) {
    return err;
  }
  assert.fail(`expected a ZegoError, got ${inspect(value, { depth: 2 })}`);
}

/** Checks that `err` is a ZegoError with the given fields. */
export function assertZegoError(err, expected) {
  assert.ok(err instanceof Error, `not an Error: ${inspect(err)}`);
  assert.equal(err.name, "ZegoError", inspect(err));
  for (const [key, value] of Object.entries(expected)) {
    assert.deepEqual(err[key], value, `${key} of ${inspect(err)}`);
  }
  assert.equal(typeof err.retryable, "boolean", `retryable of ${inspect(err)}`);
  assert.equal(typeof err.message, "string");
  assert.ok(err.message.length > 0, "an empty message");
}

/** Every way a value can be shown: none of them may hold `secret`. */
export function assertHidesSecret(value, secret) {
  const views = [
    String(value),
    inspect(value, { depth: null, showHidden: true, getters: true }),
    JSON.stringify(value) ?? "",
  ];
  if (value instanceof Error) {
    views.push(value.message, value.stack ?? "");
    for (const key of Object.getOwnPropertyNames(value)) views.push(String(value[key]));
  }
  for (const view of views) {
    assert.ok(!view.includes(secret), `the secret shows in ${view.slice(0, 300)}`);
  }
}

/** An env for the command: this process's, without any ZEGO_* variable, plus `extra`. */
export function cliEnv(extra = {}) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("ZEGO_")),
  );
  return { ...env, ...extra };
}

/** Runs the command; resolves to `{ code, stdout, stderr }`. */
export function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = [];
    const err = [];
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}
