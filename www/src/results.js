// Turns a client result into what the Query view shows: table columns and rows,
// CSV rows, and the numeric series a chart can draw.

import { dashedDate, dayMs, localTime, utcOffset } from "./util.js";

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
  const xOf = daily ? (v) => dayMs(v.date) : (v) => v.timestamp;
  const names = metrics.map((m) => m.metric);

  // One row per date or instant; a metric without a value there leaves a blank.
  const byX = new Map();
  metrics.forEach((m, i) => {
    for (const v of m.values) {
      const x = xOf(v);
      if (!byX.has(x)) byX.set(x, { key: daily ? v.date : v.timestamp, cells: [] });
      byX.get(x).cells[i] = v.value;
    }
  });
  const xs = [...byX.keys()].sort((a, b) => a - b);
  const fill = (cells) => names.map((_, i) => cells[i] ?? "");
  const rows = xs.map((x) => {
    const { key, cells } = byX.get(x);
    return [daily ? dashedDate(key) : localTime(key), ...fill(cells)];
  });
  const csvRows = xs.map((x) => {
    const { key, cells } = byX.get(x);
    return daily ? [key, ...fill(cells)] : [key, new Date(key).toISOString(), ...fill(cells)];
  });

  const numeric = metrics.filter((m) => m.values.every((v) => typeof v.value === "number"));
  const zone = utcOffset(xs[0] ?? Date.now());
  const ends = xs.length ? [byX.get(xs[0]).key, byX.get(xs[xs.length - 1]).key] : [];
  let span = "No data points.";
  if (ends.length && daily) {
    span = `${xs.length} ${xs.length === 1 ? "day" : "days"}, ${dashedDate(ends[0])} to ` +
      `${dashedDate(ends[1])}.`;
  } else if (ends.length) {
    span = `${xs.length} points, ${localTime(ends[0])} to ${localTime(ends[1])} (${zone}).`;
  }
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
      name: m.metric, points: m.values.map((v) => [xOf(v), v.value]),
    })),
    textMetrics: metrics.filter((m) => !numeric.includes(m)).map((m) => m.metric),
    points: xs.length,
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
  entries.sort((a, b) => a.timestamp - b.timestamp);
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
  const zone = utcOffset(entries[0]?.timestamp ?? Date.now());
  const minutes = new Set(entries.map((e) => e.timestamp)).size;
  const span = entries.length
    ? `${minutes} ${minutes === 1 ? "minute" : "minutes"} × ${regions.length} ` +
      `${regions.length === 1 ? "region" : "regions"}, ${localTime(entries[0].timestamp)} ` +
      `to ${localTime(entries[entries.length - 1].timestamp)} (${zone}).`
    : "No data points.";
  return {
    xKind: "time",
    columns: [
      { label: `Time (${zone})`, numeric: false },
      { label: "Region", numeric: false },
      ...fields.map((key) => ({ label: label(key), numeric: true })),
    ],
    rows: entries.map((e) => [
      localTime(e.timestamp), e.region, ...fields.map((k) => e.values[k] ?? ""),
    ]),
    csvHeader: ["timestamp_ms", "time_utc", "region", ...fields],
    csvRows: entries.map((e) => [
      e.timestamp, new Date(e.timestamp).toISOString(), e.region,
      ...fields.map((k) => e.values[k] ?? ""),
    ]),
    choices: fields.map((key) => ({ key, label: label(key) })),
    seriesFor: (key) => regions.map((region) => ({
      name: region,
      points: entries
        .filter((e) => e.region === region && typeof e.values[key] === "number")
        .map((e) => [e.timestamp, e.values[key]]),
    })),
    series: [],
    textMetrics: [],
    points: minutes,
    span,
  };
}
