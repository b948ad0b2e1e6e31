// Small DOM and formatting functions shared by the views. Text always goes in as text
// nodes, never as markup, so nothing from a URL or an answer can inject HTML.

/** An HTML element with attributes (`class`, `text`, `on<event>`) and children. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else el.setAttribute(key, value === true ? "" : String(value));
  }
  el.append(...clean(children));
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element with attributes and children. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value != null) el.setAttribute(key, String(value));
  }
  el.append(...clean(children));
  return el;
}

function clean(children) {
  return children.flat(Infinity).filter((c) => c != null && c !== false);
}

const pad = (n, width = 2) => String(n).padStart(width, "0");

/** `yyyy-MM-dd` of a Unix-ms instant, on the UTC calendar. */
export function utcDay(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** The value a `datetime-local` input shows for a Unix-ms instant, in local time. */
export function localInputValue(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Unix ms of a `datetime-local` value read as local time, or NaN. */
export function fromLocalInput(value) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?$/.exec(value);
  if (!m) return NaN;
  const [, y, mo, d, hh, mm, ss = "0", frac = "0"] = m;
  return new Date(+y, mo - 1, +d, +hh, +mm, +ss, +frac.padEnd(3, "0")).getTime();
}

/** The local UTC offset at an instant, such as `UTC+08:00` or `UTC`. */
export function utcOffset(ms) {
  const minutes = -new Date(ms).getTimezoneOffset();
  if (minutes === 0) return "UTC";
  const sign = minutes > 0 ? "+" : "−";
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `yyyy-MM-dd HH:mm:ss` in local time. */
export function localTime(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `HH:mm:ss` in local time. */
export function clockTime(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `yyyyMMdd` as `yyyy-MM-dd`. */
export function dashedDate(compact) {
  return /^\d{8}$/.test(compact)
    ? `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6)}`
    : compact;
}

/** Unix ms of the UTC midnight that starts a `yyyyMMdd` day. */
export function dayMs(compact) {
  return Date.UTC(+compact.slice(0, 4), +compact.slice(4, 6) - 1, +compact.slice(6, 8));
}

/** A word quoted for a POSIX shell: single quotes, each `'` written as `'\''`. */
export function shellQuote(word) {
  return `'${String(word).replaceAll("'", `'\\''`)}'`;
}

const plain = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 });

/** A number for a table cell: grouped digits, at most four decimals. */
export function formatNumber(value) {
  return typeof value === "number" ? plain.format(value) : String(value);
}

/** A spreadsheet-safe CSV document from a header and rows. */
export function toCsv(header, rows) {
  const cell = (v) => {
    let s = v == null ? "" : String(v);
    // A text cell starting with = + - @ would run as a formula in a spreadsheet.
    if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}

/** Saves text as a file through a temporary link. */
export function download(filename, text, type = "text/csv") {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Copies text, falling back to selecting it when the clipboard is not allowed. */
export async function copyText(text, fallbackElement) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(fallbackElement);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return false;
  }
}

/** The message of a library error without its `kind:` (and `param:`) prefix. */
export function plainMessage(error) {
  let message = String(error?.message ?? error);
  message = message.replace(/^(config|validation|api|http|network|parse): /, "");
  if (error?.param && message.startsWith(`${error.param}: `)) {
    message = message.slice(error.param.length + 2);
  }
  return message;
}
