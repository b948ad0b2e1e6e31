#!/usr/bin/env node
// The zego-analytics command: one subcommand per action of the ZEGO Analytics Dashboard
// server API, and sign-url, which prints a signed request URL without sending it.
//
// Credentials come from ZEGO_APP_ID and ZEGO_SERVER_SECRET (or --secret-file), never from
// an argument: arguments end up in shell history and in every process listing.
//
// Exit status: 0 on success; 1 when the call failed (api, http, network, parse); 2 when it
// was never made (usage, validation, config). A failure prints exactly one line on stderr.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const PROGRAM = "zego-analytics";

// Characters that a terminal acts on or that reorder the text around them: C0, DEL, C1,
// the line and paragraph separators and the bidirectional controls. Text from the server
// shows them escaped, so that no answer can forge an output line or a terminal command.
const NOT_C0 = "\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";
const CONTROL = new RegExp(`[\\u0000-\\u001f${NOT_C0}]`, "g");
// What JSON.stringify leaves as it is: it escapes C0 only.
const CONTROL_NOT_C0 = new RegExp(`[${NOT_C0}]`, "g");

const hex4 = (ch) => ch.charCodeAt(0).toString(16).padStart(4, "0");

/** `text` with every control character written as `\uXXXX`. */
const escapeControls = (text, which = CONTROL) =>
  text.replace(which, (ch) => `\\u${hex4(ch)}`);

// Set once the secret is known, so that no failure line can carry it.
let secretToHide = "";

/** Option name -> how the help shows it, per kind of range where that matters. */
const OPTION_HELP = {
  start: {
    date: ["--start DATE", "first day, yyyyMMdd or yyyy-MM-dd"],
    ts: ["--start MS", "start, Unix milliseconds"],
  },
  end: {
    date: ["--end DATE", "last day (included), yyyyMMdd or yyyy-MM-dd"],
    ts: ["--end MS", "end, Unix milliseconds; 0 means up to now"],
  },
  last: {
    date: ["--last Nd", "instead of --start/--end: the last N full days (UTC)"],
    ts: ["--last N(s|m|h|d)", "instead of --start/--end: the period ending now, e.g. 10m"],
  },
  metrics: ["--metrics LIST", "metric names, comma-separated, e.g. "],
  room: ["--room ID", "the room id"],
  user: ["--user ID", "the user id"],
  stream: ["--stream ID", "the stream id"],
  "stream-type": ["--stream-type TYPE", "publish or play"],
  "region-name": ["--region-name NAME", "all (default) or a place as the console names it"],
  platform: ["--platform NAME", "all (default), native or web"],
};

const STREAM = ["room", "user", "stream"];

/** Subcommand -> the action it calls and the options it takes. */
const COMMANDS = {
  "biz-usage": {
    action: "GetBizUsage",
    method: "getBizUsage",
    summary: "daily usage",
    range: "date",
    options: ["metrics"],
    example: "publish_count,play_count",
  },
  "biz-quality": {
    action: "GetBizQuality",
    method: "getBizQuality",
    summary: "daily quality",
    range: "date",
    options: ["metrics"],
    example: "fft,break_rate",
  },
  "realtime-usage": {
    action: "GetRealtimeUsage",
    method: "getRealtimeUsage",
    summary: "per-second usage within the last two hours",
    range: "ts",
    options: ["metrics"],
    example: "online_user,room_concurrent",
  },
  "realtime-quality": {
    action: "GetRealtimeQuality",
    method: "getRealtimeQuality",
    summary: "per-second quality within the last two hours",
    range: "ts",
    options: ["metrics"],
    example: "uplink_rtt,downlink_rtt",
  },
  "region-quality": {
    action: "GetRegionQualityDetail",
    method: "getRegionQualityDetail",
    summary: "quality per region, at most one hour",
    range: "ts",
    options: ["region-name", "platform"],
  },
  "stream-info": {
    action: "GetStreamBaseInfo",
    method: "getStreamBaseInfo",
    summary: "basic facts about one user's stream",
    range: "ts",
    options: [...STREAM, "stream-type"],
  },
  "publish-quality": {
    action: "GetPublishQualityDetail",
    method: "getPublishQualityDetail",
    summary: "publishing quality of one user's stream",
    range: "ts",
    options: [...STREAM, "metrics"],
    example: "video_bitrate,encode_resolution",
  },
  "play-quality": {
    action: "GetPlayQualityDetail",
    method: "getPlayQualityDetail",
    summary: "playing quality of one user's stream",
    range: "ts",
    options: [...STREAM, "metrics"],
    example: "mos,decode_resolution",
  },
};

const PARSE_OPTIONS = {
  format: { type: "string" },
  endpoint: { type: "string" },
  region: { type: "string" },
  test: { type: "boolean" },
  // Declared on its own: parseArgs only learnt negated booleans late in Node 20.
  "no-test": { type: "boolean" },
  "secret-file": { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  last: { type: "string" },
  metrics: { type: "string" },
  room: { type: "string" },
  user: { type: "string" },
  stream: { type: "string" },
  "stream-type": { type: "string" },
  "region-name": { type: "string" },
  platform: { type: "string" },
  nonce: { type: "string" },
  timestamp: { type: "string" },
  help: { type: "boolean", short: "h" },
};

const COMMON_OPTIONS = ["format", "endpoint", "region", "test", "no-test", "secret-file", "help"];
const SIGN_URL_OPTIONS = ["nonce", "timestamp"];
const FORMATS = ["table", "json", "csv"];

const HELP = `Usage: ${PROGRAM} <command> [options]
       ${PROGRAM} sign-url <command> [options]
       ${PROGRAM} <command> --help

Queries the ZEGO Analytics Dashboard server API and prints the result.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(20)}${c.summary} (${c.action})`)
  .join("\n")}
  sign-url <command>  print the signed URL of the command's request, without sending it;
                      --nonce HEX and --timestamp SECONDS fix the signing inputs

Options:
  --format FORMAT     table (default), json or csv
  --endpoint URL      send to this origin instead of the service, e.g. a local emulator
  --region KEY        a regional host: sha, hkg, fra, lax, bom or sgp
  --test, --no-test   send IsTest=true or IsTest=false (not sent by default)
  --secret-file PATH  read the ServerSecret from a file instead of ZEGO_SERVER_SECRET
  -h, --help          this help; with a command, that command's options

Environment:
  ZEGO_APP_ID         the project's AppId from the ZEGO console
  ZEGO_SERVER_SECRET  the project's ServerSecret; it is never taken as an argument

Exit status: 0 success; 1 the call failed (api, http, network or parse error);
2 the call was not made (usage, validation or config error).
`;

/** A failure found by the command itself, before the library is asked anything. */
class CliError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

const usage = (message) => new CliError("usage", message);

function commandHelp(name) {
  const command = COMMANDS[name];
  const rows = [];
  for (const option of ["start", "end", "last", ...command.options]) {
    const help = OPTION_HELP[option];
    const [flag, text] = Array.isArray(help) ? help : help[command.range];
    rows.push([flag, option === "metrics" ? `${text}${command.example}` : text]);
  }
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return `Usage: ${PROGRAM} ${name} [options]
       ${PROGRAM} sign-url ${name} [options]

${command.summary[0].toUpperCase()}${command.summary.slice(1)} (${command.action}).

${rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`).join("\n")}

Common options (--format, --endpoint, --region, --test, --no-test, --secret-file):
see ${PROGRAM} --help.
`;
}

// ---------------------------------------------------------------------------------------
// Arguments

/**
 * Refuses anything that looks like a secret on the command line, before the arguments are
 * parsed, so that no later message can echo its value. Arguments after `--` too: they
 * are in the shell history all the same.
 */
function refuseSecretArguments(args) {
  for (const arg of args) {
    const name = arg.split("=", 1)[0];
    if (!/^--?[\w-]*secret/i.test(name) || name === "--secret-file") continue;
    // The usual names say what was refused; anything else may be the secret itself.
    const shownName = /^--?(server[-_]?)?secret([-_]?key)?$/i.test(name) ? name : echo(name);
    throw usage(
      `${shownName} is refused: a secret given as an argument leaks into shell history ` +
        "and process listings; set ZEGO_SERVER_SECRET or use --secret-file PATH",
    );
  }
}

/**
 * Whether an argument may be a secret: it names one, holds the secret of the
 * environment, or is a 32-hex-digit token like a ServerSecret.
 */
function looksSecret(text) {
  return /secret/i.test(text) || looksLikeKey(text);
}

/** Whether text holds a 32-hex-digit token or the secret of the environment. */
function looksLikeKey(text) {
  const env = process.env.ZEGO_SERVER_SECRET;
  return /(^|[^0-9a-f])[0-9a-f]{32}([^0-9a-f]|$)/i.test(text) ||
    (Boolean(env) && text.includes(env));
}

/** An argument for a usage message, or a stand-in when it looks like a secret. */
function echo(text) {
  return looksSecret(text) ? "[an argument that looks like a secret, not shown]" : text;
}

function parse(args) {
  refuseSecretArguments(args);
  let parsed;
  try {
    parsed = parseArgs({
      args, options: PARSE_OPTIONS, allowPositionals: true, strict: true, tokens: true,
    });
  } catch (err) {
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const name = /'([^']*)'/.exec(err.message)?.[1] ?? "an option";
      if (/^--?app-?id$/i.test(name)) {
        throw usage(`${name} is not an option: set ZEGO_APP_ID`);
      }
      throw usage(`unknown option ${echo(name)}; see ${PROGRAM} --help`);
    }
    const first = err.message.split(/\r?\n/, 1)[0];
    throw usage(`${looksSecret(first) ? "bad arguments" : first}; see ${PROGRAM} --help`);
  }
  refuseRepeated(parsed.tokens);
  return parsed;
}

/** Refuses an option given twice: parseArgs would silently keep the last one. */
function refuseRepeated(tokens) {
  const seen = new Set();
  for (const token of tokens) {
    // --help twice, or -h --help, asks for the same thing.
    if (token.kind !== "option" || token.name === "help") continue;
    if (seen.has(token.name)) {
      const hint = token.name === "metrics" ? " with a comma-separated list" : "";
      throw usage(`--${token.name} is given more than once; give it once${hint}`);
    }
    seen.add(token.name);
  }
}

/** The command to run, from the positionals: `[name]` or `["sign-url", name]`. */
function pickCommand(positionals) {
  const [first, second, ...rest] = positionals;
  const signOnly = first === "sign-url";
  const name = signOnly ? second : first;
  const extra = signOnly ? rest : [second, ...rest].filter((p) => p !== undefined);

  if (name === undefined) {
    throw usage(
      signOnly ? "sign-url needs a command, e.g. sign-url biz-usage"
        : `no command given; see ${PROGRAM} --help`,
    );
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    throw usage(`unknown command ${quoted(name)}; see ${PROGRAM} --help`);
  }
  if (extra.length > 0) {
    throw usage(`unexpected argument ${quoted(extra[0])}; options start with --`);
  }
  return { name, signOnly };
}

function checkOptionsApply(values, name, signOnly) {
  const allowed = new Set([...COMMON_OPTIONS, "start", "end", "last"]);
  COMMANDS[name].options.forEach((option) => allowed.add(option));
  if (signOnly) SIGN_URL_OPTIONS.forEach((option) => allowed.add(option));

  for (const option of Object.keys(values)) {
    if (allowed.has(option)) continue;
    if (SIGN_URL_OPTIONS.includes(option)) {
      throw usage(`--${option} applies to sign-url only, e.g. sign-url ${name} --${option} ..`);
    }
    throw usage(`--${option} does not apply to ${name}; see ${PROGRAM} ${name} --help`);
  }
  if (values.test && values["no-test"]) {
    throw usage("--test and --no-test contradict each other; give one of them");
  }
  if (values.format !== undefined && !FORMATS.includes(values.format)) {
    throw usage(`--format must be table, json or csv, not ${quoted(values.format)}`);
  }
  if (signOnly && values.format !== undefined) {
    throw usage("--format does not apply to sign-url, which prints one URL");
  }
}

const DAY_MS = 86_400_000;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

// The earliest start the library takes: the first calendar day it accepts, and the first
// Unix time it reads as milliseconds rather than seconds.
const FIRST_DATE = "1970-01-01";
const FIRST_MS = 1_000_000_000_000;

/** An argument for a message: quoted, and cut short when someone pasted a novel. */
function quoted(text) {
  if (looksSecret(text)) return echo(text);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

function wholeNumber(option, text, what) {
  if (!/^[0-9]+$/.test(text)) {
    throw usage(`--${option} takes ${what}, not ${quoted(text)}`);
  }
  // Beyond 2^53 a number would silently become another one.
  const number = Number(text);
  if (!Number.isSafeInteger(number)) {
    throw usage(`--${option} ${quoted(text)} is out of bounds for ${what}`);
  }
  return number;
}

/** `--last` as milliseconds; only whole days for the daily actions. */
function parseLast(text, range) {
  const match = /^([0-9]+)([smhd])$/.exec(text);
  if (match === null || Number(match[1]) === 0 || (range === "date" && match[2] !== "d")) {
    const form = range === "date" ? "a number of days, e.g. 3d" : "e.g. 90s, 10m, 2h or 1d";
    throw usage(`--last takes ${form}, not ${quoted(text)}`);
  }
  const ms = Number(match[1]) * UNIT_MS[match[2]];
  if (!Number.isSafeInteger(ms)) throw lastOutOfBounds(text, range);
  return ms;
}

function lastOutOfBounds(text, range) {
  const first = range === "date" ? FIRST_DATE : utcTime(FIRST_MS);
  return usage(`--last ${quoted(text)} is out of bounds: the range would start before ${first}`);
}

function formatUtcDate(ms) {
  return new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
}

/** The range parameters of the call, from --start/--end or --last. */
function rangeParams(values, range, now) {
  const { start, end, last } = values;
  if (last !== undefined && (start !== undefined || end !== undefined)) {
    throw usage("give either --last or --start and --end, not both");
  }
  if (last === undefined && (start === undefined || end === undefined)) {
    const missing = start === undefined ? "--start" : "--end";
    throw usage(`${missing} is missing; give --start and --end, or --last`);
  }

  if (range === "date") {
    if (start !== undefined) return { startDate: start, endDate: end };
    // Full days only: the last one is yesterday.
    const yesterday = Math.floor(now / DAY_MS) * DAY_MS - DAY_MS;
    const first = yesterday - parseLast(last, range) + DAY_MS;
    if (first < 0) throw lastOutOfBounds(last, range);
    return { startDate: formatUtcDate(first), endDate: formatUtcDate(yesterday) };
  }

  if (start !== undefined) {
    return {
      startTs: wholeNumber("start", start, "Unix milliseconds"),
      endTs: wholeNumber("end", end, "Unix milliseconds"),
    };
  }
  const startTs = now - parseLast(last, range);
  if (startTs < FIRST_MS) throw lastOutOfBounds(last, range);
  return { startTs, endTs: now };
}

const isRequired = (option) => option !== "region-name" && option !== "platform";

/** The parameter object the library takes for this command. */
function callParams(name, values, now) {
  const command = COMMANDS[name];
  const params = {};
  const take = (option, key, convert = (text) => text) => {
    if (values[option] !== undefined) params[key] = convert(values[option]);
    else if (command.options.includes(option) && isRequired(option)) {
      throw usage(`--${option} is required by ${name}; see ${PROGRAM} ${name} --help`);
    }
  };

  take("room", "roomId");
  take("user", "userId");
  take("stream", "streamId");
  take("stream-type", "streamType");
  take("metrics", "metrics", (text) =>
    text.split(",").map((metric) => metric.trim()).filter((metric) => metric !== ""),
  );
  take("region-name", "region");
  take("platform", "platform");
  return { ...params, ...rangeParams(values, command.range, now) };
}

// ---------------------------------------------------------------------------------------
// Credentials and the client

function readCredentials(values, env) {
  const appIdText = env.ZEGO_APP_ID;
  if (appIdText === undefined || appIdText === "") {
    throw new CliError("config", "ZEGO_APP_ID is not set; set it to the project's AppId");
  }
  // The value is not echoed: a swapped pair of variables would print the secret.
  if (!/^[0-9]+$/.test(appIdText)) {
    throw new CliError("config", "ZEGO_APP_ID must be the project's AppId, a decimal number");
  }

  const file = values["secret-file"];
  const serverSecret = file === undefined ? env.ZEGO_SERVER_SECRET : readSecretFile(file);
  if (serverSecret === undefined || serverSecret === "") {
    throw new CliError(
      "config",
      "no ServerSecret: set ZEGO_SERVER_SECRET or give --secret-file PATH",
    );
  }
  checkSecret(serverSecret, file === undefined ? "ZEGO_SERVER_SECRET" : `--secret-file ${file}`);
  return { appId: Number(appIdText), serverSecret };
}

/** The secret in a file: UTF-8 text without a BOM, one line, one line end allowed. */
function readSecretFile(file) {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CliError("config", `cannot read --secret-file ${file}: ${err.code ?? err}`);
  }
  const problem = (what) => new CliError("config", `--secret-file ${file} ${what}`);
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw problem("is not UTF-8 text; it must hold only the ServerSecret");
  }
  if (text.startsWith("\ufeff")) {
    throw problem("starts with a byte order mark (BOM); save it as UTF-8 without one");
  }
  text = text.replace(/\r?\n$/, "");
  if (text === "") throw problem("is empty; it must hold the ServerSecret");
  if (/[\r\n]/.test(text)) {
    throw problem("has more than one line; it must hold only the ServerSecret, on one line");
  }
  return text;
}

/**
 * Refuses a secret no console hands out, naming the problem but never the secret: without
 * this, a stray character ends in a signature error that says nothing about why.
 */
function checkSecret(secret, source) {
  const problem = (what) => new CliError("config", `${source} ${what}`);
  if (/[\r\n]/.test(secret)) throw problem("holds a line break; it must be one line");
  if (secret.includes("\0")) throw problem("holds a NUL character; is it a binary file?");
  const bad = /[\ufeff]/.exec(secret) ?? secret.match(CONTROL);
  if (bad !== null) {
    throw problem(`holds the control character U+${hex4(bad[0]).toUpperCase()}`);
  }
}

function clientOptions(values, credentials) {
  const options = { ...credentials };
  if (values.endpoint !== undefined) options.endpoint = values.endpoint;
  if (values.region !== undefined) options.region = values.region;
  if (values.test) options.isTest = true;
  if (values["no-test"]) options.isTest = false;
  return options;
}

function signingInputs(values) {
  const at = {};
  if (values.nonce !== undefined) at.nonce = values.nonce;
  if (values.timestamp !== undefined) {
    at.timestamp = wholeNumber("timestamp", values.timestamp, "Unix seconds");
  }
  return at;
}

// ---------------------------------------------------------------------------------------
// Output. A table model is columns plus rows of raw cells; the formats render it.

/** One row per date or timestamp, one column per metric in the result's order. */
function seriesTable(result, byDate) {
  const keyOf = (point) => (byDate ? point.date : point.timestamp);
  const rows = new Map();

  result.metrics.forEach((series, column) => {
    for (const point of series.values) {
      const key = keyOf(point);
      if (!rows.has(key)) rows.set(key, [key]);
      rows.get(key)[column + 1] = point.value;
    }
  });
  const keys = [...rows.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    columns: [byDate ? "date" : "timestamp", ...result.metrics.map((m) => m.metric)],
    timeColumn: byDate ? -1 : 0,
    rows: keys.map((key) => rows.get(key)),
  };
}

const REGION_DETAILS = [
  ["p2pDelayDetail", "p2p_delay"],
  ["p2pPlrDetail", "p2p_plr"],
  ["videoBreakDetail", "video_break"],
  ["audioBreakDetail", "audio_break"],
  ["videoFftDetail", "video_fft"],
  ["audioFftDetail", "audio_fft"],
];
const RATE_FIELDS = ["total", "rate1", "rate2", "rate3", "rate4", "rate5"];
const LOGIN_FIELDS = [
  ["loginSuccessRate", "login_success_rate"],
  ["loginSuccessRate5s", "login_success_rate_5s"],
];

/** Every figure of a region as [column, getter], in a fixed order. */
const REGION_FIGURES = [
  ...REGION_DETAILS.flatMap(([key, prefix]) =>
    RATE_FIELDS.map((field) => [`${prefix}_${field}`, (info) => info[key]?.[field]]),
  ),
  ...LOGIN_FIELDS.map(([key, column]) => [column, (info) => info.loginSuccessRateDetail?.[key]]),
];

/** One row per timestamp and region; one column per figure that occurs at all. */
function regionTable(result) {
  const points = result.list.flatMap((point) =>
    point.qualityInfo.map((info) => ({ timestamp: point.timestamp, info })),
  );
  const figures = REGION_FIGURES.filter(([, get]) =>
    points.some(({ info }) => get(info) !== undefined),
  );
  return {
    columns: ["timestamp", "region", ...figures.map(([column]) => column)],
    timeColumn: 0,
    rows: points.map(({ timestamp, info }) => [
      timestamp,
      info.region,
      ...figures.map(([, get]) => get(info)),
    ]),
  };
}

function cellText(value) {
  return value === undefined || value === null ? "" : String(value);
}

/** Unix ms as `2025-01-10T08:30:00Z`, keeping milliseconds only when there are any. */
function utcTime(ms) {
  return new Date(ms).toISOString().replace(".000Z", "Z");
}

// Terminal columns: East Asian wide characters (region and ISP names) take two.
const WIDE_RANGES = [
  [0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa000, 0xa4cf], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60],
  [0xffe0, 0xffe6], [0x20000, 0x3fffd],
];

const isWide = (code) => WIDE_RANGES.some(([lo, hi]) => code >= lo && code <= hi);

function displayWidth(text) {
  let width = 0;
  for (const ch of text) width += isWide(ch.codePointAt(0)) ? 2 : 1;
  return width;
}

function renderTable(model, requestId) {
  const header = model.columns.map((column, i) =>
    i === model.timeColumn ? "time (UTC)" : escapeControls(cellText(column)),
  );
  const body = model.rows.map((row) =>
    model.columns.map((_, i) =>
      i === model.timeColumn && typeof row[i] === "number" ? utcTime(row[i])
        : escapeControls(cellText(row[i])),
    ),
  );
  // A column of numbers is right-aligned, anything else left-aligned.
  const numeric = model.columns.map((_, i) =>
    i !== model.timeColumn &&
    model.rows.some((row) => row[i] !== undefined) &&
    model.rows.every((row) => row[i] === undefined || typeof row[i] === "number"),
  );
  const widths = header.map((title, i) =>
    Math.max(displayWidth(title), ...body.map((row) => displayWidth(row[i]))),
  );
  const line = (cells) =>
    cells
      .map((text, i) => {
        const pad = " ".repeat(widths[i] - displayWidth(text));
        return numeric[i] ? pad + text : text + pad;
      })
      .join("  ")
      .trimEnd();

  return [
    line(header),
    line(widths.map((width) => "-".repeat(width))),
    ...body.map(line),
    `request id ${escapeControls(cellText(requestId))}`,
  ].join("\n") + "\n";
}

// A cell a spreadsheet would run as a formula: one that starts with = + - @ (or a tab or
// CR) and is not simply a number.
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER_TEXT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/**
 * RFC 4180: CRLF line ends; a field with a comma, quote or line break is quoted, so a line
 * break in a value stays inside its field. A text that a spreadsheet would run as a
 * formula gets a leading `'`, as OWASP advises against CSV injection.
 */
function renderCsv(model) {
  const field = (value) => {
    let text = cellText(value);
    if (typeof value === "string" && FORMULA_START.test(text) && !NUMBER_TEXT.test(text)) {
      text = `'${text}`;
    }
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [model.columns, ...model.rows]
    .map((row) => model.columns.map((_, i) => field(row[i])).join(","))
    .join("\r\n") + "\r\n";
}

function render(result, name, format) {
  // JSON.stringify escapes C0 only. Outside strings JSON holds none of the others, so
  // escaping them everywhere keeps the document and its values the same.
  if (format === "json") {
    return `${escapeControls(JSON.stringify(result, null, 2), CONTROL_NOT_C0)}\n`;
  }
  const model = name === "region-quality" ? regionTable(result)
    : seriesTable(result, COMMANDS[name].range === "date");
  return format === "csv" ? renderCsv(model) : renderTable(model, result.requestId);
}

// ---------------------------------------------------------------------------------------
// Failure

function exitCodeOf(err) {
  const kind = err instanceof CliError || err?.name === "ZegoError" ? err.kind : "internal";
  return ["usage", "validation", "config"].includes(kind) ? 2 : 1;
}

/** The library's message without what the line's head already says. */
function reason(err) {
  let text = String(err.message);
  for (const known of [`${err.kind}: `, err.code === undefined ? null : `code ${err.code}: `]) {
    if (known !== null && text.startsWith(known)) text = text.slice(known.length);
  }
  return err.requestId === undefined ? text : text.replace(`; request id ${err.requestId}`, "");
}

/**
 * The one stderr line: the kind, then the code, HTTP status, request id and when to retry
 * as far as known, then why.
 */
function errorLine(err, secret) {
  let head;
  let why;
  if (err instanceof CliError) {
    head = `${err.kind} error`;
    why = err.message;
  } else if (err?.name === "ZegoError") {
    head = [
      `${err.kind} error`,
      err.code !== undefined ? `code ${err.code}` : null,
      err.httpStatus !== undefined ? `http status ${err.httpStatus}` : null,
      err.requestId !== undefined ? `request id ${err.requestId}` : null,
      typeof err.retryAfterMs === "number"
        ? `retry after ${Math.ceil(err.retryAfterMs / 1000)} s` : null,
    ].filter((part) => part !== null).join(", ");
    why = reason(err);
  } else {
    head = "internal error (this is a bug in zego-analytics)";
    why = err?.message ?? String(err);
  }
  let text = `${PROGRAM}: ${head}: ${why}`;
  // The library never puts the secret in a message; this keeps the command's promise
  // even if that ever broke.
  if (secret) text = text.replaceAll(secret, "[secret]");
  // Nor an argument that looks like one, which a validation message may quote.
  for (const arg of process.argv.slice(2)) {
    const value = arg.startsWith("-") ? arg.slice(arg.indexOf("=") + 1) : arg;
    if (value && !value.startsWith("-") && looksLikeKey(value)) {
      text = text.replaceAll(value, "[not shown: looks like a secret]");
    }
  }
  // One line, and no terminal command: a message or request id from the server may hold
  // anything.
  return `${escapeControls(text)}\n`;
}

// ---------------------------------------------------------------------------------------

async function run(args, env) {
  const { values, positionals } = parse(args);
  if (values.help) {
    const named = positionals.find((p) => Object.hasOwn(COMMANDS, p));
    return { stdout: named === undefined ? HELP : commandHelp(named) };
  }

  const { name, signOnly } = pickCommand(positionals);
  checkOptionsApply(values, name, signOnly);
  const params = callParams(name, values, Date.now());
  const at = signOnly ? signingInputs(values) : undefined;
  const credentials = readCredentials(values, env);
  secretToHide = credentials.serverSecret;

  const { AnalyticsClient } = await import("../index.mjs");
  const client = new AnalyticsClient(clientOptions(values, credentials));
  const { action, method } = COMMANDS[name];
  if (signOnly) return { stdout: `${client.buildUrl(action, params, at)}\n` };

  const result = await client[method](params);
  return { stdout: render(result, name, values.format ?? "table") };
}

try {
  const { stdout } = await run(process.argv.slice(2), process.env);
  process.stdout.write(stdout);
} catch (err) {
  process.stderr.write(errorLine(err, secretToHide || process.env.ZEGO_SERVER_SECRET));
  process.exitCode = exitCodeOf(err);
}
