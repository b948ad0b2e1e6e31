// A line chart drawn as plain SVG: one line per series over dates or time, with
// axes, gridlines, a legend that hides and shows lines, and a crosshair that the
// pointer or the arrow keys move from point to point. No charting library.

import { h, svg } from "./util.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
  86400, 172800, 604800,
].map((s) => s * SECOND);
const DAY_STEPS = [1, 2, 3, 7, 14, 28, 56, 91, 182].map((d) => d * DAY);
const MAX_MARKERS = 40;
/** The most ticks an axis gets, however wide the range. */
export const MAX_TICKS = 12;
/** The farthest instant a Date can hold, either side of 1970. */
const MAX_MS = 8.64e15;

const dayLabel = new Intl.DateTimeFormat("en-US", {
  month: "short", day: "numeric", timeZone: "UTC",
});
const fullDay = new Intl.DateTimeFormat("en-CA", { timeZone: "UTC" });
const hourMinute = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });
const withSeconds = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit", minute: "2-digit", second: "2-digit",
});
const dateTime = new Intl.DateTimeFormat("en-GB", {
  month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
});
const compact = new Intl.NumberFormat("en-US", {
  notation: "compact", maximumFractionDigits: 1,
});

let chartCount = 0;

/**
 * A chart of `series` ([{ name, points: [[x, y], ...] }]) where x is Unix ms:
 * UTC midnights when `xKind` is "date", instants when it is "time".
 */
export class LineChart {
  constructor({ series, xKind, title, unitNote = "" }) {
    this.series = series.map((s, i) => ({ ...s, color: i % 10, hidden: false }));
    this.xKind = xKind;
    this.title = title;
    this.unitNote = unitNote;
    this.id = `chart-${++chartCount}`;
    this.cursor = -1;

    this.frame = h("div", {
      class: "chart-frame", tabindex: 0, role: "group",
      "aria-label": `${title}. Left and right arrow keys step through the points.`,
      onkeydown: (e) => this.onKey(e),
      onfocus: () => this.cursor < 0 || this.moveTo(this.cursor),
      onblur: () => this.hideCursor(),
    });
    this.tip = h("div", { class: "chart-tip", hidden: true, "aria-hidden": "true" });
    this.live = h("p", { class: "sr-only", "aria-live": "polite" });
    this.legend = h("ul", { class: "legend", "aria-label": "Lines (press to hide or show)" });
    this.element = h("figure", { class: "chart" }, this.frame, this.legend, this.live);
    this.frame.append(this.tip);

    this.drawLegend();
    this.lastWidth = 0;
    this.resize = new ResizeObserver(() => {
      if (this.frame.clientWidth !== this.lastWidth) this.draw();
    });
    this.resize.observe(this.frame);
  }

  /** Stops watching the size; call when the chart leaves the page. */
  destroy() {
    this.resize.disconnect();
  }

  drawLegend() {
    this.legend.replaceChildren(...this.series.map((s) =>
      h("li", {},
        h("button", {
          type: "button", class: "legend-item", "aria-pressed": String(!s.hidden),
          onclick: (e) => {
            s.hidden = !s.hidden;
            e.currentTarget.setAttribute("aria-pressed", String(!s.hidden));
            this.draw();
          },
        },
          h("span", { class: `swatch s${s.color}`, "aria-hidden": "true" }),
          h("span", { text: s.name })))));
  }

  visible() {
    return this.series.filter((s) => !s.hidden);
  }

  draw() {
    const width = this.frame.clientWidth || 640;
    this.lastWidth = width;
    const height = width < 560 ? 250 : 320;
    const shown = this.visible();

    // Every x of every shown line, in order: the stops of the crosshair.
    const xs = [...new Set(shown.flatMap((s) => s.points.map((p) => p[0])))];
    xs.sort((a, b) => a - b);
    this.xs = xs;
    this.cursor = Math.min(this.cursor, xs.length - 1);

    let [x0, x1] = xs.length ? [xs[0], xs[xs.length - 1]] : [0, DAY];
    if (x0 === x1) [x0, x1] = [x0 - DAY / 2, x1 + DAY / 2];
    // Days are intervals: keep the first and last point off the plot's edges.
    if (this.xKind === "date") [x0, x1] = [x0 - DAY / 2, x1 + DAY / 2];
    const [lo, hi] = extent(shown);
    const yTicks = niceTicks(lo ?? 0, hi ?? 1);
    const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
    const yText = tickLabels(yTicks);

    const longest = yText.reduce((most, t) => Math.max(most, t.length), 0);
    const left = Math.min(14 + 7 * longest, Math.floor(width / 3));
    const m = { top: 14, right: 22, bottom: 34, left };
    const pw = Math.max(10, width - m.left - m.right);
    const ph = height - m.top - m.bottom;
    const sx = (x) => m.left + ((x - x0) / (x1 - x0)) * pw;
    // Scaled first, so that a range near the largest doubles does not overflow.
    const k = Math.max(Math.abs(y0), Math.abs(y1)) || 1;
    const sy = (y) => m.top + ph - ((y / k - y0 / k) / (y1 / k - y0 / k)) * ph;
    Object.assign(this, { sx, sy, m, pw, ph, width, height });

    const titleId = `${this.id}-title`;
    const descId = `${this.id}-desc`;
    const chart = svg("svg", {
      class: "chart-svg", width, height, viewBox: `0 0 ${width} ${height}`,
      role: "img", "aria-labelledby": `${titleId} ${descId}`,
    },
      svg("title", { id: titleId }, this.title),
      svg("desc", { id: descId }, this.describe(shown)));

    const grid = svg("g", { class: "grid" });
    yTicks.forEach((v, i) => {
      const y = round(sy(v));
      grid.append(
        svg("line", { x1: m.left, x2: m.left + pw, y1: y, y2: y }),
        svg("text", { x: m.left - 8, y, class: "tick tick-y", dy: "0.32em" }, yText[i]));
    });
    chart.append(grid);

    const axis = svg("g", { class: "axis" },
      svg("line", { x1: m.left, x2: m.left + pw, y1: m.top + ph, y2: m.top + ph }));
    for (const [x, label] of this.xTicks(x0, x1, pw)) {
      const px = round(sx(x));
      // Labels near an edge are anchored inside the chart rather than centred.
      const edge = px < m.left + 24 ? " tick-x-start" : px > m.left + pw - 24 ? " tick-x-end" : "";
      axis.append(
        svg("line", { x1: px, x2: px, y1: m.top + ph, y2: m.top + ph + 5 }),
        svg("text", { x: px, y: m.top + ph + 20, class: `tick tick-x${edge}` }, label));
    }
    chart.append(axis);

    const lines = svg("g", { class: "lines" });
    for (const s of shown) {
      lines.append(svg("path", {
        class: `series-line s${s.color}`, d: pathOf(s.points, sx, sy), "data-series": s.name,
      }));
      if (s.points.length <= MAX_MARKERS) {
        for (const [x, y] of s.points) {
          if (!Number.isFinite(y)) continue;
          lines.append(svg("circle", {
            class: `series-dot s${s.color}`, cx: round(sx(x)), cy: round(sy(y)), r: 3,
          }));
        }
      }
    }
    chart.append(lines);
    if (!shown.length) {
      chart.append(svg("text", {
        x: m.left + pw / 2, y: m.top + ph / 2, class: "chart-empty",
      }, "Every line is hidden: press a name below to show it."));
    }

    this.crossLine = svg("line", {
      class: "cross", y1: m.top, y2: m.top + ph, visibility: "hidden",
    });
    this.crossDots = svg("g", { class: "cross-dots" });
    chart.append(this.crossLine, this.crossDots,
      svg("rect", { class: "hit", x: m.left, y: m.top, width: pw, height: ph }));
    chart.addEventListener("pointermove", (e) => this.onPointer(e));
    chart.addEventListener("pointerleave", () => this.hideCursor());

    this.svg?.remove();
    this.svg = chart;
    this.frame.prepend(chart);
    if (this.cursor >= 0 && document.activeElement === this.frame) this.moveTo(this.cursor);
  }

  describe(shown) {
    if (!shown.length) return "No line is shown.";
    const first = this.xs[0];
    const last = this.xs[this.xs.length - 1];
    const span = `from ${this.xLabel(first)} to ${this.xLabel(last)}`;
    const parts = shown.map((s) => {
      const [lo, hi] = extent([s]);
      return lo === undefined ? `${s.name} without values` : `${s.name} between ${lo} and ${hi}`;
    });
    const per = this.xKind === "date" ? "per day" : "over time";
    return `Line chart, one line per series ${per}, ${span}` +
      `${this.unitNote ? ` (${this.unitNote})` : ""}: ${parts.join("; ")}.`;
  }

  xLabel(x) {
    return this.xKind === "date" ? fullDay.format(x) : withSeconds.format(x);
  }

  xTicks(x0, x1, pw) {
    const span = x1 - x0;
    const most = Math.max(2, Math.min(MAX_TICKS, Math.floor(pw / 84)));
    const steps = this.xKind === "date" ? DAY_STEPS : TIME_STEPS;
    // Past the longest step, a round number of days: 200, 500, 1000, ...
    const step = steps.find((s) => span / s <= most) ?? DAY * niceAbove(span / most / DAY);
    let first;
    let format;
    if (this.xKind === "date") {
      first = Math.ceil(x0 / DAY) * DAY;
      format = span > 360 * DAY ? fullDay : dayLabel;
    } else {
      // Align ticks to whole local minutes, hours, ... rather than to UTC.
      const offset = -new Date(Math.max(-MAX_MS, Math.min(MAX_MS, x0))).getTimezoneOffset()
        * MINUTE;
      first = Math.ceil((x0 + offset) / step) * step - offset;
      format = span > 360 * DAY ? fullDay
        : span >= DAY ? dateTime : step < MINUTE ? withSeconds : hourMinute;
    }
    // Counted, not added up to a bound: a few ticks whatever the numbers.
    const count = Math.min(most + 1, Math.floor((x1 - first) / step));
    const ticks = [];
    for (let i = 0; i <= count; i++) {
      const x = first + i * step;
      if (Math.abs(x) <= MAX_MS) ticks.push([x, format.format(x)]);
    }
    return ticks;
  }

  onPointer(event) {
    if (!this.xs.length) return;
    const box = this.svg.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * this.width;
    const x = px;
    let best = 0;
    for (let i = 1; i < this.xs.length; i++) {
      if (Math.abs(this.sx(this.xs[i]) - x) < Math.abs(this.sx(this.xs[best]) - x)) best = i;
    }
    this.moveTo(best, false);
  }

  onKey(event) {
    if (!this.xs.length) return;
    if (event.key === "Escape") return this.hideCursor();
    const last = this.xs.length - 1;
    const big = Math.max(1, Math.round(this.xs.length / 10));
    const at = this.cursor;
    const moves = {
      ArrowRight: at < 0 ? 0 : at + 1,
      ArrowLeft: at < 0 ? last : at - 1,
      PageUp: at + big,
      PageDown: at - big,
      Home: 0,
      End: last,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    this.moveTo(Math.max(0, Math.min(last, moves[event.key])));
  }

  moveTo(index, announce = true) {
    this.cursor = index;
    const x = this.xs[index];
    const px = round(this.sx(x));
    this.crossLine.setAttribute("x1", px);
    this.crossLine.setAttribute("x2", px);
    this.crossLine.setAttribute("visibility", "visible");
    this.crossDots.replaceChildren();

    const rows = [];
    for (const s of this.visible()) {
      const point = s.points.find((p) => p[0] === x);
      if (!point || !Number.isFinite(point[1])) continue;
      this.crossDots.append(svg("circle", {
        class: `series-dot s${s.color}`, cx: px, cy: round(this.sy(point[1])), r: 4.5,
      }));
      rows.push([s, point[1]]);
    }
    this.tip.replaceChildren(
      h("p", { class: "chart-tip-x", text: this.xLabel(x) }),
      ...rows.map(([s, y]) => h("p", {},
        h("span", { class: `swatch s${s.color}` }),
        h("span", { class: "chart-tip-name", text: s.name }),
        h("span", { class: "chart-tip-value", text: y.toLocaleString("en-US") }))));
    this.tip.hidden = false;
    const tipWidth = this.tip.offsetWidth;
    const leftSide = px + 14 + tipWidth > this.width;
    this.tip.style.left = `${leftSide ? px - 14 - tipWidth : px + 14}px`;
    this.tip.style.top = `${this.m.top}px`;
    if (announce) {
      this.live.textContent = `${this.xLabel(x)}: ` +
        rows.map(([s, y]) => `${s.name} ${y}`).join(", ");
    }
  }

  hideCursor() {
    this.crossLine?.setAttribute("visibility", "hidden");
    this.crossDots?.replaceChildren();
    this.tip.hidden = true;
  }
}

function round(v) {
  return Math.round(v * 10) / 10;
}

/** An SVG path through the points, broken where a value is missing. */
function pathOf(points, sx, sy) {
  let d = "";
  let pen = "M";
  for (const [x, y] of points) {
    if (!Number.isFinite(y)) {
      pen = "M";
      continue;
    }
    d += `${pen}${round(sx(x))} ${round(sy(y))}`;
    pen = "L";
  }
  return d || "M0 0";
}

/** The smallest and largest finite y of the series (no spread: any length works). */
function extent(series) {
  let lo;
  let hi;
  for (const s of series) {
    for (const [, y] of s.points) {
      if (!Number.isFinite(y)) continue;
      if (lo === undefined || y < lo) lo = y;
      if (hi === undefined || y > hi) hi = y;
    }
  }
  return [lo, hi];
}

/** The smallest of 1, 2, 5 times a power of ten that is at least `v` (v > 0). */
function niceAbove(v) {
  const power = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((f) => f * power).find((s) => s >= v) ?? 10 * power;
}

/**
 * Round tick values covering [lo, hi]: steps of 1, 2, 2.5 or 5 times a power of ten,
 * about `count` of them and never more than MAX_TICKS, each a finite number.
 */
export function niceTicks(lo, hi, count = 5) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo >= 0 && lo < hi * 0.6) lo = 0;
  const mag = Math.max(Math.abs(lo), Math.abs(hi));
  // Equal, too close for round steps a double can hold apart, or too small for a
  // power of ten (subnormals): widen the range around the values instead.
  if (hi - lo <= mag * 1e-9 || mag < 1e-300) {
    const pad = mag >= 1e-300 ? mag * 0.1 : 1;
    lo = lo >= 0 && lo - pad < 0 ? 0 : Math.max(lo - pad, -Number.MAX_VALUE);
    hi = Math.min(hi + pad, Number.MAX_VALUE);
  }
  // Divided before subtracting: the span of -1.7e308..1.7e308 is not a finite double.
  const raw = hi / count - lo / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => s >= raw) ?? 10 * power;
  const start = Math.floor(lo / step + 1e-9);
  const end = Math.ceil(hi / step - 1e-9);
  const n = Math.max(1, Math.min(MAX_TICKS - 1, end - start));
  const ticks = [];
  for (let i = 0; i <= n; i++) {
    let v = Number(((start + i) * step).toPrecision(14)) + 0;
    // Beyond the largest double: the value itself bounds the axis.
    if (v === -Infinity) v = lo;
    if (v === Infinity) v = hi;
    if (ticks.length && v <= ticks[ticks.length - 1]) continue;
    ticks.push(v);
  }
  if (ticks.length < 2) ticks.push(ticks[0] + (Math.abs(ticks[0]) || 1));
  return ticks;
}

/** Labels for the ticks, with as many digits as it takes to tell them apart. */
function tickLabels(ticks) {
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  let labels = ticks.map((v) => formatTick(v, step));
  for (let digits = 3; digits <= 17 && new Set(labels).size < labels.length; digits++) {
    labels = ticks.map((v) => precise(v, digits));
  }
  return labels;
}

function precise(value, digits) {
  const abs = Math.abs(value);
  if (abs >= 1e15 || (abs > 0 && abs < 1e-6)) return String(Number(value.toPrecision(digits)));
  return value.toLocaleString("en-US", { maximumSignificantDigits: digits });
}

function formatTick(value, step) {
  if (Math.abs(value) >= 1e15) return precise(value, 3);
  if (Math.abs(value) >= 10_000) return compact.format(value);
  // As many decimals as the step needs: 0.25 needs two, 5 needs none.
  let decimals = 0;
  while (decimals < 6 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals)
    > 1e-6) decimals++;
  return value.toLocaleString("en-US", {
    minimumFractionDigits: decimals, maximumFractionDigits: decimals,
  });
}
