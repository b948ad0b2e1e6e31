// Turns a client result into what the Query view shows: table columns and rows,
// CSV rows, and the numeric series a chart can draw.

import { dashedDate, dayMs, localTime, utcDay, utcOffset } from "./util.js";

/** The farthest instant a Date can hold, either side of 1970. */
const MAX_MS = 8.64e15;

/** Unix ms of the UTC midnight of a real `yyyyMMdd` day, or NaN (such as "2025-01-01"). */
function placeDay(date) {
  if (typeof date !== "string" || !/^\d{8}$/.test(date)) return NaN;
  const ms = dayMs(date);
  return utcDay(ms).replaceAll("-", "") === date ? ms : NaN;
}

/** A timestamp a chart (and a Date) can place, or NaN. */
function placeInstant(ms) {
  return typeof ms === "number" && Math.abs(ms) <= MAX_MS ? ms : NaN;
}

/** Local time of a timestamp, or the timestamp as given when no Date can hold it. */
function timeText(ms) {
  return Number.isFinite(placeInstant(ms)) ? localTime(ms) : String(ms);
}

/** ISO UTC time of a timestamp, or empty when no Date can hold it. */
function isoText(ms) {
  return Number.isFinite(placeInstant(ms)) ? new Date(ms).toISOString() : "";
}

/** Sentence about values the chart leaves out, or "". */
function unplacedNote(count, what) {
  if (!count) return "";
  return ` ${count} ${count === 1 ? `value has a ${what}` : `values have ${what}s`} that ` +
    `cannot be placed on the chart; the table shows ${count === 1 ? "it" : "them"} as given.`;
}

const DETAIL_NAMES = {
  p2pDelayDetail: "P2P delay",
  p2pPlrDetail: "P2P packet loss",
  videoBreakDetail: "Video stalls",
  audioBreakDetail: "Audio stalls",
  videoFftDetail: "Video first frame",
  audioFftDetail: "Audio first frame",
  loginSuccessRateDetail: "Login success",
};

/**
 * The view model of a result:
 * `{ xKind, columns: [{ label, numeric }], rows: [[...cells]], csvHeader, csvRows,
 *    series: [{ name, points }], textMetrics, choices?, seriesFor?(key), points }`.
 */
export function resultModel(result) {
  if (Array.isArray(result.list)) return regionModel(result.list);
  return metricsModel(result.metrics ?? []);
}

/** Results shaped `{ metrics: [{ metric, values: [{ date | timestamp, value }] }] }`. */
function metricsModel(metrics) {
  const daily = metrics.some((m) => m.values.some((v) => "date" in v));
  const keyOf = daily ? (v) => v.date : (v) => v.timestamp;
  const xOf = daily ? (v) => placeDay(v.date) : (v) => placeInstant(v.timestamp);
  const names = metrics.map((m) => m.metric);

  // One row per date or instant as given; a metric without a value there leaves a
  // blank. Rows the chart can place come in order, the others after them as they came.
  const byKey = new Map();
  metrics.forEach((m, i) => {
    for (const v of m.values) {
      const key = keyOf(v);
      if (!byKey.has(key)) byKey.set(key, { key, x: xOf(v), order: byKey.size, cells: [] });
      byKey.get(key).cells[i] = v.value;
    }
  });
  const entries = [...byKey.values()].sort((a, b) => {
    const [pa, pb] = [Number.isFinite(a.x), Number.isFinite(b.x)];
    if (pa && pb) return a.x - b.x;
    return pa === pb ? a.order - b.order : pa ? -1 : 1;
  });
  const placed = entries.filter((e) => Number.isFinite(e.x));
  const fill = (cells) => names.map((_, i) => cells[i] ?? "");
  const label = (e) => {
    if (!daily) return timeText(e.key);
    return Number.isFinite(e.x) ? dashedDate(e.key) : String(e.key ?? "");
  };
  const rows = entries.map((e) => [label(e), ...fill(e.cells)]);
  const csvRows = entries.map((e) => daily
    ? [e.key, ...fill(e.cells)]
    : [e.key, isoText(e.key), ...fill(e.cells)]);

  // null is a gap (the service had no value there), not text.
  const numeric = metrics.filter((m) =>
    m.values.every((v) => v.value === null || typeof v.value === "number"));
  const zone = utcOffset(placed[0]?.x ?? Date.now());
  const ends = placed.length ? [placed[0], placed[placed.length - 1]] : [];
  let span = "No data points.";
  if (ends.length && daily) {
    span = `${placed.length} ${placed.length === 1 ? "day" : "days"}, ` +
      `${label(ends[0])} to ${label(ends[1])}.`;
  } else if (ends.length) {
    span = `${placed.length} points, ${label(ends[0])} to ${label(ends[1])} (${zone}).`;
  } else if (entries.length) {
    span = "";
  }
  span = (span + unplacedNote(entries.length - placed.length, daily ? "date" : "timestamp"))
    .trim();
  return {
    xKind: daily ? "date" : "time",
    columns: [
      { label: daily ? "Date" : `Time (${zone})`, numeric: false },
      ...metrics.map((m) => ({ label: m.metric, numeric: numeric.includes(m) })),
    ],
    rows,
    csvHeader: daily ? ["date", ...names] : ["timestamp_ms", "time_utc", ...names],
    csvRows,
    series: numeric.map((m) => ({
      name: m.metric,
      points: m.values.map((v) => [xOf(v), v.value])
        .filter(([x]) => Number.isFinite(x))
        .sort((a, b) => a[0] - b[0]),
    })),
    textMetrics: metrics.filter((m) => !numeric.includes(m)).map((m) => m.metric),
    points: entries.length,
    span,
  };
}

/** GetRegionQualityDetail: per minute, per region, a few distributions. */
function regionModel(list) {
  const fields = [];
  const seen = new Set();
  const flat = (info) => {
    const out = {};
    for (const [detail, values] of Object.entries(info)) {
      if (detail === "region" || typeof values !== "object" || values === null) continue;
      for (const [name, value] of Object.entries(values)) {
        const key = `${detail}.${name}`;
        if (!seen.has(key)) {
          seen.add(key);
          fields.push(key);
        }
        out[key] = value;
      }
    }
    return out;
  };
  const entries = [];
  for (const minute of list) {
    for (const info of minute.qualityInfo ?? []) {
      entries.push({ timestamp: minute.timestamp, region: info.region, values: flat(info) });
    }
  }
  const at = (e) => {
    const x = placeInstant(e.timestamp);
    return Number.isFinite(x) ? x : Infinity;
  };
  entries.sort((a, b) => at(a) - at(b) || 0);
  // The details in the service's documented order, each from Total to the last rate.
  const order = Object.keys(DETAIL_NAMES);
  const rank = (key) => {
    const at = order.indexOf(key.split(".")[0]);
    return at < 0 ? order.length : at;
  };
  fields.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const label = (key) => {
    const [detail, name] = key.split(".");
    return `${DETAIL_NAMES[detail] ?? detail} · ${name}`;
  };
  const regions = [...new Set(entries.map((e) => e.region))];
  const first = entries.find((e) => Number.isFinite(placeInstant(e.timestamp)));
  const zone = utcOffset(first?.timestamp ?? Date.now());
  const minutes = new Set(entries.map((e) => e.timestamp)).size;
  const span = entries.length
    ? `${minutes} ${minutes === 1 ? "minute" : "minutes"} × ${regions.length} ` +
      `${regions.length === 1 ? "region" : "regions"}, ${timeText(entries[0].timestamp)} ` +
      `to ${timeText(entries[entries.length - 1].timestamp)} (${zone}).`
    : "No data points.";
  return {
    xKind: "time",
    columns: [
      { label: `Time (${zone})`, numeric: false },
      { label: "Region", numeric: false },
      ...fields.map((key) => ({ label: label(key), numeric: true })),
    ],
    rows: entries.map((e) => [
      timeText(e.timestamp), e.region, ...fields.map((k) => e.values[k] ?? ""),
    ]),
    csvHeader: ["timestamp_ms", "time_utc", "region", ...fields],
    csvRows: entries.map((e) => [
      e.timestamp, isoText(e.timestamp), e.region,
      ...fields.map((k) => e.values[k] ?? ""),
    ]),
    choices: fields.map((key) => ({ key, label: label(key) })),
    seriesFor: (key) => regions.map((region) => ({
      name: region,
      points: entries
        .filter((e) => e.region === region && typeof e.values[key] === "number" &&
          Number.isFinite(placeInstant(e.timestamp)))
        .map((e) => [e.timestamp, e.values[key]]),
    })),
    series: [],
    textMetrics: [],
    points: minutes,
    span,
  };
}
