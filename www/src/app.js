// The demo page: Build a signed request, Check a signed URL, Query and chart the
// answer. Everything runs here on the library's WebAssembly; the ServerSecret is
// only ever handed to it for signing and is never stored or sent.

import init, * as zego from "./zego_analytics.js";
import config from "./config.js";
import { LineChart } from "./chart.js";
import { ActionFields } from "./fields.js";
import { resultModel } from "./results.js";
import {
  clockTime, copyText, download, formatNumber, h, localTime, plainMessage, shellQuote, toCsv,
} from "./util.js";

const $ = (id) => document.getElementById(id);

const REGIONS = [
  ["", "Unified", "analytics-api.zego.im"],
  ["sha", "Shanghai", "analytics-api-sha.zego.im"],
  ["hkg", "Hong Kong", "analytics-api-hkg.zego.im"],
  ["fra", "Frankfurt", "analytics-api-fra.zego.im"],
  ["lax", "California", "analytics-api-lax.zego.im"],
  ["bom", "Mumbai", "analytics-api-bom.zego.im"],
  ["sgp", "Singapore", "analytics-api-sgp.zego.im"],
];
const TABLE_ROWS = 500;
// The service accepts a timestamp up to ten minutes old.
const SIGNATURE_LIFE_MS = 10 * 60_000;

const KIND_NOTES = {
  config: "The client options are wrong; nothing was sent.",
  validation: "A request parameter is wrong; nothing was sent.",
  api: "The service answered with an error code.",
  http: "The server answered with an HTTP error status.",
  network: "No answer arrived: the server is unreachable, or the browser blocked the " +
    "answer (real ZEGO hosts do not allow calls from web pages; use the curl line).",
  parse: "The answer is not the JSON the service documents.",
};

let ACTIONS = [];
let fields;
let signed = null; // { url, action, at } of the last good build
let chart = null;
let busy = false;

main().catch((error) => {
  const fatal = $("fatal");
  fatal.textContent = `The page could not start: ${plainMessage(error)}`;
  fatal.hidden = false;
});

async function main() {
  await init({ module_or_path: new URL("./zego_analytics_bg.wasm", import.meta.url) });
  ACTIONS = zego.actions();

  setUpTabs();
  setUpBuild();
  setUpCheck();
  setUpQuery();

  const start = location.hash.slice(1);
  if (["build", "check", "query"].includes(start)) selectTab($(`tab-${start}`));
  document.body.classList.add("ready");
}

// ---------------------------------------------------------------------------------------
// Tabs: a tablist with arrow keys, Home and End; the URL hash remembers the view.

function setUpTabs() {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const list = document.querySelector("[role=tablist]");
  for (const tab of tabs) tab.addEventListener("click", () => selectTab(tab));
  list.addEventListener("keydown", (event) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const next = {
      ArrowRight: (at + 1) % tabs.length,
      ArrowLeft: (at - 1 + tabs.length) % tabs.length,
      Home: 0,
      End: tabs.length - 1,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    selectTab(tabs[next], true);
  });
}

function selectTab(tab, focus = false) {
  for (const other of document.querySelectorAll("[role=tab]")) {
    const on = other === tab;
    other.setAttribute("aria-selected", String(on));
    other.tabIndex = on ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !on;
  }
  if (focus) tab.focus();
  const view = tab.id.slice("tab-".length);
  history.replaceState(null, "", view === "build" ? location.pathname : `#${view}`);
  if (view === "query") showSummary();
}

// ---------------------------------------------------------------------------------------
// Build

function setUpBuild() {
  const server = $("server");
  if (config.emulator) {
    const host = new URL(config.emulator.url).host;
    server.append(h("option", { value: "emulator", text: `Local emulator (${host})` }));
  }
  for (const [key, place, host] of REGIONS) {
    server.append(h("option", { value: `region:${key}`, text: `${place}: ${host}` }));
  }
  server.append(h("option", { value: "custom", text: "Custom endpoint…" }));

  const action = $("action");
  for (const a of ACTIONS) action.append(h("option", { value: a.name, text: a.name }));

  fields = new ActionFields($("action-fields"), update);
  fields.show(currentAction());

  for (const id of ["appId", "serverSecret", "endpoint"]) $(id).addEventListener("input", update);
  for (const id of ["server", "isTest"]) $(id).addEventListener("change", update);
  action.addEventListener("change", () => {
    fields.show(currentAction());
    update();
  });

  if (config.emulator?.appId) {
    const demo = $("use-demo");
    demo.hidden = false;
    demo.addEventListener("click", () => {
      $("appId").value = String(config.emulator.appId);
      $("serverSecret").value = config.emulator.serverSecret;
      $("server").value = "emulator";
      update();
    });
  }

  // The form is never submitted: Enter signs again, nothing leaves the page.
  $("build-form").addEventListener("submit", (event) => {
    event.preventDefault();
    update();
  });
  revealToggle($("serverSecret-show"), $("serverSecret"));
  $("copy-url").addEventListener("click", () => copy(signed?.url, $("signed-url")));
  $("copy-curl").addEventListener("click", () => copy(curlLine(), $("curl-line")));
  $("resign").addEventListener("click", update);
  $("to-check").addEventListener("click", () => {
    if (!signed) return;
    $("check-url").value = signed.url;
    if (!$("check-secret").value) $("check-secret").value = $("serverSecret").value;
    selectTab($("tab-check"), true);
    runCheck();
  });
  $("to-query").addEventListener("click", () => {
    selectTab($("tab-query"), true);
    send();
  });
  update();
  setInterval(showSignAge, 15_000);
}

function currentAction() {
  return ACTIONS.find((a) => a.name === $("action").value) ?? ACTIONS[0];
}

function revealToggle(button, input) {
  button.addEventListener("click", () => {
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    button.setAttribute("aria-pressed", String(show));
    button.textContent = show ? "Hide" : "Show";
  });
}

/** The options for `new AnalyticsClient`, straight from the form. */
function clientOptions() {
  const options = {};
  const appId = $("appId").value.trim();
  if (appId) options.appId = /^\d+$/.test(appId) ? Number(appId) : appId;
  options.serverSecret = $("serverSecret").value;
  const server = $("server").value;
  if (server === "emulator") options.endpoint = config.emulator.url;
  else if (server === "custom") options.endpoint = $("endpoint").value.trim();
  else if (server !== "region:") options.region = server.slice("region:".length);
  if ($("isTest").value) options.isTest = $("isTest").value === "true";
  return options;
}

/** A client for the form's options; the caller frees it. Throws the library's error. */
function makeClient() {
  return new zego.AnalyticsClient(clientOptions());
}

/** Signs the form's request again and shows it, or shows what is wrong. */
function update() {
  fields.refreshHints();
  const server = $("server").value;
  $("endpoint").closest(".field").hidden = server !== "custom";
  $("server-hint").textContent = server === "emulator"
    ? "Synthetic data from the emulator that make www started."
    : "The real service. Its answers reach the Query view only where the host allows " +
      "this page's origin; the URL and curl line work anywhere.";
  const action = currentAction();
  $("action-hint").textContent = `Rate limit ${action.limit}, per AppId.`;

  clearErrors($("view-build"));
  let client = null;
  try {
    client = makeClient();
    const url = client.buildUrl(action.name, fields.params());
    signed = { url, action: action.name, at: Date.now() };
  } catch (error) {
    signed = null;
    showError(error);
  } finally {
    client?.free();
  }
  showSigned();
}

function showSigned() {
  const out = $("signed-url");
  const curl = $("curl-line");
  for (const id of ["copy-url", "copy-curl", "resign", "to-check", "to-query"]) {
    $(id).disabled = !signed;
  }
  $("copy-note").textContent = "";
  if (!signed) {
    out.replaceChildren(h("span", {
      class: "placeholder", text: "Fix the highlighted field to see the signed URL.",
    }));
    curl.replaceChildren(h("span", { class: "placeholder", text: "—" }));
    $("sign-status").textContent = "";
    $("sign-status").className = "status";
    return;
  }
  out.replaceChildren(...urlParts(signed.url));
  curl.textContent = curlLine();
  showSignAge();
}

/** "Signed at ..." while the signature holds; a warning once the service would refuse it. */
function showSignAge() {
  if (!signed) return;
  const stale = Date.now() - signed.at > SIGNATURE_LIFE_MS;
  $("sign-status").textContent = stale
    ? `Signed at ${clockTime(signed.at)}: expired, sign again`
    : `Signed at ${clockTime(signed.at)}`;
  $("sign-status").className = stale ? "status status-bad" : "status status-good";
}

/** The URL as spans (keys and values told apart) with break points between pairs. */
function urlParts(url) {
  const [base, query = ""] = url.split(/\?(.*)/s);
  const parts = [h("span", { class: "u-base", text: base })];
  query.split("&").forEach((pair, i) => {
    const [key, ...rest] = pair.split("=");
    parts.push(h("wbr"), h("span", { class: "u-sep", text: i ? "&" : "?" }),
      h("span", { class: "u-key", text: key }), "=",
      h("span", { class: "u-value", text: rest.join("=") }));
  });
  return parts;
}

function curlLine() {
  return signed ? `curl -sS ${shellQuote(signed.url)}` : "";
}

async function copy(text, element) {
  if (!text) return;
  const copied = await copyText(text, element);
  $("copy-note").textContent = copied
    ? "Copied."
    : "The browser refused the clipboard; the text is selected, press Ctrl+C.";
}

// Where a config error belongs: its message starts with the option's name.
const CONFIG_FIELDS = {
  appId: "appId", serverSecret: "serverSecret", region: "server", isTest: "isTest",
};

function showError(error) {
  const message = plainMessage(error);
  let param = null;
  if (error?.kind === "validation") param = error.param;
  if (error?.kind === "config") {
    const word = message.split(/[\s:]/)[0];
    param = word === "endpoint"
      ? ($("server").value === "custom" ? "endpoint" : "server")
      : CONFIG_FIELDS[word] ?? null;
  }
  const field = param && document.querySelector(
    `#view-build .field[data-param="${CSS.escape(param)}"]`);
  const line = field && !field.hidden
    ? field.querySelector(".field-error")
    : $("form-error");
  line.textContent = message;
  line.hidden = false;
  if (field && !field.hidden) {
    field.classList.add("has-error");
    for (const input of field.querySelectorAll("input, select, textarea")) {
      input.setAttribute("aria-invalid", "true");
    }
  }
}

function clearErrors(view) {
  for (const line of view.querySelectorAll(".field-error")) {
    line.hidden = true;
    line.textContent = "";
  }
  for (const el of view.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of view.querySelectorAll(".has-error")) el.classList.remove("has-error");
}

// ---------------------------------------------------------------------------------------
// Check

function setUpCheck() {
  revealToggle($("check-secret-show"), $("check-secret"));
  $("check-url").addEventListener("input", runCheck);
  $("check-secret").addEventListener("input", runCheck);
  $("check-form").addEventListener("submit", (event) => {
    event.preventDefault();
    runCheck();
  });
  $("check-from-build").addEventListener("click", () => {
    update();
    if (!signed) {
      selectTab($("tab-build"), true);
      return;
    }
    $("check-url").value = signed.url;
    if (!$("check-secret").value) $("check-secret").value = $("serverSecret").value;
    runCheck();
  });
  runCheck();
}

function runCheck() {
  const out = $("check-result");
  const url = $("check-url").value.trim();
  const secret = $("check-secret").value;
  if (!url) {
    out.replaceChildren(h("p", {
      class: "empty", text: "Paste a signed URL above to see each parameter checked.",
    }));
    return;
  }
  let verdict;
  try {
    verdict = zego.verifySignedUrl(url, secret);
  } catch (error) {
    out.replaceChildren(h("p", { class: "banner banner-bad", text: plainMessage(error) }));
    return;
  }

  // Without the secret the signature cannot be judged; say so rather than "wrong".
  const unchecked = !secret;
  const problems = verdict.problems.filter((p) =>
    !(unchecked && p.param === "Signature" && p.message.startsWith("does not match")));

  const rows = verdict.params.map((p) => ({ ...p, problems: [], present: true }));
  for (const problem of problems) {
    const same = rows.filter((r) => r.name === problem.param);
    const row = same.find((r) => problem.message.includes(JSON.stringify(r.value))) ?? same[0];
    // The library words some findings as a predicate of the key ("is 3601 s in the
    // past"); give them their subject so that they read on their own.
    const message = /^(is|does|appears|looks) /.test(problem.message)
      ? `${problem.param} ${problem.message}` : problem.message;
    if (row) row.problems.push(message);
    else rows.push({ name: problem.param, value: "", problems: [message], whole: true });
  }

  const count = problems.length;
  const who = [verdict.action, verdict.appId && `AppId ${verdict.appId}`]
    .filter(Boolean).join(" for ");
  let banner;
  if (count) {
    banner = h("div", { class: "banner banner-bad" },
      h("strong", { text: `${count} ${count === 1 ? "problem" : "problems"} found. ` }),
      "Each is shown beside its parameter. Most would make the service refuse the URL; " +
      "a few, such as a # fragment or an unencoded +, are cautions it may let pass.");
  } else if (unchecked) {
    banner = h("div", { class: "banner banner-note" },
      h("strong", { text: "Well formed. " }),
      "Enter the ServerSecret to check the signature too.");
  } else {
    banner = h("div", { class: "banner banner-good", id: "check-valid" },
      h("strong", { text: "Valid. " }),
      `${who ? `${who}: ` : ""}the signature matches this secret, the timestamp is ` +
      "within the service's ten minutes and every parameter is well formed.");
  }

  const table = h("table", { class: "data check-table" },
    h("caption", { text: "Decoded parameters, in order" }),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col", text: "Parameter" }),
      h("th", { scope: "col", text: "Value" }),
      h("th", { scope: "col", text: "Check" }))),
    h("tbody", {}, rows.map((row) => checkRow(row, unchecked))));
  out.replaceChildren(banner, h("div", { class: "table-scroll" }, table));
}

function checkRow(row, unchecked) {
  const bad = row.problems.length > 0;
  const value = row.present ? row.value : "";
  let note = null;
  if (row.name === "Timestamp" && /^\d{9,11}$/.test(row.value)) {
    note = `${localTime(Number(row.value) * 1000)} local`;
  }
  let verdict;
  if (bad) {
    verdict = h("ul", { class: "problems" }, row.problems.map((m) => h("li", { text: m })));
  } else if (row.name === "Signature" && unchecked) {
    verdict = h("span", { class: "muted", text: "Not checked without the secret" });
  } else {
    verdict = h("span", { class: "ok", text: "OK" });
  }
  return h("tr", { class: bad ? "row-bad" : null, "data-param": row.name },
    h("th", { scope: "row" }, h("code", { text: row.name || "(empty key)" })),
    h("td", { class: "value" },
      row.present ? h("code", { text: value === "" ? "(empty)" : value })
        : h("span", {
          class: "muted", text: row.name === "url" ? "(the whole URL)" : "(missing)",
        }),
      note && h("span", { class: "value-note", text: note })),
    h("td", {}, verdict));
}

// ---------------------------------------------------------------------------------------
// Query

function setUpQuery() {
  $("query-send").addEventListener("click", send);
  $("query-edit").addEventListener("click", () => selectTab($("tab-build"), true));
  $("query-result").replaceChildren(h("p", {
    class: "empty",
    text: "Send the request built in Build; the answer appears here as a chart and a table.",
  }));
}

/** The request the Query view would send, described; re-signs in Build. */
function showSummary() {
  update();
  const action = currentAction();
  const list = $("query-summary");
  const options = clientOptions();
  const server = options.endpoint ?? `https://${
    REGIONS.find(([key]) => key === (options.region ?? ""))[2]}/`;
  const items = [["Action", action.name], ["AppId", String(options.appId ?? "—")],
    ["Server", server]];
  const params = fields.params();
  for (const spec of action.params) {
    const v = params[spec.name];
    if (v === undefined) continue;
    const shown = Array.isArray(v) ? v.join(", ") || "—"
      : spec.type === "ms" ? `${v} (${localTime(v)})` : String(v);
    items.push([spec.wire, shown]);
  }
  list.replaceChildren(...items.map(([k, v]) =>
    h("div", { class: k === "Server" ? "wide" : null },
      h("dt", { text: k }), h("dd", { text: v }))));
  $("query-send").setAttribute("aria-disabled", String(!signed));
  const status = $("query-status");
  if (!signed) {
    status.className = "status-line status-bad";
    status.textContent = "The request in Build has a problem; fix it there first.";
    status.dataset.blocked = "yes";
  } else if (status.dataset.blocked) {
    status.className = "status-line";
    status.textContent = "";
    delete status.dataset.blocked;
  }
}

async function send() {
  if (busy) return;
  showSummary();
  if (!signed) return;
  const action = currentAction();
  const params = fields.params();
  const status = $("query-status");
  const out = $("query-result");
  let client;
  try {
    client = makeClient();
  } catch (error) {
    out.replaceChildren(errorCard(error));
    return;
  }
  busy = true;
  chart?.destroy();
  chart = null;
  out.replaceChildren(h("p", { class: "empty", text: "Waiting for the answer…" }));
  out.setAttribute("aria-busy", "true");
  $("query-send").setAttribute("aria-disabled", "true");
  delete status.dataset.blocked;
  status.className = "status-line";
  status.textContent = `Sending ${action.name} to ${client.baseUrl} …`;
  const started = performance.now();
  const appId = client.appId;
  let result;
  try {
    result = await client[action.method](params);
    const took = Math.round(performance.now() - started);
    status.className = "status-line status-good";
    status.textContent = `Answered in ${took} ms · RequestId ${result.requestId}`;
  } catch (error) {
    status.className = "status-line status-bad";
    status.textContent = "The request failed.";
    out.replaceChildren(errorCard(error));
    return;
  } finally {
    client.free();
    busy = false;
    out.removeAttribute("aria-busy");
    $("query-send").setAttribute("aria-disabled", "false");
  }
  // The request worked: whatever goes wrong in showing the answer is the page's fault.
  try {
    showResult(action, appId, result);
  } catch (error) {
    out.replaceChildren(h("div", { class: "card", role: "alert", id: "query-show-error" },
      h("h2", { class: "card-title", text: "The answer could not be shown" }),
      h("p", { text: `The service answered, but this page could not lay the answer out: ${
        plainMessage(error)}` })));
  }
}

function errorCard(error) {
  const rows = [["Kind", error?.kind ?? "unknown"]];
  if (error?.code !== undefined) rows.push(["Code", String(error.code)]);
  if (error?.httpStatus !== undefined) rows.push(["HTTP status", String(error.httpStatus)]);
  rows.push(["Message", plainMessage(error)]);
  rows.push(["Request id", error?.requestId ?? "none (no answer carried one)"]);
  if (error?.bodyExcerpt) rows.push(["Body", error.bodyExcerpt]);
  return h("div", { class: "card card-error", role: "alert", id: "query-error" },
    h("h2", { class: "card-title", text: "The request failed" }),
    h("p", { class: "muted", text: KIND_NOTES[error?.kind] ?? "" }),
    h("dl", { class: "facts" }, rows.map(([k, v]) =>
      h("div", { "data-fact": k.toLowerCase().replaceAll(" ", "-") },
        h("dt", { text: k }), h("dd", {}, h("code", { text: v }))))),
    error?.retryable ? h("p", { class: "hint", text: "Sending again later may work." }) : null);
}

function showResult(action, appId, result) {
  const model = resultModel(result);
  const out = $("query-result");
  chart?.destroy();
  chart = null;

  const chartCard = h("section", { class: "card", "aria-labelledby": "chart-title" },
    h("div", { class: "card-head" },
      h("h2", { class: "card-title", id: "chart-title", text: "Chart" })),
    h("p", { class: "chart-caption", text: model.span }));
  const chartHost = h("div", { class: "chart-host" });
  const draw = (series, title) => {
    chart?.destroy();
    chart = null;
    if (!series.some((s) => s.points.length)) {
      chartHost.replaceChildren(h("p", {
        class: "empty", text: "The answer holds no data points for this range.",
      }));
      return;
    }
    if (!series.some((s) => s.points.some(([, y]) => Number.isFinite(y)))) {
      chartHost.replaceChildren(h("p", {
        class: "empty", text: "Every value in the answer is empty (null), so there is no line.",
      }));
      return;
    }
    try {
      chart = new LineChart({ series, xKind: model.xKind, title });
      chartHost.replaceChildren(chart.element);
      chart.draw();
    } catch (error) {
      // The table below still holds every value.
      chart?.destroy();
      chart = null;
      chartHost.replaceChildren(h("p", {
        class: "empty", text: `The chart could not be drawn: ${plainMessage(error)}`,
      }));
    }
  };
  const title = `${action.name} for AppId ${appId}`;
  if (model.choices?.length) {
    const pick = h("select", { id: "chart-field" },
      model.choices.map((c) => h("option", { value: c.key, text: c.label })));
    pick.addEventListener("change", () =>
      draw(model.seriesFor(pick.value), `${title}: ${pick.selectedOptions[0].text}`));
    chartCard.querySelector(".card-head").append(h("div", { class: "inline-field" },
      h("label", { for: "chart-field", text: "Value" }), pick));
    chartCard.append(chartHost);
    out.replaceChildren(chartCard, tableCard(action, appId, model));
    draw(model.seriesFor(pick.value), `${title}: ${pick.selectedOptions[0].text}`);
    return;
  }
  if (!model.series.length && model.points) {
    // Only text came back (GetStreamBaseInfo): a table says it all.
    const table = tableCard(action, appId, model);
    table.querySelector(".card-head").after(h("p", { class: "chart-caption",
      text: `${model.span} These values are text, so there is no chart.` }));
    out.replaceChildren(table);
    return;
  }
  chartCard.append(chartHost);
  if (model.textMetrics.length && model.series.length) {
    chartCard.append(h("p", { class: "hint",
      text: `${model.textMetrics.join(", ")}: text values, shown in the table only.` }));
  }
  out.replaceChildren(chartCard, tableCard(action, appId, model));
  draw(model.series, title);
}

function tableCard(action, appId, model) {
  const shown = model.rows.slice(0, TABLE_ROWS);
  const unit = model.xKind === "date" ? "day" : "row";
  const caption = `${model.rows.length} ${unit}${model.rows.length === 1 ? "" : "s"}` +
    (model.rows.length > TABLE_ROWS ? `, the first ${TABLE_ROWS} shown (the CSV has all)` : "");
  const table = h("table", { class: "data", id: "result-table" },
    h("caption", { text: caption }),
    h("thead", {}, h("tr", {}, model.columns.map((c) =>
      h("th", { scope: "col", class: c.numeric ? "num" : null, text: c.label })))),
    h("tbody", {}, shown.map((row) => h("tr", {}, row.map((cell, i) => i === 0
      ? h("th", { scope: "row", text: String(cell) })
      : h("td", { class: model.columns[i].numeric ? "num" : null, text: formatNumber(cell) }))))));
  const first = model.csvRows[0]?.[0] ?? "";
  const last = model.csvRows.at(-1)?.[0] ?? "";
  const name = `${action.name}-${appId}-${first}-${last}.csv`.replace(/[^\w.-]+/g, "_");
  const button = h("button", {
    type: "button", class: "btn", id: "download-csv",
    onclick: () => download(name, toCsv(model.csvHeader, model.csvRows)),
  }, "Download CSV");
  return h("section", { class: "card", "aria-labelledby": "table-title" },
    h("div", { class: "card-head" },
      h("h2", { class: "card-title", id: "table-title", text: "Table" }), button),
    h("div", { class: "table-scroll table-tall", tabindex: 0, role: "region",
      "aria-label": "Result table (scrolls)" }, table));
}
