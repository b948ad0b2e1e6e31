// Serves the built demo page (www/dist/) on 127.0.0.1 together with the emulator of
// the service, in one process, so the page works with no account and no network.
//
//   node www/serve.mjs [--port N] [--emulator-port N] [--quiet]
//
// Ctrl-C stops both. Only Node's standard library is used.

import http from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

import { DEMO_APP, startEmulator } from "../tests/emulator/server.mjs";
import { DIST, configSource } from "./build.mjs";

const HOST = "127.0.0.1";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
};
const HEADERS = {
  "Cache-Control": "no-cache",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "frame-ancestors 'none'",
};

/**
 * Starts the emulator (rate limits off) and the page server. Options: `port` and
 * `emulatorPort` (0 for any free port), `apps` (extra emulator apps, "ID:SECRET"),
 * `log` (a function taking one line). Resolves to `{ url, emulator, close }`.
 */
export async function startPage({ port = 0, emulatorPort = 0, apps = [], log = null } = {}) {
  const emulator = await startEmulator({ port: emulatorPort, apps, rateLimit: false, log });
  // The demo app's credentials are public (the emulator documents them); the page
  // offers them as a shortcut when it talks to the emulator.
  const config = configSource({ emulator: { url: emulator.url, ...DEMO_APP } });
  const server = http.createServer((req, res) => {
    serve(req, res, config).catch((error) => {
      log?.(`page server error: ${error.message}`);
      if (!res.headersSent) res.writeHead(500, HEADERS);
      res.end();
    });
  });
  try {
    await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, HOST, resolve);
    });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const url = `http://${HOST}:${server.address().port}/`;
  const close = async () => {
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await emulator.close();
  };
  return { url, emulator, close };
}

async function serve(req, res, config) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { ...HEADERS, Allow: "GET, HEAD" });
    res.end();
    return;
  }
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, "http://page/").pathname);
  } catch {
    return notFound(res);
  }
  if (path === "/") path = "/index.html";
  const name = path.slice(1);
  // The page is one flat folder: anything with a slash or a dot-dot is not in it.
  if (!/^[\w.-]+$/.test(name) || name.startsWith(".")) return notFound(res);
  const type = TYPES[name.slice(name.lastIndexOf("."))];
  if (!type) return notFound(res);

  let body;
  if (name === "config.js") {
    body = Buffer.from(config);
  } else {
    try {
      body = await readFile(new URL(name, DIST));
    } catch (error) {
      if (error.code === "ENOENT") return notFound(res);
      throw error;
    }
  }
  const headers = { ...HEADERS, "Content-Type": type, Vary: "Accept-Encoding" };
  if (/\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) {
    body = gzipSync(body);
    headers["Content-Encoding"] = "gzip";
  }
  headers["Content-Length"] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

function notFound(res) {
  res.writeHead(404, { ...HEADERS, "Content-Type": "text/plain; charset=utf-8" });
  res.end("not found\n");
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8787" },
      "emulator-port": { type: "string", default: "8788" },
      quiet: { type: "boolean", default: false },
    },
  });
  const log = values.quiet ? null : (line) => process.stderr.write(`emulator: ${line}\n`);
  let page;
  try {
    page = await startPage({
      port: Number(values.port), emulatorPort: Number(values["emulator-port"]), log,
    });
  } catch (error) {
    const hint = error.code === "EADDRINUSE"
      ? "; choose free ports, e.g. make www WWW_PORT=9787 WWW_EMULATOR_PORT=9788"
      : "";
    console.error(`www/serve.mjs: ${error.message}${hint}`);
    process.exit(1);
  }
  console.log(`Demo page:  ${page.url}`);
  console.log(`Emulator:   ${page.emulator.url} (rate limits off; demo AppId ` +
    `${DEMO_APP.appId}, its secret is in tests/emulator/README.md)`);
  console.log("Open the page in a browser. Ctrl-C stops both.");

  const stop = async () => {
    await page.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
