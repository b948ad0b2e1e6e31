#!/usr/bin/env node
// Runs the conformance suite (tests/conformance/suite.mjs) in every JavaScript runtime the
// package supports, on the packed tarball, and prints one line per runtime,
//
//     deno-npm: 34 passed, 0 failed (deno 2.9.6)
//
// then a total line. Exits 1 when anything failed or did not run.
//
// Usage: node tests/runtimes/run.mjs [RUNTIME...]    (default: every runtime)
// Runtimes: node-esm node-cjs deno-npm deno-node-modules deno-path bun-esm bun-cjs workerd
// chromium-bundle chromium-module.
// Needs: pkg/ (make pkg), the root devDependencies, and Chromium: $CHROMIUM, else
// `chromium` on PATH. `make test-runtimes` sees to all three.
//
// The package is installed the way users get it: `npm pack`, then unpacked into a scratch
// project under target/runtimes/ (and, for Deno's default mode, served by a one-package npm
// registry). Each runtime gets its own emulator on 127.0.0.1 (rate limits off), started
// and stopped here, so no run can disturb another.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { delimiter, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

import { startEmulator } from "../emulator/server.mjs";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const HERE = join(ROOT, "tests", "runtimes");
const WORK = join(ROOT, "target", "runtimes");
const APP = join(WORK, "app");
const DENO_CACHE = join(APP, "deno-cache"); // Deno without node_modules/
const WWW = join(WORK, "www");
const require = createRequire(join(ROOT, "package.json"));

const CHILD_TIMEOUT_MS = 120_000;
const PAGE_TIMEOUT_MS = 60_000;
const SUMMARY = "conformance-summary ";
const WRANGLER_CONFIG = JSON.parse(readFileSync(join(HERE, "app", "wrangler.json"), "utf8"));
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
];

// Child processes get the project's tools first on PATH, every update check, telemetry and
// crash report turned off, and (in main) an npm registry on 127.0.0.1: nothing they run
// should reach any other host.
const CHILD_ENV = {
  ...process.env,
  PATH: `${join(ROOT, "node_modules", ".bin")}${delimiter}${process.env.PATH ?? ""}`,
  DENO_DIR: join(WORK, "deno-dir"),
  DENO_NO_UPDATE_CHECK: "1",
  DO_NOT_TRACK: "1",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  XDG_CONFIG_HOME: join(WORK, "config"),
  npm_config_update_notifier: "false",
  npm_config_audit: "false",
  npm_config_fund: "false",
};

// ---------------------------------------------------------------------------------------
// Processes and emulators

/** Runs a command; resolves to { code, stdout, stderr }. Killed after CHILD_TIMEOUT_MS. */
function run(command, args, { cwd = APP, env = {} } = {}) {
  return new Promise((done, reject) => {
    const options = { cwd, env: { ...CHILD_ENV, ...env }, stdio: ["ignore", "pipe", "pipe"] };
    const child = spawn(command, args, options);
    const out = [];
    const err = [];
    child.stdout.on("data", (chunk) => out.push(chunk));
    child.stderr.on("data", (chunk) => err.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not start: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({
        code: signal ? `killed by ${signal}` : code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

const tail = (text, lines = 25) => text.trim().split("\n").slice(-lines).join("\n");

async function runChecked(command, args, options) {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const output = tail(`${result.stdout}\n${result.stderr}`);
    throw new Error(`${command} ${args.join(" ")} failed (${result.code}):\n${output}`);
  }
  return result;
}

/** The summary a harness printed, or an error showing what it printed instead. */
function summaryOf({ code, stdout, stderr }) {
  const line = stdout.split("\n").find((l) => l.startsWith(SUMMARY));
  if (line === undefined) {
    const output = tail(`${stdout}\n${stderr}`);
    throw new Error(`the harness printed no summary (exit ${code}):\n${output}`);
  }
  return JSON.parse(line.slice(SUMMARY.length));
}

async function withEmulator(fn) {
  const emu = await startEmulator({ port: 0, rateLimit: false });
  try {
    return await fn(emu.url);
  } finally {
    await emu.close();
  }
}

/** "deno 2.9.6", "bun 1.4.5", "node v20.20.2": a tool's version, short. */
async function version(command, name = command) {
  const { stdout } = await runChecked(command, ["--version"]);
  const line = stdout.trim().split("\n")[0].replace(/\s*\(.*$/, "");
  return line.startsWith(name) ? line : `${name} ${line}`;
}

const packageVersion = (name, from = ROOT) =>
  JSON.parse(readFileSync(createRequire(join(from, "x")).resolve(`${name}/package.json`)))
    .version;

// ---------------------------------------------------------------------------------------
// The scratch project: the harnesses, the suite, and the package from its tarball, both
// installed (node_modules/) and copied in by hand (vendor/)

/** Makes the scratch project; resolves to the path of the packed tarball. */
async function prepare() {
  rmSync(WORK, { recursive: true, force: true });
  const packDir = join(WORK, "pack");
  mkdirSync(packDir, { recursive: true });
  const pack = await runChecked(
    "npm",
    ["pack", "--offline", "--json", "--pack-destination", packDir],
    { cwd: join(ROOT, "pkg") },
  );
  const tarball = join(packDir, JSON.parse(pack.stdout)[0].filename);

  cpSync(join(HERE, "app"), APP, { recursive: true });
  cpSync(join(ROOT, "tests", "conformance", "suite.mjs"), join(APP, "conformance.mjs"));
  for (const file of ["deno-npm.mjs", "conformance.mjs"]) {
    cpSync(join(APP, file), join(DENO_CACHE, file));
  }
  for (const dir of ["node_modules/zego-analytics", "vendor/zego-analytics"]) {
    mkdirSync(join(APP, dir), { recursive: true });
    await runChecked("tar", ["-xzf", tarball, "-C", join(APP, dir), "--strip-components=1"]);
  }
  return tarball;
}

// ---------------------------------------------------------------------------------------
// The runtimes; each resolves to { summary, version } or throws

/** A harness run as a program, with the emulator's URL as its argument. */
async function program(command, args, { name = command, ...options } = {}) {
  const v = await version(command, name);
  const summary = await withEmulator(async (url) =>
    summaryOf(await run(command, [...args, url], options)));
  return { summary, version: v };
}

// No --allow-read: loading the package must not need it.
const DENO = ["run", "--no-prompt", "--no-lock", "--allow-net=127.0.0.1"];

/**
 * An npm registry on 127.0.0.1 that holds just the packed package, for Deno's default mode
 * (`npm:` packages downloaded into its own cache). Every other name is 404, so a tool's
 * look-up of its own latest version fails here instead of going out.
 */
function startRegistry(tarball) {
  const bytes = readFileSync(tarball);
  const manifest = JSON.parse(
    readFileSync(join(APP, "node_modules", "zego-analytics", "package.json"), "utf8"),
  );
  const digest = (algorithm, encoding) => createHash(algorithm).update(bytes).digest(encoding);
  const misses = [];
  const started = serveHttp((req, res, base) => {
    const tgz = `${manifest.name}/-/${manifest.name}-${manifest.version}.tgz`;
    if (req.url === `/${manifest.name}`) {
      const dist = {
        tarball: `${base}${tgz}`,
        shasum: digest("sha1", "hex"),
        integrity: `sha512-${digest("sha512", "base64")}`,
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({
        name: manifest.name,
        "dist-tags": { latest: manifest.version },
        versions: { [manifest.version]: { ...manifest, dist } },
      }));
    } else if (req.url === `/${tgz}`) {
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(bytes);
    } else {
      misses.push(req.url);
      res.writeHead(404).end();
    }
  });
  return started.then((server) => ({ ...server, misses }));
}

const check = (name, ok) => ({ name, ok });

/** The bundle wrangler makes for deployment, checked, then run in workerd by Miniflare. */
async function workerd(checks) {
  const outdir = join(APP, "worker-dist");
  await runChecked("wrangler", ["deploy", "--dry-run", "--outdir", outdir]);
  const files = readdirSync(outdir);
  const script = files.find((f) => f.endsWith(".js"));
  const wasm = files.filter((f) => f.endsWith(".wasm"));
  const code = readFileSync(join(outdir, script), "utf8");
  checks.push(check("workerd bundle: no node: imports", !/["']node:/.test(code)));
  checks.push(check(
    "workerd bundle: one .wasm, imported as a module",
    wasm.length === 1 && code.includes(`from "./${wasm[0]}"`),
  ));

  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(outdir, script),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: WRANGLER_CONFIG.compatibility_date,
    cf: false, // true, the default, downloads Cloudflare's request.cf data
  });
  try {
    const summary = await withEmulator(async (url) => {
      const response = await mf.dispatchFetch(
        `http://worker.test/?emulator=${encodeURIComponent(url)}`,
      );
      const text = await response.text();
      if (response.status !== 200) {
        throw new Error(`the worker answered ${response.status}:\n${tail(text)}`);
      }
      return JSON.parse(text);
    });
    const miniflareDir = join(require.resolve("miniflare"), "..");
    const versions = `workerd ${packageVersion("workerd", miniflareDir)}, ` +
      `wrangler ${packageVersion("wrangler")}`;
    return { summary, version: versions };
  } finally {
    await mf.dispose();
  }
}

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/** An HTTP server on 127.0.0.1; `handle(req, res, baseUrl)` answers each request. */
function serveHttp(handle) {
  const server = http.createServer((req, res) => handle(req, res, url));
  let url;
  return new Promise((done) => {
    server.listen(0, "127.0.0.1", () => {
      url = `http://127.0.0.1:${server.address().port}/`;
      done({
        url,
        close: () => new Promise((closed) => {
          server.close(() => closed());
          server.closeAllConnections();
        }),
      });
    });
  });
}

/** A static file server for `root`. */
function serve(root) {
  return serveHttp((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, "http://host").pathname);
    const path = normalize(join(root, pathname));
    if (!path.startsWith(root + sep) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
    res.end(readFileSync(path));
  });
}

/**
 * The two pages: page.mjs bundled by esbuild (the .wasm copied beside the bundle, as the
 * README tells esbuild users to do), and page.mjs as a plain module with an import map.
 */
async function buildPages(checks) {
  const pkg = join(APP, "node_modules", "zego-analytics");
  const bundled = join(WWW, "bundle");
  mkdirSync(bundled, { recursive: true });
  const esbuild = await import("esbuild");
  await esbuild.build({
    absWorkingDir: APP,
    entryPoints: ["page.mjs"],
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile: join(bundled, "bundle.js"),
    logLevel: "error",
  });
  cpSync(join(pkg, "zego_analytics_bg.wasm"), join(bundled, "zego_analytics_bg.wasm"));
  cpSync(join(APP, "index-bundle.html"), join(bundled, "index.html"));
  const code = readFileSync(join(bundled, "bundle.js"), "utf8");
  checks.push(check("esbuild bundle: no node: imports", !/["']node:/.test(code)));

  const plain = join(WWW, "module");
  mkdirSync(plain, { recursive: true });
  cpSync(join(APP, "index-module.html"), join(plain, "index.html"));
  cpSync(join(APP, "page.mjs"), join(plain, "page.mjs"));
  cpSync(join(APP, "conformance.mjs"), join(plain, "conformance.mjs"));
  cpSync(pkg, join(plain, "zego-analytics"), { recursive: true });
  return esbuild.version;
}

/** Where Chromium is: $CHROMIUM, else `chromium` on PATH. */
function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) {
      if (dir && existsSync(join(dir, name))) return join(dir, name);
    }
  }
  throw new Error("no Chromium: install Debian's chromium or set CHROMIUM");
}

/** Chromium and the page server, started once for both pages, when first needed. */
function browserSession(checks) {
  let started;
  let site;
  let browser;
  const session = () => {
    started ??= (async () => {
      const esbuildVersion = await buildPages(checks);
      site = await serve(WWW);
      const { chromium } = await import("playwright-core");
      browser = await chromium.launch({
        executablePath: chromiumPath(),
        args: CHROMIUM_ARGS,
        headless: true,
      });
      return { browser, site, esbuildVersion };
    })();
    return started;
  };
  // Also after a failed start: whatever did start is stopped.
  session.close = async () => {
    await started?.catch(() => {});
    await browser?.close();
    await site?.close();
  };
  return session;
}

async function chromium(page, session) {
  const { browser, site, esbuildVersion } = await session();
  const tab = await browser.newPage();
  const problems = [];
  tab.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  tab.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  try {
    const summary = await withEmulator(async (url) => {
      await tab.goto(`${site.url}${page}/index.html?emulator=${encodeURIComponent(url)}`);
      try {
        await tab.waitForFunction(() => window.conformance !== undefined, null, {
          timeout: PAGE_TIMEOUT_MS,
        });
      } catch {
        throw new Error(`the page did not finish:\n${problems.join("\n") || "(no errors)"}`);
      }
      return tab.evaluate(() => window.conformance);
    });
    const tools = page === "bundle" ? `, esbuild ${esbuildVersion}` : "";
    return { summary, version: `chromium ${browser.version()}${tools}` };
  } finally {
    await tab.close();
  }
}

// ---------------------------------------------------------------------------------------

async function main() {
  const checks = [];
  const browser = browserSession(checks);
  const runtimes = {
    "node-esm": () => program(process.execPath, ["node.mjs"], { name: "node" }),
    "node-cjs": () => program(process.execPath, ["node.cjs"], { name: "node" }),
    "deno-npm": () => program("deno", [...DENO, "deno-npm.mjs"], { cwd: DENO_CACHE }),
    "deno-node-modules": () => program("deno", [...DENO, "--cached-only", "deno-npm.mjs"]),
    "deno-path": () => program("deno", [...DENO, "--cached-only", "deno-path.mjs"]),
    "bun-esm": () => program("bun", ["--no-install", "node.mjs"]),
    "bun-cjs": () => program("bun", ["--no-install", "node.cjs"]),
    workerd: () => workerd(checks),
    "chromium-bundle": () => chromium("bundle", browser),
    "chromium-module": () => chromium("module", browser),
  };
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !Object.hasOwn(runtimes, name));
  if (unknown.length > 0) {
    console.error(`unknown runtime ${unknown.join(", ")}; known: ${Object.keys(runtimes)}`);
    process.exit(2);
  }

  const registry = await startRegistry(await prepare());
  CHILD_ENV.NPM_CONFIG_REGISTRY = registry.url;
  CHILD_ENV.npm_config_registry = registry.url;
  let passed = 0;
  let failed = 0;
  try {
    for (const [name, start] of Object.entries(runtimes)) {
      if (wanted.length > 0 && !wanted.includes(name)) continue;
      try {
        const { summary, version: v } = await start();
        passed += summary.passed;
        failed += summary.failed;
        console.log(`${name}: ${summary.passed} passed, ${summary.failed} failed (${v})`);
        for (const r of summary.results.filter((r) => !r.ok)) {
          console.log(`    FAIL ${r.name}: ${r.error}`);
        }
      } catch (err) {
        failed += 1;
        console.log(`${name}: did not run: ${err.message.replaceAll("\n", "\n    ")}`);
      }
    }
  } finally {
    await browser.close();
    await registry.close();
  }
  if (registry.misses.length > 0) {
    console.log(`(the local npm registry was asked for ${registry.misses.join(", ")})`);
  }

  if (checks.length > 0) {
    const ok = checks.filter((c) => c.ok).length;
    passed += ok;
    failed += checks.length - ok;
    console.log(`bundle checks: ${ok} passed, ${checks.length - ok} failed`);
    for (const c of checks.filter((c) => !c.ok)) console.log(`    FAIL ${c.name}`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

await main();
