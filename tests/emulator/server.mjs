#!/usr/bin/env node
// A local emulator of the ZEGO Analytics Dashboard server API, for tests and demos.
//
// It answers the eight actions the way the service documents them: the gateway's checks and
// codes, the per-app rate limits, strict parameter checks and deterministic synthetic data.
// It binds to 127.0.0.1 only and needs nothing outside Node's standard library. It is an
// implementation of its own: it never loads the package it is used to test.
//
// Usage: node tests/emulator/server.mjs [--port N] [--app ID:SECRET]... [--no-rate-limit]
//        [--clock-offset-ms=MS] [--quiet]
// Import: const emu = await startEmulator({ port: 0 }); ...; await emu.close();

import { realpathSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { ACTIONS } from './actions.mjs';
import { ApiError, CODES } from './errors.mjs';
import { FaultQueue, defaultMessage, proxyPage } from './faults.mjs';
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
// Fault bodies can be large on purpose (deeply nested JSON, say).
const MAX_FAULTS_BODY = 16 * 1024 * 1024;
// About a hundred years either way: far enough for any test, near enough for a valid Date.
const MAX_CLOCK_OFFSET_MS = 100 * 366 * 86_400_000;
const JSON_TYPE = 'application/json; charset=utf-8';

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
    'Content-Type': JSON_TYPE,
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

function readBody(req, limit = MAX_CONTROL_BODY) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
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
  constructor(options = {}) {
    const { apps = [], rateLimit = true, clockOffsetMs = 0, now = Date.now, log = null } =
      options;
    const offsetProblem = checkClockOffset(clockOffsetMs);
    if (offsetProblem !== null) throw new TypeError(offsetProblem);

    this.clock = now;
    this.log = log;
    this.ids = requestIds(now());
    this.limiter = new RateLimiter();
    this.timers = new Set();
    this.state = {
      apps: appTable(apps),
      config: { rateLimit: Boolean(rateLimit), clockOffsetMs },
      requests: [],
      faults: new FaultQueue(),
      reset: () => {
        this.state.requests.length = 0;
        this.state.faults.clear();
        this.limiter.reset();
      },
    };
  }

  /** The emulator's clock in Unix ms: the given clock shifted by `clockOffsetMs`. */
  now() {
    return this.clock() + this.state.config.clockOffsetMs;
  }

  /** Stops the timers of slow answers still being written. */
  stop() {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  handle(req, res) {
    // The Date header tells the emulator's clock, skewed or not, as a server's would.
    res.setHeader('Date', new Date(this.now()).toUTCString());
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

  /** One call of the service API, or the scripted fault it takes. */
  api(req, res, rawQuery, cors) {
    const taken = this.state.faults.take();
    // A `pass` entry only holds a place in the queue: the request is answered normally.
    const fault = taken?.kind === 'pass' ? null : taken;
    const record = {
      ...peekCommon(rawQuery),
      query: rawQuery,
      method: req.method,
      at: this.clock(),
      fault: fault?.kind ?? null,
    };
    this.state.requests.push(record);
    if (fault !== null) {
      this.log?.(`${req.method} ${record.action ?? '-'} app=${record.appId ?? '-'} -> ` +
        `fault ${fault.kind}`);
      this.fault(fault, { req, res, rawQuery, cors, record });
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: 'the service API takes GET' }, { ...cors, Allow: 'GET' });
      return;
    }

    const { code, body } = this.answer(rawQuery);
    this.log?.(`GET ${record.action ?? '-'} app=${record.appId ?? '-'} -> ${code}`);
    send(res, 200, body, cors);
  }

  /** The envelope the service would answer a query with: `{ code, body }`. */
  answer(rawQuery) {
    const requestId = this.ids.next().value;
    try {
      return { code: CODES.SUCCESS, body: envelope(0, 'success', requestId, this.data(rawQuery)) };
    } catch (err) {
      if (!(err instanceof ApiError)) {
        this.log?.(`emulator bug: ${err.stack}`);
      }
      const known = err instanceof ApiError;
      const code = known ? err.code : CODES.SERVER;
      return { code, body: envelope(code, known ? err.message : 'internal error', requestId) };
    }
  }

  /** The Data of a successful call, or throws the ApiError to answer with. */
  data(rawQuery) {
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

  /** Answers with a scripted fault instead of the service's answer. */
  fault(fault, { req, res, rawQuery, cors, record }) {
    switch (fault.kind) {
      case 'code': {
        const message = fault.message ?? defaultMessage(fault.code);
        send(res, 200, envelope(fault.code, message, this.ids.next().value), cors);
        break;
      }
      case 'http':
        send(res, fault.status, fault.body ?? proxyPage(fault.status), {
          ...cors,
          'Content-Type': fault.contentType ?? 'text/html; charset=utf-8',
        });
        break;
      case 'hang':
        // No answer at all; the socket closes when the client gives up or the emulator stops.
        break;
      case 'drop':
        req.socket.destroy();
        break;
      case 'truncate': {
        const full = Buffer.from(this.answer(rawQuery).body);
        res.writeHead(200, { ...cors, 'Content-Type': JSON_TYPE, 'Content-Length': full.length });
        res.write(full.subarray(0, Math.floor(full.length / 2)), () => res.socket?.end());
        break;
      }
      case 'oversize':
        this.oversize(res, fault, cors, record);
        break;
      case 'slow':
        this.slow(res, Buffer.from(this.answer(rawQuery).body), fault.delayMs, cors);
        break;
      case 'body':
        send(res, fault.status ?? 200, fault.body, cors);
        break;
      case 'bytes':
        send(res, fault.status ?? 200, Buffer.from(fault.base64, 'base64'), cors);
        break;
      default:
        throw new Error(`emulator bug: unknown fault kind ${fault.kind}`);
    }
  }

  /**
   * A valid envelope padded with spaces to exactly `fault.bytes`, written as the client reads
   * it; `record.sentBytes` counts what was handed to the socket, so a test can see that a
   * client stopped reading.
   */
  oversize(res, fault, cors, record) {
    const total = fault.bytes;
    const head = Buffer.from(envelope(0, 'success', this.ids.next().value, {}));
    const padding = Buffer.alloc(64 * 1024, 0x20);
    const headers = { ...cors, 'Content-Type': JSON_TYPE };
    if (!fault.chunked) headers['Content-Length'] = total;
    res.writeHead(200, headers);

    record.sentBytes = 0;
    const pump = () => {
      while (record.sentBytes < total) {
        const sent = record.sentBytes;
        const chunk = sent < head.length
          ? head.subarray(sent, Math.min(head.length, total))
          : padding.subarray(0, Math.min(padding.length, total - sent));
        record.sentBytes += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.once('close', () => res.off('drain', pump));
    pump();
  }

  /** Headers at once, then the body in pieces spread evenly over `delayMs`. */
  slow(res, body, delayMs, cors) {
    res.writeHead(200, { ...cors, 'Content-Type': JSON_TYPE, 'Content-Length': body.length });
    res.flushHeaders();

    const pieces = Math.max(1, Math.min(20, body.length));
    let index = 0;
    let timer = null;
    const next = () => {
      this.timers.delete(timer);
      const start = Math.floor((index * body.length) / pieces);
      index += 1;
      const piece = body.subarray(start, Math.floor((index * body.length) / pieces));
      if (index === pieces) {
        res.end(piece);
      } else {
        res.write(piece);
        schedule();
      }
    };
    const schedule = () => {
      timer = setTimeout(next, delayMs / pieces);
      this.timers.add(timer);
    };
    res.once('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
    schedule();
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
    } else if (route === 'GET faults') {
      sendJson(res, 200, { pending: this.state.faults.list() }, cors);
    } else if (route === 'POST faults') {
      const problem = await this.addFaults(req);
      if (problem === null) {
        sendJson(res, 200, { queued: this.state.faults.size }, cors);
      } else {
        sendJson(res, 400, { error: problem }, cors);
      }
    } else if (route === 'DELETE faults') {
      this.state.faults.clear();
      sendJson(res, 200, { queued: 0 }, cors);
    } else if (['requests', 'reset', 'config', 'faults'].includes(name)) {
      sendJson(res, 405, { error: `${req.method} is not allowed here` }, cors);
    } else {
      sendJson(res, 404, { error: 'not found' }, cors);
    }
  }

  /** Reads a JSON object body; returns it, or a string saying what is wrong. */
  async objectBody(req, limit) {
    let value;
    try {
      value = JSON.parse(await readBody(req, limit));
    } catch {
      return 'body must be a JSON object';
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return 'body must be a JSON object';
    }
    return value;
  }

  /** Applies a config body; returns null or what is wrong with it. */
  async configure(req) {
    const patch = await this.objectBody(req);
    if (typeof patch === 'string') return patch;
    const unknown = Object.keys(patch).filter((key) => !CONFIG_KEYS.includes(key));
    if (unknown.length > 0) return `unknown config key ${unknown[0]}`;
    if ('rateLimit' in patch && typeof patch.rateLimit !== 'boolean') {
      return 'rateLimit must be true or false';
    }
    if ('clockOffsetMs' in patch) {
      const problem = checkClockOffset(patch.clockOffsetMs);
      if (problem !== null) return problem;
    }
    Object.assign(this.state.config, patch);
    return null;
  }

  /** Queues the faults of a `{ "faults": [...] }` body; returns null or what is wrong. */
  async addFaults(req) {
    const body = await this.objectBody(req, MAX_FAULTS_BODY);
    if (typeof body === 'string') return body;
    const unknown = Object.keys(body).filter((key) => key !== 'faults');
    if (unknown.length > 0) return `unknown key ${unknown[0]}`;
    try {
      this.state.faults.add(body.faults);
    } catch (err) {
      if (!(err instanceof TypeError)) throw err;
      return err.message;
    }
    return null;
  }
}

const CONFIG_KEYS = ['rateLimit', 'clockOffsetMs'];

function checkClockOffset(value) {
  const ok = Number.isInteger(value) && Math.abs(value) <= MAX_CLOCK_OFFSET_MS;
  return ok ? null : 'clockOffsetMs must be an integer number of ms within about 100 years';
}

/**
 * Starts an emulator on 127.0.0.1.
 *
 * Options: `port` (default 0, any free port), `apps` (extra apps besides the demo app, as
 * `{ appId, serverSecret }` or `"ID:SECRET"`), `rateLimit` (default true), `clockOffsetMs`
 * (how far the emulator's clock is off, default 0), `now` (a clock in Unix ms, default
 * `Date.now`), `log` (a function taking one line, default none).
 *
 * Resolves to `{ url, port, close, state }`; `url` ends with `/`, `close()` resolves once the
 * server has stopped (hung and slow answers included), `state` holds the live apps, config,
 * recorded requests and the queue of scripted faults (`state.faults.add([...])`).
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
        emulator.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------
// Command line

const USAGE =
  'usage: node tests/emulator/server.mjs [--port N] [--app ID:SECRET]... ' +
  '[--no-rate-limit] [--clock-offset-ms=MS] [--quiet]';

async function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '0' },
        app: { type: 'string', multiple: true, default: [] },
        'no-rate-limit': { type: 'boolean', default: false },
        'clock-offset-ms': { type: 'string', default: '0' },
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
  const offsetText = values['clock-offset-ms'];
  const clockOffsetMs = /^-?[0-9]{1,13}$/.test(offsetText) ? Number(offsetText) : NaN;
  let apps;
  try {
    if (port < 0 || port > 65535) throw new TypeError('--port must be 0..65535');
    const offsetProblem = checkClockOffset(clockOffsetMs);
    if (offsetProblem !== null) throw new TypeError(`--clock-offset-ms: ${offsetProblem}`);
    apps = values.app.map(parseAppSpec);
  } catch (err) {
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }

  const log = values.quiet ? null : (line) => process.stderr.write(`${line}\n`);
  let emulator;
  try {
    emulator = await startEmulator({
      port,
      apps,
      rateLimit: !values['no-rate-limit'],
      clockOffsetMs,
      log,
    });
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
