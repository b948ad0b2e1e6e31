// The demo page in a real browser (Debian's Chromium through playwright-core), served
// with the emulator by www/serve.mjs. It fills the Build form and checks the signed URL
// against an md5 computed here, checks a bad URL in Check, queries the emulator and
// reads the chart, the table and the CSV, and watches every request the page makes
// for the secret. Screenshots of the three views go to test-artifacts/www/.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { buildPage } from "../../www/build.mjs";
import { startPage } from "../../www/serve.mjs";

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
  "--disable-component-update",
];
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/www/", import.meta.url));
const DESKTOP = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };
const DAY = 86_400_000;

// An app of our own, with a secret made for this run: it appears nowhere in the
// page's files, so finding it in a request can only mean the page leaked it.
const APP_ID = 987654321;
const SECRET = randomBytes(16).toString("hex");

const md5 = (text) => createHash("md5").update(text).digest("hex");
const compact = (ms) => new Date(ms).toISOString().slice(0, 10).replaceAll("-", "");
const dashed = (ms) => new Date(ms).toISOString().slice(0, 10);

// Seven full UTC days ending four days ago: well inside what the emulator answers.
const START = Date.now() - 10 * DAY;
const END = Date.now() - 4 * DAY;

let site;
let browser;
let page;
const requests = [];
const consoleErrors = [];

before(async () => {
  await buildPage();
  await mkdir(ARTIFACTS, { recursive: true });
  site = await startPage({ apps: [`${APP_ID}:${SECRET}`] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  // A zone away from UTC, so that local date-and-time pickers are really converted.
  const context = await browser.newContext({
    viewport: DESKTOP, timezoneId: "Asia/Shanghai", locale: "en-US", acceptDownloads: true,
  });
  context.on("request", (request) => requests.push(request));
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await page.goto(site.url);
  await page.waitForSelector("body.ready");
});

after(async () => {
  await browser?.close();
  await site?.close();
});

/** The signed URL shown in Build, split into its raw query pairs. */
async function signedUrl() {
  const text = (await page.textContent("#signed-url")).trim();
  const [base, query] = text.split("?");
  const pairs = query.split("&").map((pair) => {
    const at = pair.indexOf("=");
    return [pair.slice(0, at), decodeURIComponent(pair.slice(at + 1))];
  });
  return { text, base, pairs, get: (key) => pairs.find(([k]) => k === key)?.[1] };
}

async function shoot(name) {
  // From the top, so that the sticky output card sits where a reader first sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

async function fillBizUsage() {
  await page.click("#tab-build");
  await page.fill("#appId", String(APP_ID));
  await page.fill("#serverSecret", SECRET);
  await page.selectOption("#action", "GetBizUsage");
  await page.fill("#p-startDate", dashed(START));
  await page.fill("#p-endDate", dashed(END));
  await page.getByRole("button", { name: "Clear" }).click();
  await page.getByRole("checkbox", { name: "publish_count" }).check();
  await page.getByRole("checkbox", { name: "play_count" }).check();
}

test("Build signs GetBizUsage with the emulator as the default endpoint", async () => {
  assert.equal(await page.inputValue("#server"), "emulator");
  await fillBizUsage();

  const url = await signedUrl();
  assert.equal(url.base, site.emulator.url);
  assert.deepEqual(url.pairs.map(([k]) => k), [
    "Action", "AppId", "SignatureNonce", "Timestamp", "SignatureVersion", "Signature",
    "StartDate", "EndDate", "Metrics[]", "Metrics[]",
  ]);
  assert.equal(url.get("Action"), "GetBizUsage");
  assert.equal(url.get("AppId"), String(APP_ID));
  assert.equal(url.get("SignatureVersion"), "2.0");
  assert.equal(url.get("StartDate"), compact(START));
  assert.equal(url.get("EndDate"), compact(END));
  assert.deepEqual(url.pairs.filter(([k]) => k === "Metrics[]").map(([, v]) => v),
    ["publish_count", "play_count"]);

  const nonce = url.get("SignatureNonce");
  const timestamp = url.get("Timestamp");
  assert.match(nonce, /^[0-9a-f]{16}$/);
  assert.ok(Math.abs(Number(timestamp) - Date.now() / 1000) < 30, `timestamp ${timestamp}`);
  assert.equal(url.get("Signature"), md5(`${APP_ID}${nonce}${SECRET}${timestamp}`));

  const curl = (await page.textContent("#curl-line")).trim();
  assert.equal(curl, `curl -sS '${url.text}'`);
  await shoot("build-desktop");
});

test("Build shows validation errors beside their fields as the user types", async () => {
  await page.fill("#p-endDate", dashed(START - 2 * DAY));
  await page.waitForSelector("#p-endDate-error:not([hidden])");
  assert.match(await page.textContent("#p-endDate-error"), /before/);
  assert.equal(await page.getAttribute("#p-endDate", "aria-invalid"), "true");
  assert.match(await page.textContent("#signed-url"), /Fix the highlighted field/);
  await page.fill("#p-endDate", dashed(END));
  await page.waitForSelector("#p-endDate-error", { state: "hidden" });

  await page.getByRole("button", { name: "Clear" }).click();
  await page.waitForSelector("#p-metrics-error:not([hidden])");
  await page.getByRole("checkbox", { name: "publish_count" }).check();
  await page.getByRole("checkbox", { name: "play_count" }).check();

  await page.fill("#appId", "12x");
  await page.waitForSelector("#appId-error:not([hidden])");
  assert.match(await page.textContent("#appId-error"), /appId/);
  await page.fill("#appId", String(APP_ID));
  await page.waitForSelector("#appId-error", { state: "hidden" });

  await page.selectOption("#isTest", "true");
  assert.equal((await signedUrl()).get("IsTest"), "true");
  await page.selectOption("#isTest", "");
  assert.equal((await signedUrl()).get("IsTest"), undefined);
});

test("Build converts local date-and-time pickers to UTC milliseconds", async () => {
  await page.selectOption("#action", "GetRealtimeUsage");
  await page.fill("#p-startTs", "2026-03-01T10:00");
  await page.fill("#p-endTs", "2026-03-01T10:05");
  const url = await signedUrl();
  // 10:00 in Shanghai (UTC+8) is 02:00 UTC.
  assert.equal(url.get("StartTs"), String(Date.UTC(2026, 2, 1, 2, 0)));
  assert.equal(url.get("EndTs"), String(Date.UTC(2026, 2, 1, 2, 5)));
  assert.match(await page.textContent("#p-startTs-hint"), /UTC\+08:00/);

  // Going back keeps what was chosen for GetBizUsage.
  await page.selectOption("#action", "GetBizUsage");
  const back = await signedUrl();
  assert.equal(back.get("StartDate"), compact(START));
  assert.deepEqual(back.pairs.filter(([k]) => k === "Metrics[]").map(([, v]) => v),
    ["publish_count", "play_count"]);
});

test("the tabs work with the arrow keys", async () => {
  await page.focus("#tab-build");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.getAttribute("#tab-check", "aria-selected"), "true");
  assert.ok(await page.isVisible("#view-check"));
  assert.ok(await page.isHidden("#view-build"));
  await page.keyboard.press("End");
  assert.equal(await page.getAttribute("#tab-query", "aria-selected"), "true");
  await page.keyboard.press("Home");
  assert.equal(await page.getAttribute("#tab-build", "aria-selected"), "true");
  assert.equal(await page.evaluate(() => document.activeElement.id), "tab-build");
});

test("Check says valid for the URL from Build and lists each problem of a bad one", async () => {
  await page.click("#tab-check");
  await page.fill("#check-secret", SECRET);
  await page.click("#check-from-build");
  await page.waitForSelector("#check-valid");
  assert.equal(await page.locator("#check-result tbody tr").count(), 10);
  assert.equal(await page.locator("#check-result tr.row-bad").count(), 0);

  // Signed with another secret, an hour ago.
  const timestamp = Math.floor(Date.now() / 1000) - 3600;
  const nonce = "0123456789abcdef";
  const bad = `${site.emulator.url}?Action=GetBizUsage&AppId=${APP_ID}` +
    `&SignatureNonce=${nonce}&Timestamp=${timestamp}&SignatureVersion=2.0` +
    `&Signature=${md5(`${APP_ID}${nonce}not-the-secret${timestamp}`)}` +
    `&StartDate=${compact(START)}&EndDate=${compact(END)}&Metrics[]=play_count`;
  await page.fill("#check-url", bad);
  await page.click("#check-run");
  await page.waitForSelector("#check-result .banner-bad");
  assert.match(await page.textContent("#check-result .banner-bad"), /2 problems/);
  const signature = page.locator('#check-result tr.row-bad[data-param="Signature"]');
  const stale = page.locator('#check-result tr.row-bad[data-param="Timestamp"]');
  assert.match(await signature.textContent(), /does not match/);
  // An hour, give or take the second that may tick over while the test runs.
  assert.match(await stale.textContent(), /\b360[0-5] s in the past/);
  assert.equal(await page.locator("#check-result tr.row-bad").count(), 2);
  await shoot("check-desktop");
});

test("Query shows the service's error with kind, code, message and request id", async () => {
  await page.click("#tab-build");
  await page.fill("#appId", "42");
  await page.click("#tab-query");
  await page.click("#query-send");
  await page.waitForSelector("#query-error");
  const fact = (name) => page.textContent(`#query-error [data-fact="${name}"] dd`);
  assert.equal(await fact("kind"), "api");
  assert.equal(await fact("code"), "100000010");
  assert.match(await fact("message"), /100000010/);
  assert.match(await fact("request-id"), /^\d{19}$/);
  await page.click("#tab-build");
  await page.fill("#appId", String(APP_ID));
});

test("Query charts one line per metric and tabulates one row per day", async () => {
  await page.click("#to-query");
  await page.waitForSelector("#result-table");
  assert.match(await page.textContent("#query-status"), /RequestId \d{19}/);

  const lines = page.locator("#query-result svg path.series-line");
  assert.equal(await lines.count(), 2);
  assert.deepEqual(await lines.evaluateAll((paths) => paths.map((p) => p.dataset.series)),
    ["publish_count", "play_count"]);
  const svgTitle = await page.textContent("#query-result svg > title");
  assert.match(svgTitle, /GetBizUsage/);
  assert.match(await page.textContent("#query-result svg > desc"), /publish_count between/);
  assert.equal(await page.getAttribute("#query-result svg", "role"), "img");

  const rows = page.locator("#result-table tbody tr");
  assert.equal(await rows.count(), 7);
  const days = await rows.evaluateAll((trs) => trs.map((tr) => tr.cells[0].textContent));
  assert.deepEqual(days, Array.from({ length: 7 }, (_, i) => dashed(START + i * DAY)));

  // The emulator received exactly the signed request, and the CSV holds the same days.
  const seen = await (await fetch(new URL("_emulator/requests", site.emulator.url))).json();
  const last = seen.requests.at(-1);
  assert.equal(last.action, "GetBizUsage");
  assert.equal(last.signature, md5(`${APP_ID}${last.nonce}${SECRET}${last.timestamp}`));

  const [download] = await Promise.all([
    page.waitForEvent("download"), page.click("#download-csv"),
  ]);
  const csv = (await readFile(await download.path(), "utf8")).trim().split("\r\n");
  assert.equal(csv[0], "date,publish_count,play_count");
  assert.deepEqual(csv.slice(1).map((line) => line.split(",")[0]),
    Array.from({ length: 7 }, (_, i) => compact(START + i * DAY)));
  await shoot("query-desktop");
});

test("the three views read well on a narrow screen", async () => {
  await page.setViewportSize(NARROW);
  const wide = () => page.evaluate(() => document.documentElement.scrollWidth);
  for (const view of ["build", "check", "query"]) {
    await page.click(`#tab-${view}`);
    // Let the chart redraw at the new width.
    await page.waitForTimeout(150);
    assert.ok(await wide() <= NARROW.width, `${view} is wider than the screen`);
    await shoot(`${view}-narrow`);
  }
  assert.equal(await page.locator("#query-result svg path.series-line").count(), 2);
  await page.setViewportSize(DESKTOP);
});

test("every action answers with a chart and a table, or a table of text", async () => {
  const actions = await page.$$eval("#action option", (options) => options.map((o) => o.value));
  assert.equal(actions.length, 8);
  // The last quarter hour but five minutes, as Shanghai wall-clock time for the pickers.
  const shanghai = (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
  for (const action of actions) {
    await page.click("#tab-build");
    await page.selectOption("#action", action);
    if (await page.isVisible("#p-startTs")) {
      await page.fill("#p-startTs", shanghai(Date.now() - 15 * 60_000));
      await page.fill("#p-endTs", shanghai(Date.now() - 5 * 60_000));
    }
    await page.click("#to-query");
    await page.waitForSelector("#result-table, #query-error");
    assert.equal(await page.locator("#query-error").count(), 0, `${action} failed`);
    const rows = await page.locator("#result-table tbody tr").count();
    const lines = await page.locator("#query-result svg path.series-line").count();
    assert.ok(rows > 0, `${action}: no rows`);
    if (action === "GetStreamBaseInfo") {
      assert.equal(lines, 0, "text values are not charted");
    } else if (action === "GetRegionQualityDetail") {
      assert.equal(lines, 3, "one line per region");
    } else {
      assert.ok(lines > 0, `${action}: no line`);
    }
  }
});

test("no request the page made carries the secret, and nothing is stored", async () => {
  assert.ok(requests.some((r) => r.url().startsWith(`${site.emulator.url}?Action=`)),
    "the recorder saw the queries");
  const forms = [SECRET, encodeURIComponent(SECRET), SECRET.toUpperCase()];
  for (const request of requests) {
    const headers = JSON.stringify(await request.allHeaders());
    const body = request.postData() ?? "";
    for (const text of [request.url(), headers, body]) {
      for (const secret of forms) {
        assert.ok(!text.includes(secret), `the secret went out in ${request.url()}`);
      }
    }
  }
  const stored = await page.evaluate(() => [
    localStorage.length, sessionStorage.length, document.cookie,
  ]);
  assert.deepEqual(stored, [0, 0, ""]);
});

test("the page logged no console error", () => {
  assert.deepEqual(consoleErrors, []);
});

// ---------------------------------------------------------------------------------------
// Hostile answers: a mock service of our own on 127.0.0.1 answers, with CORS for the
// page, whatever a test sets. A successful answer must never read as a failed request,
// hang the page or throw, however odd its values.

const mock = { body: "{}" };
let mockServer;
let hostile;
const hostileErrors = [];

const ok = (data) => JSON.stringify({ Code: 0, Message: "ok", RequestId: "77", Data: data });
const daily = (values, dates) => ok({ Metrics: [{ Metric: "play_count", Values: values.map(
  (value, i) => ({ Date: dates?.[i] ?? `202501${String(i + 1).padStart(2, "0")}`, Value: value }),
) }] });
const timed = (points) => ok({ Metrics: [{ Metric: "online_user_count",
  Values: points.map(([t, value]) => ({ Timestamp: t, Value: value })) }] });

async function hostilePage() {
  if (hostile) return hostile;
  mockServer = createServer((req, res) => {
    const cors = {
      "Access-Control-Allow-Origin": req.headers.origin ?? "*",
      "Access-Control-Allow-Headers": "*",
    };
    if (req.method === "OPTIONS") {
      res.writeHead(204, cors);
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json", ...cors });
    res.end(mock.body);
  });
  await new Promise((resolve) => mockServer.listen(0, "127.0.0.1", resolve));
  const context = await browser.newContext({ viewport: DESKTOP, timezoneId: "UTC" });
  // Nothing but our own 127.0.0.1 servers.
  await context.route("**/*", (route) => new URL(route.request().url()).hostname === "127.0.0.1"
    ? route.continue() : route.abort());
  hostile = await context.newPage();
  hostile.setDefaultTimeout(15_000);
  hostile.on("console", (m) => m.type() === "error" && hostileErrors.push(m.text()));
  hostile.on("pageerror", (error) => hostileErrors.push(`uncaught: ${error.message}`));
  await hostile.goto(site.url);
  await hostile.waitForSelector("body.ready");
  await hostile.fill("#appId", String(APP_ID));
  await hostile.fill("#serverSecret", SECRET);
  await hostile.selectOption("#server", "custom");
  await hostile.fill("#endpoint", `http://127.0.0.1:${mockServer.address().port}/`);
  return hostile;
}

after(async () => {
  mockServer?.closeAllConnections?.();
  await new Promise((resolve) => (mockServer ? mockServer.close(resolve) : resolve()));
});

let calls = 0;

/** Sends `action`, answered with `body`; what the Query view then shows. */
async function answer(action, body) {
  const p = await hostilePage();
  mock.body = body;
  await p.click("#tab-build");
  // An AppId per call: the library keeps to the service's per-app rate limits.
  await p.fill("#appId", String(APP_ID + ++calls));
  await p.selectOption("#action", action);
  await p.click("#to-query");
  await p.waitForSelector("#result-table, #query-error, #query-show-error");
  // A page stuck in a loop does not answer this.
  const info = await p.evaluate(() => {
    const svg = document.querySelector("#query-result svg.chart-svg");
    return {
      status: document.querySelector("#query-status").textContent,
      failed: Boolean(document.querySelector("#query-error, #query-show-error")),
      text: document.querySelector("#query-result").textContent,
      lines: document.querySelectorAll("#query-result path.series-line").length,
      paths: [...document.querySelectorAll("#query-result path.series-line")]
        .map((path) => path.getAttribute("d")),
      yTicks: svg?.querySelectorAll("text.tick-y").length ?? 0,
      xTicks: svg?.querySelectorAll("text.tick-x").length ?? 0,
      bad: svg ? /NaN|Infinity/.test(svg.outerHTML) : false,
      firstCells: [...document.querySelectorAll("#result-table tbody tr")].slice(0, 5)
        .map((tr) => [...tr.cells].map((c) => c.textContent)),
      numeric: [...document.querySelectorAll("#result-table thead th")]
        .map((th) => th.classList.contains("num")),
    };
  });
  assert.match(info.status, /^Answered in/, `${action}: ${info.text.slice(0, 300)}`);
  assert.equal(info.failed, false, info.text.slice(0, 300));
  assert.equal(info.bad, false, "no NaN or Infinity in the chart");
  return info;
}

test("y values that are huge, close together, subnormal or extreme get a few ticks", {
  timeout: 60_000,
}, async () => {
  const cases = [
    [9007199254740992, 9007199254740994], [2 ** 60, 2 ** 60 + 256], [5e-324, 1e-323],
    [-1.7e308, 1.7e308], [1e300, 1.0000000000001e300], [4, 4], [0, 0],
  ];
  for (const values of cases) {
    const info = await answer("GetBizUsage", daily(values));
    assert.equal(info.lines, 1, `${values}: one line`);
    assert.ok(info.yTicks >= 2 && info.yTicks <= 12, `${values}: ${info.yTicks} y ticks`);
  }
});

test("a time range as wide as a Date allows gets a few time ticks", { timeout: 60_000 },
  async () => {
    for (const points of [[[0, 1], [8.64e15, 2]], [[0, 1], [1e14, 2]], [[0, 1], [0, 2]]]) {
      const info = await answer("GetRealtimeUsage", timed(points));
      assert.equal(info.lines, 1);
      assert.ok(info.xTicks >= 1 && info.xTicks <= 13, `${points}: ${info.xTicks} x ticks`);
    }
  });

test("values a chart cannot place are shown as given, never as a failed request", {
  timeout: 90_000,
}, async () => {
  const dashedDates = await answer("GetBizUsage", daily([1, 2], ["2025-01-01", "2025-01-02"]));
  assert.deepEqual(dashedDates.firstCells, [["2025-01-01", "1"], ["2025-01-02", "2"]]);

  const empty = await answer("GetBizUsage", daily([1, 2], ["", "20250102"]));
  assert.deepEqual(empty.firstCells, [["2025-01-02", "2"], ["", "1"]]);
  assert.doesNotMatch(empty.text, /1899/);
  assert.equal(empty.lines, 1, "the placed day is charted");

  const huge = await answer("GetRealtimeUsage", timed([[9e15, 1], [9e15 + 60_000, 2]]));
  assert.deepEqual(huge.firstCells.map((row) => row[0]), ["9000000000000000",
    "9000000000060000"]);

  // More points than a call's arguments may hold (Math.min(...ys) would overflow).
  const start = Date.UTC(2026, 0, 1);
  const many = await answer("GetRealtimeUsage",
    timed(Array.from({ length: 130_000 }, (_, i) => [start + i * 60_000, (i * 7919) % 1000])));
  assert.equal(many.lines, 1);
  assert.match(many.text, /130000 points/);
});

test("a null value is a gap in the line, not text", async () => {
  const info = await answer("GetBizUsage", daily([1, null, 3, 4]));
  assert.doesNotMatch(info.text, /text values/);
  assert.deepEqual(info.numeric, [false, true]);
  assert.equal(info.lines, 1);
  assert.equal(info.paths[0].match(/M/g).length, 2, `broken at the gap: ${info.paths[0]}`);

  const allNull = await answer("GetRealtimeUsage",
    timed([[Date.UTC(2026, 0, 1), null], [Date.UTC(2026, 0, 1, 0, 1), null]]));
  assert.doesNotMatch(allNull.text, /text values/);
  assert.match(allNull.text, /no line/);
});

test("the page with hostile answers logged no console error", () => {
  assert.deepEqual(hostileErrors, []);
});
