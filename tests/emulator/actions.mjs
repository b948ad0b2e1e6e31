// The eight actions: business-parameter checks and deterministic synthetic data.
//
// Every value is derived from a hash of the AppId, the action, the metric and the point
// (a day, a timestamp, a region), so the same request always gets the same numbers and a
// test can compare two calls. The numbers are made up; only their types and ranges follow
// the provider's documentation.

import { ApiError, CODES } from './errors.mjs';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Longest date range of the daily actions, in days (stands in for data retention). */
export const MAX_DAYS = 366;
/** Real-time data covers the last two hours. */
export const REALTIME_WINDOW_MS = 2 * HOUR_MS;
/** GetRegionQualityDetail covers at most one hour. */
export const MAX_REGION_RANGE_MS = HOUR_MS;
/** Publish/play detail covers at most one day (8640 points of 10 s). */
export const MAX_DETAIL_RANGE_MS = 24 * HOUR_MS;
const DETAIL_STEP_MS = 10_000;

// ---------------------------------------------------------------------------------------
// Deterministic numbers

/**
 * A number in [0, 1) fixed by its parts: two 32-bit FNV-1a hashes with different offsets,
 * each finished with murmur3's avalanche step, joined into 52 bits. Not cryptographic, just
 * well spread and fast enough for a day of per-10-second points.
 */
export function unit(...parts) {
  const text = parts.join('\u001f');
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x01000193);
  }
  return (avalanche(a) * 2 ** 20 + (avalanche(b) >>> 12)) / 2 ** 52;
}

function avalanche(h) {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const round = (x, places) => Number(x.toFixed(places));
const int = (lo, hi) => (r) => lo + Math.floor(r * (hi - lo + 1));
const fraction = (lo, hi) => (r) => round(lo + r * (hi - lo), 4);
const float = (lo, hi) => (r) => round(lo + r * (hi - lo), 2);
const pick = (list) => (r) => list[Math.floor(r * list.length)];

const RESOLUTIONS = ['640*360', '960*540', '1280*720', '1920*1080'];

// ---------------------------------------------------------------------------------------
// Metric tables, one per action: name -> value from a number in [0, 1)

const BIZ_USAGE = {
  room_concurrent: int(20, 2_000),
  user_concurrent: int(50, 8_000),
  publish_concurrent: int(10, 1_500),
  play_concurrent: int(30, 6_000),
  publish_count: int(1_000, 90_000),
  play_count: int(2_000, 300_000),
};

const BIZ_QUALITY = {
  break_rate: fraction(0.001, 0.05),
  fft: int(300, 1_500),
  login_consumed: int(100, 900),
  publish_success_rate_cdn: fraction(0.95, 0.9999),
  publish_success_rate_rtc: fraction(0.96, 0.9999),
  play_success_rate_cdn: fraction(0.95, 0.9999),
  play_success_rate_l3: fraction(0.95, 0.9999),
  play_success_rate_rtc: fraction(0.96, 0.9999),
  login_success_rate: fraction(0.97, 0.9999),
  login_success_5s: fraction(0.9, 0.999),
};

const REALTIME_USAGE = {
  publish_concurrent: int(5, 800),
  play_concurrent: int(10, 3_000),
  room_concurrent: int(5, 1_000),
  online_user: int(20, 5_000),
  max_room_user: int(2, 300),
  mix_concurrent: int(0, 120),
};

const REALTIME_QUALITY = {
  video_break_rate: fraction(0, 0.05),
  audio_break_rate: fraction(0, 0.03),
  uplink_rtt: int(20, 250),
  downlink_rtt: int(20, 250),
  peer_to_peer_delay: int(80, 700),
  publish_success_rate: fraction(0.95, 0.9999),
  play_success_rate: fraction(0.95, 0.9999),
  login_success_rate: fraction(0.97, 0.9999),
};

const DEVICE_LOAD = {
  sys_cpu_used: int(5, 100),
  app_cpu_used: int(1, 60),
  sys_mem_used: int(1_500, 8_000),
  app_mem_used: int(80, 700),
};

const PUBLISH_QUALITY = {
  video_bitrate: int(300, 2_500),
  audio_bitrate: int(24, 128),
  video_network_fps: float(10, 30),
  audio_network_fps: float(40, 50),
  video_capture_fps: float(12, 30),
  uplink_delay: int(10, 300),
  uplink_packet_loss_rate: int(0, 15),
  captured_sound_level: int(0, 100),
  encode_resolution: pick(RESOLUTIONS),
  ...DEVICE_LOAD,
};

const PLAY_QUALITY = {
  audio_bitrate: int(24, 128),
  audio_network_fps: float(40, 50),
  audio_break_percentage: float(0, 5),
  video_bitrate: float(300, 2_500),
  video_network_fps: float(10, 30),
  video_break_percentage: float(0, 8),
  decode_resolution: pick(RESOLUTIONS),
  peer_to_peer_delay: float(80, 700),
  peer_to_peer_plr: int(0, 15),
  downlink_delay: int(10, 300),
  downlink_packet_loss_rate: int(0, 15),
  rendered_sound_level: int(0, 100),
  mos: float(1.5, 5),
  ...DEVICE_LOAD,
};

// Facts about one user's stream: name -> list of values.
const STREAM_BASE = {
  isp: ['中国电信', '中国联通', '中国移动', 'Comcast', 'Singtel'],
  net_type: ['2G', '3G', '4G', '5G', 'WIFI', 'LINE', 'NONE', 'UNKNOWN'],
  os_type: ['iOS', 'Android', 'Windows', 'macOS', 'Linux', 'Web'],
  device_model: ['iPhone14,2', 'SM-G9910', 'M2012K11AC', 'MacBookPro18,1', 'PC'],
  sdk_version: ['2.23.0', '3.0.3', '3.4.2', '3.8.1'],
  region: ['中国-广东-深圳', '中国-上海', '美国-加利福尼亚', '新加坡'],
};
// Facts that may change while a stream lives; the others are fixed per stream.
const STREAM_BASE_CHANGING = new Set(['net_type', 'isp']);

const ALL_REGIONS = ['中国', '美国', '新加坡'];
const PLATFORMS = new Set(['all', 'native', 'web']);

// ---------------------------------------------------------------------------------------
// Parameter readers; each throws 10001 for a malformed value and 10002 for a wrong one

function required(params, key) {
  const value = params.one(key);
  if (value === undefined) throw new ApiError(CODES.FORMAT, `${key} is missing`);
  return value;
}

/** `yyyyMMdd` to the UTC midnight of that day, in ms. */
function readDate(params, key) {
  const text = required(params, key);
  if (!/^[0-9]{8}$/.test(text)) {
    throw new ApiError(CODES.FORMAT, `${key} must be a date written yyyyMMdd`);
  }
  const [y, m, d] = [text.slice(0, 4), text.slice(4, 6), text.slice(6)].map(Number);
  const ms = Date.UTC(y, m - 1, d);
  if (formatDate(ms) !== text) {
    throw new ApiError(CODES.FORMAT, `${key} ${text} is not a calendar date`);
  }
  return ms;
}

function formatDate(ms) {
  const date = new Date(ms);
  const pad = (n, w) => String(n).padStart(w, '0');
  return `${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1, 2)}` +
    pad(date.getUTCDate(), 2);
}

/** A Unix time in ms; `0` for EndTs means now. */
function readMs(params, key, nowMs) {
  const text = required(params, key);
  if (!/^(0|[1-9][0-9]*)$/.test(text)) {
    throw new ApiError(CODES.FORMAT, `${key} must be an integer of Unix milliseconds`);
  }
  if (text === '0' && key === 'EndTs') return nowMs;
  if (text.length !== 13) {
    const hint = text.length <= 11 ? ' (looks like seconds)'
      : text.length >= 15 ? ' (looks like microseconds)' : '';
    throw new ApiError(CODES.INVALID, `${key} ${text} is not Unix milliseconds${hint}`);
  }
  return Number(text);
}

function readRange(params, nowMs) {
  const start = readMs(params, 'StartTs', nowMs);
  const end = readMs(params, 'EndTs', nowMs);
  if (start > end) throw new ApiError(CODES.INVALID, 'StartTs is after EndTs');
  return { start, end };
}

function readId(params, key) {
  const value = required(params, key);
  if (value === '') throw new ApiError(CODES.INVALID, `${key} is empty`);
  return value;
}

/** The requested metrics, checked against the action's table, duplicates dropped. */
function readMetrics(params, table, action) {
  const requested = params.all('Metrics[]');
  if (requested.length === 0) {
    const near = params.keys().find((k) => k === 'Metrics' || /^Metrics\[.+\]$/.test(k));
    const hint = near === undefined ? '' : ` (got ${near}; the key is written Metrics[])`;
    throw new ApiError(CODES.INVALID, `at least one Metrics[] is required${hint}`);
  }
  for (const metric of requested) {
    if (!Object.hasOwn(table, metric)) {
      throw new ApiError(CODES.INVALID, `unknown metric "${metric}" for ${action}`);
    }
  }
  return [...new Set(requested)];
}

/** Multiples of `step` within [start, end]. */
function steps(start, end, step) {
  const out = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) out.push(t);
  return out;
}

// ---------------------------------------------------------------------------------------
// The actions. Each handler gets the parsed query and { appId, action, nowMs } and returns
// the `Data` object.

function daily(table) {
  return (params, ctx) => {
    const start = readDate(params, 'StartDate');
    const end = readDate(params, 'EndDate');
    const metrics = readMetrics(params, table, ctx.action);
    if (start > end) throw new ApiError(CODES.INVALID, 'StartDate is after EndDate');
    const days = (end - start) / DAY_MS + 1;
    if (days > MAX_DAYS) {
      throw new ApiError(CODES.INVALID, `date range of ${days} days is over ${MAX_DAYS}`);
    }

    const dates = [];
    for (let t = start; t <= end; t += DAY_MS) dates.push(formatDate(t));
    return {
      Metrics: metrics.map((metric) => ({
        Metric: metric,
        Values: dates.map((date) => ({
          Date: date,
          Value: table[metric](unit(ctx.appId, ctx.action, metric, date)),
        })),
      })),
    };
  };
}

function realtime(table) {
  return (params, ctx) => {
    const { start, end } = readRange(params, ctx.nowMs);
    const metrics = readMetrics(params, table, ctx.action);

    const from = Math.max(start, ctx.nowMs - REALTIME_WINDOW_MS);
    const to = Math.min(end, ctx.nowMs);
    const seconds = from <= to ? steps(from, to, 1000) : [];
    return {
      Metrics: metrics.map((metric) => ({
        Metric: metric,
        Values: seconds.map((t) => ({
          Timestamp: t,
          Value: table[metric](unit(ctx.appId, ctx.action, metric, t)),
        })),
      })),
    };
  };
}

/** `n` rates that sum to 1 within rounding, most of the weight on the first ones. */
function rates(n, ...key) {
  const weights = Array.from({ length: n }, (_, i) => (0.05 + unit(...key, i)) * 0.3 ** i);
  const total = weights.reduce((a, b) => a + b, 0);
  const out = weights.slice(0, -1).map((w) => round(w / total, 4));
  out.push(round(1 - out.reduce((a, b) => a + b, 0), 4));
  return out;
}

function detail(n, ...key) {
  const out = { Total: int(100, 10_000)(unit(...key, 'total')) };
  rates(n, ...key).forEach((rate, i) => {
    out[`Rate${i + 1}`] = rate;
  });
  return out;
}

function regionQuality(params, ctx) {
  const region = params.one('Region') ?? 'all';
  if (region === '') throw new ApiError(CODES.INVALID, 'Region is empty');
  const platform = params.one('Platform') ?? 'all';
  if (!PLATFORMS.has(platform)) {
    throw new ApiError(CODES.INVALID, `Platform must be all, native or web, not "${platform}"`);
  }
  const { start, end } = readRange(params, ctx.nowMs);
  if (end - start > MAX_REGION_RANGE_MS) {
    throw new ApiError(CODES.INVALID, 'StartTs..EndTs covers more than one hour');
  }

  const regions = region === 'all' ? ALL_REGIONS : [region];
  return {
    List: steps(start, end, 60_000).map((t) => ({
      Timestamp: t,
      QualityInfo: regions.map((name) => {
        const key = [ctx.appId, ctx.action, platform, name, t];
        const login = fraction(0.95, 0.9999)(unit(...key, 'login'));
        return {
          Region: name,
          P2pDelayDetail: detail(4, ...key, 'p2p_delay'),
          P2pPlrDetail: detail(5, ...key, 'p2p_plr'),
          VideoBreakDetail: detail(5, ...key, 'video_break'),
          AudioBreakDetail: detail(5, ...key, 'audio_break'),
          // Login has no platform dimension, so a per-platform query gets it empty.
          LoginSuccessRateDetail: platform !== 'all' ? {} : {
            LoginSuccessRate: login,
            LoginSuccessRate5s: round(login * (0.97 + 0.03 * unit(...key, 'login5s')), 4),
          },
          VideoFFTDetail: detail(5, ...key, 'video_fft'),
          AudioFFTDetail: detail(5, ...key, 'audio_fft'),
        };
      }),
    })),
  };
}

function readStream(params) {
  return {
    roomId: readId(params, 'RoomId'),
    userId: readId(params, 'UserId'),
    streamId: readId(params, 'StreamId'),
  };
}

function streamBaseInfo(params, ctx) {
  const stream = readStream(params);
  const type = required(params, 'StreamType');
  if (type !== 'publish' && type !== 'play') {
    throw new ApiError(CODES.INVALID, `StreamType must be publish or play, not "${type}"`);
  }
  const { start, end } = readRange(params, ctx.nowMs);

  const times = [...new Set([start, Math.floor((start + end) / 2), end])];
  const streamKey = [ctx.appId, ctx.action, stream.roomId, stream.userId, stream.streamId, type];
  return {
    Metrics: Object.entries(STREAM_BASE).map(([metric, values]) => ({
      Metric: metric,
      Values: times.map((t) => {
        const point = STREAM_BASE_CHANGING.has(metric) ? t : 'fixed';
        return { Timestamp: t, Value: pick(values)(unit(...streamKey, metric, point)) };
      }),
    })),
  };
}

function qualityDetail(table) {
  return (params, ctx) => {
    const stream = readStream(params);
    const metrics = readMetrics(params, table, ctx.action);
    const { start, end } = readRange(params, ctx.nowMs);
    if (end - start > MAX_DETAIL_RANGE_MS) {
      throw new ApiError(CODES.INVALID, 'StartTs..EndTs covers more than 24 hours');
    }

    const times = steps(start, end, DETAIL_STEP_MS);
    const streamKey = [ctx.appId, ctx.action, stream.roomId, stream.userId, stream.streamId];
    return {
      Metrics: metrics.map((metric) => ({
        Metric: metric,
        Values: times.map((t) => ({
          Timestamp: t,
          Value: table[metric](unit(...streamKey, metric, t)),
        })),
      })),
    };
  };
}

/** Action name -> { limit: key of LIMITS, run: handler }. */
export const ACTIONS = Object.freeze({
  GetBizUsage: { limit: 'minute', run: daily(BIZ_USAGE) },
  GetBizQuality: { limit: 'minute', run: daily(BIZ_QUALITY) },
  GetRealtimeUsage: { limit: 'minute', run: realtime(REALTIME_USAGE) },
  GetRealtimeQuality: { limit: 'minute', run: realtime(REALTIME_QUALITY) },
  GetRegionQualityDetail: { limit: 'minute', run: regionQuality },
  GetStreamBaseInfo: { limit: 'second', run: streamBaseInfo },
  GetPublishQualityDetail: { limit: 'second', run: qualityDetail(PUBLISH_QUALITY) },
  GetPlayQualityDetail: { limit: 'second', run: qualityDetail(PLAY_QUALITY) },
});

/** Metric names per action, for tests and documentation. */
export const METRICS = Object.freeze({
  GetBizUsage: Object.keys(BIZ_USAGE),
  GetBizQuality: Object.keys(BIZ_QUALITY),
  GetRealtimeUsage: Object.keys(REALTIME_USAGE),
  GetRealtimeQuality: Object.keys(REALTIME_QUALITY),
  GetStreamBaseInfo: Object.keys(STREAM_BASE),
  GetPublishQualityDetail: Object.keys(PUBLISH_QUALITY),
  GetPlayQualityDetail: Object.keys(PLAY_QUALITY),
});
