// Scripted faults: the next answers of the emulator, chosen by a test.
//
// A real service behind real proxies sometimes answers with an error code, an HTML page, a
// body cut short or far too long, or nothing at all. A test queues such answers here; each
// request to `/` takes the next one. This is not part of the real service.

/** What every kind of fault takes besides `kind` and `count`, and whether it is required. */
const FIELDS = Object.freeze({
  pass: {},
  code: { code: true, message: false },
  http: { status: true, body: false, contentType: false },
  hang: {},
  drop: {},
  truncate: {},
  oversize: { bytes: true, chunked: false },
  slow: { delayMs: true },
  body: { body: true, status: false },
  bytes: { base64: true, status: false },
});

/** The kinds of fault, in the order the README lists them. */
export const FAULT_KINDS = Object.freeze(Object.keys(FIELDS));

const MAX_COUNT = 1_000_000_000;
const MAX_OVERSIZE = 2 ** 32;
const MAX_DELAY_MS = 600_000;

const isText = (value) => typeof value === 'string';
const isStatus = (value) => Number.isInteger(value) && value >= 200 && value <= 599;
const inRange = (value, max) => Number.isInteger(value) && value >= 0 && value <= max;

// A header value must not be able to start another header.
const isHeaderValue = (value) => isText(value) && /^[\t\x20-\x7e]*$/.test(value);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Checks on each field; every one returns what is wrong or null. */
const CHECKS = {
  code: (v) => (Number.isSafeInteger(v) ? null : 'code must be an integer'),
  message: (v) => (isText(v) ? null : 'message must be a string'),
  status: (v) => (isStatus(v) ? null : 'status must be an integer from 200 to 599'),
  body: (v) => (isText(v) ? null : 'body must be a string'),
  contentType: (v) => (isHeaderValue(v) ? null : 'contentType must be printable ASCII'),
  bytes: (v) => (inRange(v, MAX_OVERSIZE) ? null : `bytes must be an integer 0..${MAX_OVERSIZE}`),
  chunked: (v) => (typeof v === 'boolean' ? null : 'chunked must be true or false'),
  delayMs: (v) => (inRange(v, MAX_DELAY_MS) ? null : `delayMs must be 0..${MAX_DELAY_MS}`),
  base64: (v) => (isText(v) && BASE64.test(v) ? null : 'base64 must be standard base64'),
};

/**
 * Checks one fault as a test wrote it and returns `{ fault, count }`, the fault frozen and
 * without its count. Throws a TypeError that says what is wrong.
 */
export function parseFault(entry) {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new TypeError('each fault must be an object');
  }
  const { kind, count = 1, ...rest } = entry;
  if (!Object.hasOwn(FIELDS, kind)) {
    throw new TypeError(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new TypeError(`count must be an integer from 1 to ${MAX_COUNT}`);
  }

  const fields = FIELDS[kind];
  for (const [name, required] of Object.entries(fields)) {
    if (required && !(name in rest)) {
      throw new TypeError(`a ${kind} fault needs ${name}`);
    }
  }
  for (const [name, value] of Object.entries(rest)) {
    if (!Object.hasOwn(fields, name)) {
      throw new TypeError(`a ${kind} fault takes no ${name}`);
    }
    const problem = CHECKS[name](value);
    if (problem !== null) throw new TypeError(`${kind} fault: ${problem}`);
  }
  return { fault: Object.freeze({ kind, ...rest }), count };
}

/** The queue of scripted faults, first in first out. */
export class FaultQueue {
  #entries = [];

  /**
   * Appends faults (each checked first: a bad one adds none of them). Returns the number
   * of requests that will now take a fault.
   */
  add(faults) {
    if (!Array.isArray(faults)) throw new TypeError('faults must be an array');
    const parsed = faults.map(parseFault);
    for (const { fault, count } of parsed) {
      this.#entries.push({ fault, remaining: count });
    }
    return this.size;
  }

  /** The fault for the next request, or null when none is queued. */
  take() {
    const head = this.#entries[0];
    if (head === undefined) return null;
    head.remaining -= 1;
    if (head.remaining === 0) this.#entries.shift();
    return head.fault;
  }

  /** Drops every queued fault. */
  clear() {
    this.#entries.length = 0;
  }

  /** How many requests will take a fault. */
  get size() {
    return this.#entries.reduce((sum, entry) => sum + entry.remaining, 0);
  }

  /** The queue as JSON: each fault with the number of requests it still applies to. */
  list() {
    return this.#entries.map(({ fault, remaining }) => ({ ...fault, count: remaining }));
  }
}

/** The Message the `code` fault answers with when the test gave none. */
export function defaultMessage(code) {
  const messages = {
    500: 'internal error',
    10001: 'parameter format error',
    10002: 'parameter wrong or invalid',
    30002: 'request rate over the limit',
    100000004: 'signature expired',
    100000005: 'Signature is wrong',
    100000015: 'gateway internal error',
  };
  return messages[code] ?? `error ${code}`;
}

/** The HTML page a proxy answers with, for the `http` fault given no body. */
export function proxyPage(status) {
  const title = `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
  return (
    `<!DOCTYPE html>\n<html><head><title>${title}</title></head>\n` +
    `<body><center><h1>${title}</h1></center><hr><center>nginx</center></body></html>\n`
  );
}

const STATUS_TEXT = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};
