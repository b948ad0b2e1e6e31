// The zego-analytics command of the built package, run as a child process against the
// emulator: exact output in every format, sign-url, exit codes and the one-line errors.

import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { AnalyticsClient } from "../../pkg/index.mjs";
import {
  DEMO_APP_ID,
  DEMO_SECRET,
  cliEnv,
  closedPort,
  emulatorRequests,
  queryPairs,
  requestIdOf,
  runCli,
  signedQuery,
  startCannedServer,
  startEmulator,
  startRecorder,
} from "./helpers.mjs";

const WRONG_SECRET = "0badc0de0badc0de0badc0de0badc0de";
const ENV = cliEnv({ ZEGO_APP_ID: String(DEMO_APP_ID), ZEGO_SERVER_SECRET: DEMO_SECRET });
const BIZ_ARGS = ["--start", "20250110", "--end", "20250112", "--metrics",
  "publish_count,play_count"];
const BIZ = { startDate: "20250110", endDate: "20250112", metrics: ["publish_count",
  "play_count"] };

let emu;
let recorder;
let client;
let scratch;

before(async () => {
  emu = await startEmulator({ port: 0, rateLimit: false });
  recorder = await startRecorder(emu.url);
  // The reference calls: more of them than the client's own rate limiting allows.
  client = new AnalyticsClient({
    appId: DEMO_APP_ID,
    serverSecret: DEMO_SECRET,
    endpoint: emu.url,
    rateLimit: "off",
  });
  scratch = await mkdtemp(join(tmpdir(), "zego-analytics-cli-"));
});

after(async () => {
  await recorder?.close();
  await emu?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs the command; no output of it may ever hold a secret. */
async function cli(args, env = ENV) {
  const run = await runCli(args, env);
  for (const secret of [DEMO_SECRET, WRONG_SECRET]) {
    assert.ok(!run.stdout.includes(secret), `the secret is on stdout:\n${run.stdout}`);
    assert.ok(!run.stderr.includes(secret), `the secret is on stderr:\n${run.stderr}`);
  }
  return run;
}

/** Runs the command against the emulator through the recorder; expects success. */
async function query(args) {
  const run = await cli([...args, "--endpoint", recorder.url]);
  assert.equal(run.stderr, "");
  assert.equal(run.code, 0);
  return { stdout: run.stdout, requestId: requestIdOf(recorder.last().text) };
}

/** Expects a failure: the exit code, nothing on stdout, one stderr line matching `line`. */
function assertFailure(run, code, line) {
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /^[^\n]*\n$/, `not exactly one line:\n${run.stderr}`);
  assert.match(run.stderr, line);
  assert.equal(run.code, code, run.stderr);
}

/** An aligned table: the first `left` columns left-aligned, the rest right-aligned. */
function table(header, rows, left, requestId) {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i].length)),
  );
  const line = (cells) =>
    cells
      .map((text, i) => (i < left ? text.padEnd(widths[i]) : text.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width));
  return `${[line(header), line(rule), ...rows.map(line), `request id ${requestId}`]
    .join("\n")}\n`;
}

/** RFC 4180: fields with a comma, quote or line break quoted, CRLF line ends. */
function csv(rows) {
  const field = (text) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  return rows.map((row) => `${row.map(field).join(",")}\r\n`).join("");
}

/** Rows of a series result: the key of each point, then each metric's value as text. */
function seriesRows(result, key) {
  return result.metrics[0].values.map((point, i) => [
    point[key],
    ...result.metrics.map((series) => String(series.values[i].value)),
  ]);
}

describe("output formats of biz-usage over a fixed range", () => {
  test("table: one row per date, one right-aligned column per metric", async () => {
    const expected = await client.getBizUsage(BIZ);
    const { stdout, requestId } = await query(["biz-usage", ...BIZ_ARGS]);
    const header = ["date", "publish_count", "play_count"];
    assert.equal(stdout, table(header, seriesRows(expected, "date"), 1, requestId));
    assert.equal(stdout.split("\n").length, 7);
  });

  test("json: the result object, pretty, with the exact request id", async () => {
    const expected = await client.getBizUsage(BIZ);
    const { stdout, requestId } = await query(["biz-usage", ...BIZ_ARGS, "--format", "json"]);
    assert.match(requestId, /^[0-9]{19}$/);
    assert.equal(stdout, `${JSON.stringify({ ...expected, requestId }, null, 2)}\n`);
    assert.equal(JSON.parse(stdout).requestId, requestId);
  });

  test("csv: a header and one CRLF-ended row per date", async () => {
    const expected = await client.getBizUsage(BIZ);
    const { stdout } = await query(["biz-usage", ...BIZ_ARGS, "--format", "csv"]);
    const rows = [["date", "publish_count", "play_count"], ...seriesRows(expected, "date")];
    assert.equal(stdout, csv(rows));
    assert.ok(stdout.startsWith("date,publish_count,play_count\r\n20250110,"), stdout);
  });
});

describe("other commands", () => {
  test("realtime-usage table: UTC times, one column per metric", async () => {
    const startTs = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    const params = { startTs, endTs: startTs + 5000, metrics: ["online_user", "mix_concurrent"] };
    const expected = await client.getRealtimeUsage(params);
    const { stdout, requestId } = await query([
      "realtime-usage", "--start", String(startTs), "--end", String(params.endTs),
      "--metrics", "online_user,mix_concurrent",
    ]);
    const rows = seriesRows(expected, "timestamp").map(([ts, ...values]) => [
      new Date(ts).toISOString().replace(".000Z", "Z"),
      ...values,
    ]);
    assert.equal(rows.length, 6);
    const header = ["time (UTC)", "online_user", "mix_concurrent"];
    assert.equal(stdout, table(header, rows, 1, requestId));
  });

  test("region-quality csv: one row per minute and region, quoted as RFC 4180 says", async () => {
    const startTs = Math.floor(Date.now() / 60_000) * 60_000 - 600_000;
    const region = 'Nord "Ost", 中国';
    const params = { startTs, endTs: startTs + 120_000, region };
    const expected = await client.getRegionQualityDetail(params);
    const { stdout } = await query([
      "region-quality", "--start", String(startTs), "--end", String(params.endTs),
      "--region-name", region, "--format", "csv",
    ]);

    const details = [["p2pDelayDetail", "p2p_delay", 4], ["p2pPlrDetail", "p2p_plr", 5],
      ["videoBreakDetail", "video_break", 5], ["audioBreakDetail", "audio_break", 5],
      ["videoFftDetail", "video_fft", 5], ["audioFftDetail", "audio_fft", 5]];
    const fields = (n) => ["total", ...Array.from({ length: n }, (_, i) => `rate${i + 1}`)];
    const header = [
      "timestamp",
      "region",
      ...details.flatMap(([, name, n]) => fields(n).map((field) => `${name}_${field}`)),
      "login_success_rate",
      "login_success_rate_5s",
    ];
    const rows = expected.list.flatMap((point) =>
      point.qualityInfo.map((info) => [
        String(point.timestamp),
        info.region,
        ...details.flatMap(([key, , n]) => fields(n).map((field) => String(info[key][field]))),
        String(info.loginSuccessRateDetail.loginSuccessRate),
        String(info.loginSuccessRateDetail.loginSuccessRate5s),
      ]),
    );
    assert.equal(rows.length, 3);
    assert.equal(stdout, csv([header, ...rows]));
    assert.ok(stdout.includes(`,"Nord ""Ost"", 中国",`), stdout);
  });

  test("stream-info table: text values left-aligned, wide characters counted twice", async () => {
    const { stdout } = await query([
      "stream-info", "--room", "r", "--user", "u", "--stream", "s", "--stream-type", "publish",
      "--last", "10m",
    ]);
    const lines = stdout.trimEnd().split("\n");
    assert.equal(lines.length, 3 + 3, stdout);
    assert.match(lines[0], /^time \(UTC\) {2,}/);
    assert.match(lines.at(-1), /^request id [0-9]{19}$/);
    // Every column starts where its rule starts, counting wide characters twice.
    const widen = (line) => line.replace(/\p{sc=Han}/gu, "##");
    const starts = [...lines[1].matchAll(/-+/g)].map((m) => m.index);
    for (const line of [lines[0], ...lines.slice(2, -1)].map(widen)) {
      for (const at of starts.slice(1)) {
        assert.equal(line.slice(at - 2, at), "  ", `no gap before column ${at}: ${line}`);
        assert.notEqual(line[at], " ", `column ${at} misaligned: ${line}`);
      }
    }
  });

  test("--test, --no-test and --last reach the request", async () => {
    await query(["realtime-quality", "--last", "10m", "--metrics", "uplink_rtt", "--test"]);
    let sent = new Map(queryPairs((await emulatorRequests(emu)).requests.at(-1).query));
    assert.equal(sent.get("IsTest"), "true");
    assert.equal(Number(sent.get("EndTs")) - Number(sent.get("StartTs")), 600_000);
    assert.ok(Math.abs(Number(sent.get("EndTs")) - Date.now()) < 30_000);

    await query(["biz-usage", ...BIZ_ARGS, "--no-test"]);
    sent = new Map(queryPairs((await emulatorRequests(emu)).requests.at(-1).query));
    assert.equal(sent.get("IsTest"), "false");
  });

  test("--secret-file: the secret from a file, one trailing newline dropped", async () => {
    const file = join(scratch, "secret");
    await writeFile(file, `${DEMO_SECRET}\n`, { mode: 0o600 });
    const env = cliEnv({ ZEGO_APP_ID: String(DEMO_APP_ID) });
    const run = await cli(["biz-usage", ...BIZ_ARGS, "--secret-file", file,
      "--endpoint", emu.url, "--format", "json"], env);
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    assert.deepEqual(JSON.parse(run.stdout).metrics, (await client.getBizUsage(BIZ)).metrics);
  });
});

describe("sign-url", () => {
  const fixed = ["--nonce", "4fd24687296dd9f3", "--timestamp", "1615186943"];
  const expected = (origin) =>
    `${origin}?${signedQuery({
      action: "GetBizUsage",
      params: BIZ,
      appId: DEMO_APP_ID,
      secret: DEMO_SECRET,
      nonce: "4fd24687296dd9f3",
      timestamp: 1615186943,
    })}\n`;

  test("prints the signed URL and sends nothing", async () => {
    const before = (await emulatorRequests(emu)).count;
    const run = await cli(["sign-url", "biz-usage", ...BIZ_ARGS, ...fixed,
      "--endpoint", emu.url]);
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    assert.equal(run.stdout, expected(emu.url));
    assert.equal((await emulatorRequests(emu)).count, before);
  });

  test("the service's host when no endpoint is given", async () => {
    const run = await cli(["sign-url", "biz-usage", ...BIZ_ARGS, ...fixed]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, expected("https://analytics-api.zego.im/"));
  });
});

describe("failures: exit code and exactly one line on stderr", () => {
  test("an api error (wrong secret) exits 1 and names code and request id", async () => {
    const env = { ...ENV, ZEGO_SERVER_SECRET: WRONG_SECRET };
    const run = await cli(["biz-usage", ...BIZ_ARGS, "--endpoint", recorder.url], env);
    const id = requestIdOf(recorder.last().text);
    assertFailure(run, 1, new RegExp(
      `^zego-analytics: api error, code 100000005, request id ${id}: \\S.*\\n$`,
    ));
  });

  test("a validation error exits 2 and sends nothing", async () => {
    const before = (await emulatorRequests(emu)).count;
    const run = await cli(["biz-usage", "--start", "20250230", "--end", "20250301",
      "--metrics", "play_count", "--endpoint", emu.url]);
    assertFailure(run, 2, /^zego-analytics: validation error: \S.*20250230/);
    assert.equal((await emulatorRequests(emu)).count, before);
  });

  test("a secret given as an argument is refused, and not echoed", async () => {
    const before = (await emulatorRequests(emu)).count;
    for (const args of [["--secret", WRONG_SECRET], [`--secret=${WRONG_SECRET}`],
      ["--server-secret", WRONG_SECRET]]) {
      const run = await cli(["biz-usage", ...BIZ_ARGS, ...args, "--endpoint", emu.url]);
      assertFailure(run, 2, /^zego-analytics: usage error: .*secret.*ZEGO_SERVER_SECRET/i);
    }
    assert.equal((await emulatorRequests(emu)).count, before);
  });

  test("missing or bad credentials are config errors, exit 2", async () => {
    const noAppId = cliEnv({ ZEGO_SERVER_SECRET: DEMO_SECRET });
    let run = await cli(["biz-usage", ...BIZ_ARGS, "--endpoint", emu.url], noAppId);
    assertFailure(run, 2, /^zego-analytics: config error: .*ZEGO_APP_ID/);

    const noSecret = cliEnv({ ZEGO_APP_ID: String(DEMO_APP_ID) });
    run = await cli(["biz-usage", ...BIZ_ARGS, "--endpoint", emu.url], noSecret);
    assertFailure(run, 2, /^zego-analytics: config error: .*ZEGO_SERVER_SECRET/);

    const tooBig = { ...ENV, ZEGO_APP_ID: "4294967296" };
    run = await cli(["biz-usage", ...BIZ_ARGS, "--endpoint", emu.url], tooBig);
    assertFailure(run, 2, /^zego-analytics: config error: /);

    run = await cli(["biz-usage", ...BIZ_ARGS, "--region", "nyc"]);
    assertFailure(run, 2, /^zego-analytics: config error: /);
  });

  test("usage errors exit 2", async () => {
    const cases = [
      [],
      ["no-such-command"],
      ["biz-usage", ...BIZ_ARGS, "--no-such-option"],
      ["biz-usage", "--start", "20250110", "--metrics", "play_count"],
      ["biz-usage", ...BIZ_ARGS, "--format", "xml"],
      ["biz-usage", ...BIZ_ARGS, "--room", "r"],
    ];
    for (const args of cases) {
      const run = await cli([...args, "--endpoint", emu.url]);
      assertFailure(run, 2, /^zego-analytics: usage error: \S/);
    }
  });

  test("an option given twice is a usage error naming it, not the last one kept", async () => {
    const before = (await emulatorRequests(emu)).count;
    const cases = [
      ["metrics", ["biz-usage", ...BIZ_ARGS, "--metrics", "play_count"]],
      ["format", ["biz-usage", ...BIZ_ARGS, "--format", "json", "--format", "csv"]],
      ["format", ["biz-usage", ...BIZ_ARGS, "--format=json", "--format", "json"]],
      ["start", ["biz-usage", ...BIZ_ARGS, "--start", "20250111"]],
      ["endpoint", ["biz-usage", ...BIZ_ARGS, "--endpoint", emu.url]],
      ["test", ["biz-usage", ...BIZ_ARGS, "--test", "--test"]],
      ["nonce", ["sign-url", "biz-usage", ...BIZ_ARGS, "--nonce", "0123456789abcdef",
        "--nonce", "fedcba9876543210"]],
    ];
    for (const [name, args] of cases) {
      const run = await cli([...args, "--endpoint", emu.url]);
      assertFailure(run, 2,
        new RegExp(`^zego-analytics: usage error: --${name} is given more than once`));
    }
    assert.equal((await emulatorRequests(emu)).count, before);
  });

  test("a secret after -- is refused too, and no usage error echoes one", async () => {
    const canary = "TOPSECRETVALUE";
    for (const args of [["--", `--secret=${canary}`], ["--", "--server-secret", canary]]) {
      const run = await cli(["biz-usage", ...BIZ_ARGS, ...args]);
      assertFailure(run, 2, /^zego-analytics: usage error: .*secret.*ZEGO_SERVER_SECRET/i);
      assert.ok(!run.stderr.includes(canary), run.stderr);
    }
    // Arguments that look like a secret, wherever a usage error would quote them.
    const token = "5f4dcc3b5aa765d61d8327deb882cf99";
    const cases = [
      ["biz-usage", ...BIZ_ARGS, "--", token],
      ["biz-usage", ...BIZ_ARGS, token],
      ["biz-usage", ...BIZ_ARGS, "--", canary],
      [canary],
      [token],
      ["biz-usage", ...BIZ_ARGS, "--format", token],
      ["biz-usage", "--start", `x${token}`, "--end", "20250112", "--metrics", "a"],
      ["biz-usage", ...BIZ_ARGS, `--${token}`],
      ["biz-usage", ...BIZ_ARGS, "--", DEMO_SECRET],
    ];
    for (const args of cases) {
      const run = await cli(args);
      assertFailure(run, 2, /^zego-analytics: (usage|validation) error: \S/);
      for (const secret of [canary, token, DEMO_SECRET]) {
        assert.ok(!run.stderr.includes(secret), `${args.join(" ")}: ${run.stderr}`);
      }
    }
    // Plain arguments are still quoted, to say what was wrong.
    const run = await cli(["biz-usage", ...BIZ_ARGS, "--", "extra"]);
    assertFailure(run, 2, /unexpected argument "extra"/);
  });

  test("a network error exits 1", async () => {
    const port = await closedPort();
    const run = await cli(["biz-usage", ...BIZ_ARGS, "--endpoint", `http://127.0.0.1:${port}/`]);
    assertFailure(run, 1, /^zego-analytics: network error: \S/);
  });

  test("an http error exits 1 and names the status", async () => {
    const server = await startCannedServer(() => ({ status: 503, body: "down for a bit" }));
    try {
      const run = await cli(["biz-usage", ...BIZ_ARGS, "--endpoint", server.url]);
      assertFailure(run, 1, /^zego-analytics: http error, http status 503: \S/);
    } finally {
      await server.close();
    }
  });
});

describe("ranges out of bounds are usage errors, and nothing is sent", () => {
  const nines = "9".repeat(400);

  /** Runs each case against the emulator; each must fail with exit 2 and send nothing. */
  async function refused(cases, line) {
    const before = (await emulatorRequests(emu)).count;
    for (const args of cases) {
      const run = await cli([...args, "--endpoint", emu.url]);
      assertFailure(run, 2, line);
    }
    assert.equal((await emulatorRequests(emu)).count, before);
  }

  test("--last reaching back before the first day or time the library takes", async () => {
    const biz = (last) => ["biz-usage", "--last", last, "--metrics", "play_count"];
    const realtime = (last) => ["realtime-usage", "--last", last, "--metrics", "online_user"];
    await refused(
      [biz("999999999d"), biz("30000d"), biz(`${nines}d`)],
      /^zego-analytics: usage error: --last "[0-9]+(d|\.{3})" is out of bounds: .* 1970-01-01\n$/,
    );
    await refused(
      [realtime("999999999d"), realtime("12000d"), realtime(`${nines}s`)],
      /^zego-analytics: usage error: --last "[0-9]+([sd]|\.{3})" is out of bounds: .* 2001-09-09T/,
    );
  });

  test("--last that is not a positive count of a unit", async () => {
    const cases = ["0d", "00d", "-1d", "1x", "1.5d", "1e3d", "d", " 3d", "2h"].map((last) =>
      ["biz-usage", `--last=${last}`, "--metrics", "play_count"]);
    cases.push(["biz-usage", "--last", "-1d", "--metrics", "play_count"]);
    cases.push(["realtime-usage", "--last=0s", "--metrics", "online_user"]);
    await refused(cases, /^zego-analytics: usage error: (--last takes|Option '--last')/);
  });

  test("--start, --end and --timestamp past 2^53 are refused, not rounded", async () => {
    const realtime = ["realtime-usage", "--metrics", "online_user"];
    await refused(
      [
        [...realtime, "--start", "9007199254740993", "--end", "0"],
        [...realtime, "--start", nines, "--end", "0"],
        [...realtime, "--start", "1700000000000", "--end", nines],
        ["sign-url", ...realtime, "--last", "1m", "--timestamp", nines],
        ["sign-url", ...realtime, "--last", "1m", "--timestamp", "9007199254740993"],
      ],
      /^zego-analytics: usage error: --(start|end|timestamp) "[0-9.]+" is out of bounds for /,
    );
  });

  test("the last days still reach back to 1970-01-01", async () => {
    const days = Math.floor(Date.now() / 86_400_000);
    const run = await cli(["sign-url", "biz-usage", "--last", `${days}d`,
      "--metrics", "play_count", "--endpoint", emu.url]);
    assert.equal(run.code, 0, run.stderr);
    // The next day, should midnight (UTC) pass between the two clocks.
    assert.match(run.stdout, /&StartDate=1970010[12]&/);
  });
});

// What a hostile or broken server could answer: text that, printed raw, would move the
// cursor, set the window title, reorder a line or add one.
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const FORGED_DATE = "20250110\nrequest id 999";

/** A canned GetBizUsage answer whose strings carry control characters. */
function hostileBizBody() {
  return JSON.stringify({
    Code: 0,
    Message: "success",
    RequestId: "12\u001b[31m3",
    Data: {
      Metrics: [{
        Metric: "play_count\u009b2J",
        Values: [
          { Date: FORGED_DATE, Value: 1 },
          { Date: "2025\u202e0111\u2066", Value: -2 },
          { Date: "=HYPERLINK(\"x\")", Value: 3 },
          { Date: "-1", Value: 4 },
          { Date: "@SUM(A1)", Value: 5 },
          { Date: "+1e3", Value: 6 },
        ],
      }],
    },
  });
}

describe("text from the server cannot forge output", () => {
  let server;
  before(async () => {
    server = await startCannedServer(() => ({ status: 200, body: hostileBizBody() }));
  });
  after(() => server?.close());

  const biz = (format) => cli(["biz-usage", ...BIZ_ARGS, "--endpoint", server.url,
    "--format", format]);

  test("table: control characters escaped, one line per date, none forged", async () => {
    const run = await biz("table");
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split("\n");
    assert.equal(lines.pop(), "");
    assert.equal(lines.length, 2 + 6 + 1, run.stdout);
    assert.equal(lines.filter((line) => line.startsWith("request id")).length, 1);
    assert.equal(lines.at(-1), "request id 12\\u001b[31m3");
    assert.doesNotMatch(run.stdout.replaceAll("\n", ""), RAW_CONTROL);
    assert.match(lines[0], /^date {2,}play_count\\u009b2J$/);
    assert.ok(run.stdout.includes("20250110\\u000arequest id 999 "), run.stdout);
    assert.ok(run.stdout.includes("2025\\u202e0111\\u2066 "), run.stdout);
  });

  test("csv: a line break stays inside its quoted field; formulas are defused", async () => {
    const run = await biz("csv");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, [
      "date,play_count\u009b2J",
      "+1e3,6",
      "-1,4",
      '"20250110\nrequest id 999",1',
      "2025\u202e0111\u2066,-2",
      `"'=HYPERLINK(""x"")",3`,
      "'@SUM(A1),5",
    ].map((line) => `${line}\r\n`).join(""));
  });

  test("json: every control character escaped, every value intact", async () => {
    const run = await biz("json");
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout.replaceAll("\n", ""), RAW_CONTROL);
    assert.ok(run.stdout.includes('"date": "20250110\\nrequest id 999"'), run.stdout);
    assert.ok(run.stdout.includes('"metric": "play_count\\u009b2J"'), run.stdout);
    const result = JSON.parse(run.stdout);
    assert.equal(result.requestId, "12\u001b[31m3");
    assert.equal(result.metrics[0].metric, "play_count\u009b2J");
    assert.deepEqual(result.metrics[0].values.slice(0, 2),
      [{ date: FORGED_DATE, value: 1 }, { date: "2025\u202e0111\u2066", value: -2 }]);
  });

  test("the error line: message and request id escaped, still one line", async () => {
    const body = JSON.stringify({
      Code: 100000005,
      Message: "bad\u001b]0;pwned\u0007 sig\u2028x\ny\u202e\u009b2J\u007f",
      RequestId: "7\u001b[2J",
    });
    const hostile = await startCannedServer(() => ({ status: 200, body }));
    try {
      const run = await cli(["biz-usage", ...BIZ_ARGS, "--endpoint", hostile.url]);
      assertFailure(run, 1,
        /^zego-analytics: api error, code 100000005, request id 7\\u001b\[2J: /);
      assert.doesNotMatch(run.stderr.slice(0, -1), RAW_CONTROL);
      assert.ok(run.stderr.includes(
        "bad\\u001b]0;pwned\\u0007 sig\\u2028x\\u000ay\\u202e\\u009b2J\\u007f"), run.stderr);
    } finally {
      await hostile.close();
    }
  });
});

describe("--secret-file holds one line of UTF-8 text, the ServerSecret", () => {
  const env = cliEnv({ ZEGO_APP_ID: String(DEMO_APP_ID) });

  async function withSecretFile(content, args = []) {
    const file = join(scratch, "secret-case");
    await writeFile(file, content, { mode: 0o600 });
    return cli(["biz-usage", ...BIZ_ARGS, "--secret-file", file, "--endpoint", emu.url,
      ...args], env);
  }

  test("a BOM, a second line, a NUL, a control character or no text: exit 2", async () => {
    const cases = [
      [`\ufeff${DEMO_SECRET}\n`, /byte order mark/],
      [`${DEMO_SECRET}\nsomething else\n`, /more than one line/],
      [`${DEMO_SECRET}\r\n\r\n`, /more than one line/],
      [`${DEMO_SECRET}\n\n`, /more than one line/],
      [`${DEMO_SECRET}\rx`, /more than one line/],
      [`${DEMO_SECRET}\0\n`, /NUL/],
      [`${DEMO_SECRET.slice(0, 5)}\u001b${DEMO_SECRET.slice(5)}`, /control character U\+001B/],
      [`${DEMO_SECRET}\t`, /control character U\+0009/],
      [`${DEMO_SECRET}\u200e`, /control character U\+200E/],
      [Buffer.concat([Buffer.from(DEMO_SECRET), Buffer.from([0xff, 0x0a])]), /not UTF-8/],
      ["", /empty/],
      ["\r\n", /empty/],
    ];
    const before = (await emulatorRequests(emu)).count;
    for (const [content, problem] of cases) {
      const run = await withSecretFile(content);
      assertFailure(run, 2, /^zego-analytics: config error: --secret-file \S+ /);
      assert.match(run.stderr, problem, JSON.stringify(content));
      // cli() has checked that the secret itself is on no output.
    }
    assert.equal((await emulatorRequests(emu)).count, before);
  });

  test("one trailing CRLF or LF, or none, is fine", async () => {
    for (const end of ["\r\n", "\n", ""]) {
      const run = await withSecretFile(`${DEMO_SECRET}${end}`, ["--format", "json"]);
      assert.equal(run.stderr, "");
      assert.equal(run.code, 0);
    }
  });

  test("ZEGO_SERVER_SECRET with a control character is refused the same way", async () => {
    const bad = { ...ENV, ZEGO_SERVER_SECRET: `${DEMO_SECRET}\u001b` };
    const run = await cli(["biz-usage", ...BIZ_ARGS, "--endpoint", emu.url], bad);
    assertFailure(run, 2,
      /^zego-analytics: config error: ZEGO_SERVER_SECRET holds the control character U\+001B\n$/);
  });
});

test("--help prints usage and exits 0", async () => {
  for (const args of [["--help"], ["biz-usage", "--help"], ["sign-url", "stream-info", "-h"]]) {
    const run = await cli(args);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, "");
    assert.match(run.stdout, /^Usage: zego-analytics /);
  }
});
