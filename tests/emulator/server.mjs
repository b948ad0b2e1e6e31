#!/usr/bin/env node
// A local emulator of the ZEGO Analytics Dashboard server API, for tests and demos.
//
// It answers the eight actions the way the service documents them: the gateway's checks and
// codes, the per-app rate limits, strict parameter checks and deterministic synthetic data.
// It binds to 127.0.0.1 only and needs nothing outside Node's standard library. It is an
// implementation of its own: it never loads the package it is used to test.
//
// Usage: node tests/emulator/server.mjs [--port N] [--app ID:SECRET]... [--no-rate-limit]
//        [--quiet]
// Import: const emu = await startEmulator({ port: 0 }); ...; await emu.close();

import { realpathSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ACTIONS } from './actions.mjs';
import { ApiError, CODES } from './errors.mjs';
import { LIMITS, RateLimiter, checkGateway, parseAppId } from './gateway.mjs';
import { Params, peekCommon } from './query.mjs';

/** The demo app every emulator knows. */
export const DEMO_APP = Object.freeze({
  appId: 1234567890,
  serverSecret: '5c3a9e2b7d1f40e8a6b2c9d0e1f2a3b4',
});

const HOST = '127.0.0.1';
const CONTROL_PREFIX = '/_emulator/';
const MAX_CONTROL_BODY = 64 * 1024;

// RequestIds look like the service's: 19 digits, above 2^53. The step is odd and the ids
// skip multiples of 10 and of 256, so a client that rounds them through a double shows it.
const REQUEST_ID_STEP = 7919n;

function* requestIds(startMs) {
  let id = BigInt(startMs) * 1_000_000n + 1n;
  for (;;) {
    id += REQUEST_ID_STEP;
    while (id % 10n === 0n || id % 256n === 0n) id += 1n;
    yield id.toString();
  }
}

/** Parses `ID:SECRET` into an app entry; throws a TypeError that says what is wrong. */
export function parseAppSpec(spec) {
  const colon = String(spec).indexOf(':');
  const appId = colon < 0 ? null : parseAppId(spec.slice(0, colon));
  const serverSecret = colon < 0 ? '' : spec.slice(colon + 1);
  if (appId === null || !/^\S+$/.test(serverSecret)) {
    throw new TypeError(`app "${spec}" must be written ID:SECRET, ID a uint32`);
  }
  return { appId, serverSecret };
}

function appTable(apps) {
  const table = new Map([[DEMO_APP.appId, DEMO_APP.serverSecret]]);
  for (const app of apps) {
    const { appId, serverSecret } = typeof app === 'string' ? parseAppSpec(app) : app;
    if (parseAppId(String(appId)) === null || typeof serverSecret !== 'string') {
      throw new TypeError('each app needs a uint32 appId and a string serverSecret');
    }
    table.set(appId, serverSecret);
  }
  return table;
}

// ---------------------------------------------------------------------------------------
// Responses

/** The service's envelope, written by hand so RequestId can be a bare 19-digit number. */
function envelope(code, message, requestId, data) {
  const head = `{"Code":${code},"Message":${JSON.stringify(message)},"RequestId":${requestId}`;
  return data === undefined ? `${head}}` : `${head},"Data":${JSON.stringify(data)}}`;
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

function sendJson(res, status, value, headers) {
  send(res, status, JSON.stringify(value), headers);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** CORS headers for a loopback Origin; none for any other origin. */
function corsHeaders(origin) {
  if (typeof origin !== 'string') return {};
  let url;
  try {
    url = new URL(origin);
  } catch {
    return {};
  }
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  if (!web || !LOOPBACK_HOSTS.has(url.hostname)) return {};
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

function isLoopback(address) {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_CONTROL_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------
// The emulator

class Emulator {
  constructor({ apps = [], rateLimit = true, now = Date.now, log = null } = {}) {
    this.now = now;
    this.log = log;
    this.ids = requestIds(now());
    this.limiter = new RateLimiter();
    this.state = {
      apps: appTable(apps),
      config: { rateLimit: Boolean(rateLimit) },
      requests: [],
      reset: () => {
        this.state.requests.length = 0;
        this.limiter.reset();
      },
    };
  }

  handle(req, res) {
    const cors = corsHeaders(req.headers.origin);
    const url = req.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const rawQuery = mark < 0 ? '' : url.slice(mark + 1);

    if (req.method === 'OPTIONS') {
      this.preflight(req, res, cors);
    } else if (path === '/') {
      this.api(req, res, rawQuery, cors);
    } else if (path.startsWith(CONTROL_PREFIX)) {
      this.control(req, res, path.slice(CONTROL_PREFIX.length), cors).catch((err) => {
        sendJson(res, 500, { error: `emulator bug: ${err.message}` }, cors);
      });
    } else {
      sendJson(res, 404, { error: 'not found' }, cors);
    }
  }

  preflight(req, res, cors) {
    if (cors['Access-Control-Allow-Origin'] === undefined) {
      res.writeHead(204);
      res.end();
      return;
    }
    const asked = req.headers['access-control-request-headers'];
    res.writeHead(204, {
      ...cors,
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': /^[\w\s,-]+$/.test(asked ?? '') ? asked : 'Content-Type',
      'Access-Control-Max-Age': '600',
    });
    res.end();
  }

  /** One call of the service API. */
  api(req, res, rawQuery, cors) {
    const record = { ...peekCommon(rawQuery), query: rawQuery, method: req.method };
    this.state.requests.push(record);
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: 'the service API takes GET' }, { ...cors, Allow: 'GET' });
      return;
    }

    const requestId = this.ids.next().value;
    let code = CODES.SUCCESS;
    let body;
    try {
      const data = this.answer(rawQuery);
      body = envelope(code, 'success', requestId, data);
    } catch (err) {
      if (!(err instanceof ApiError)) {
        this.log?.(`emulator bug: ${err.stack}`);
      }
      const known = err instanceof ApiError;
      code = known ? err.code : CODES.SERVER;
      body = envelope(code, known ? err.message : 'internal error', requestId);
    }
    this.log?.(`GET ${record.action ?? '-'} app=${record.appId ?? '-'} -> ${code}`);
    send(res, 200, body, cors);
  }

  /** The Data of a successful call, or throws the ApiError to answer with. */
  answer(rawQuery) {
    const params = Params.parse(rawQuery);
    const nowMs = this.now();
    const actions = new Set(Object.keys(ACTIONS));
    const { action, appId } = checkGateway(params, { apps: this.state.apps, actions, nowMs });

    const { limit, run } = ACTIONS[action];
    if (this.state.config.rateLimit) {
      this.limiter.take(appId, action, LIMITS[limit], nowMs);
    }
    return run(params, { appId, action, nowMs });
  }

  /** The control endpoints; not part of the real service. */
  async control(req, res, name, cors) {
    if (!isLoopback(req.socket.remoteAddress)) {
      sendJson(res, 403, { error: 'control endpoints answer loopback clients only' }, cors);
      return;
    }
    const route = `${req.method} ${name}`;

    if (route === 'GET requests') {
      const { requests } = this.state;
      sendJson(res, 200, { count: requests.length, requests }, cors);
    } else if (route === 'POST reset') {
      this.state.reset();
      sendJson(res, 200, { ok: true }, cors);
    } else if (route === 'GET config') {
      sendJson(res, 200, this.state.config, cors);
    } else if (route === 'POST config') {
      const problem = await this.configure(req);
      if (problem === null) {
        sendJson(res, 200, this.state.config, cors);
      } else {
        sendJson(res, 400, { error: problem }, cors);
      }
    } else if (['requests', 'reset', 'config'].includes(name)) {
      sendJson(res, 405, { error: `${req.method} is not allowed here` }, cors);
    } else {
      sendJson(res, 404, { error: 'not found' }, cors);
    }
  }

  /** Applies a config body; returns null or what is wrong with it. */
  async configure(req) {
    let patch;
    try {
      patch = JSON.parse(await readBody(req));
    } catch {
      return 'body must be a JSON object';
    }
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
      return 'body must be a JSON object';
    }
    const unknown = Object.keys(patch).filter((key) => key !== 'rateLimit');
    if (unknown.length > 0) return `unknown config key ${unknown[0]}`;
    if ('rateLimit' in patch && typeof patch.rateLimit !== 'boolean') {
      return 'rateLimit must be true or false';
    }
    if ('rateLimit' in patch) this.state.config.rateLimit = patch.rateLimit;
    return null;
  }
}

/**
 * Starts an emulator on 127.0.0.1.
 *
 * Options: `port` (default 0, any free port), `apps` (extra apps besides the demo app, as
 * `{ appId, serverSecret }` or `"ID:SECRET"`), `rateLimit` (default true), `now` (a clock in
 * Unix ms, default `Date.now`), `log` (a function taking one line, default none).
 *
 * Resolves to `{ url, port, close, state }`; `url` ends with `/`, `close()` resolves once the
 * server has stopped, `state` holds the live apps, config and recorded requests.
 */
export async function startEmulator(options = {}) {
  const { port = 0, ...rest } = options;
  const emulator = new Emulator(rest);
  const server = http.createServer((req, res) => emulator.handle(req, res));

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const bound = server.address().port;
  return {
    url: `http://${HOST}:${bound}/`,
    port: bound,
    state: emulator.state,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------
// Command line

const USAGE =
  'usage: node tests/emulator/server.mjs [--port N] [--app ID:SECRET]... ' +
  '[--no-rate-limit] [--quiet]';

async function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '0' },
        app: { type: 'string', multiple: true, default: [] },
        'no-rate-limit': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const port = /^[0-9]{1,5}$/.test(values.port) ? Number(values.port) : -1;
  let apps;
  try {
    if (port < 0 || port > 65535) throw new TypeError('--port must be 0..65535');
    apps = values.app.map(parseAppSpec);
  } catch (err) {
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }

  const log = values.quiet ? null : (line) => process.stderr.write(`${line}\n`);
  let emulator;
  try {
    emulator = await startEmulator({ port, apps, rateLimit: !values['no-rate-limit'], log });
  } catch (err) {
    process.stderr.write(`cannot listen on ${HOST}:${port}: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${emulator.url}\n`);
  log?.(`demo app ${DEMO_APP.appId}; rate limits ${values['no-rate-limit'] ? 'off' : 'on'}`);

  const stop = () => {
    emulator.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

function runAsMain() {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (runAsMain()) {
  await main(process.argv.slice(2));
}
