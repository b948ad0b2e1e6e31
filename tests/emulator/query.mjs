// Strict query-string parsing for the emulator.
//
// The real service is fed by clients that percent-encode every value (RFC 3986), so the
// emulator decodes exactly that and nothing looser: `+` stays a plus sign, a `%` must be
// followed by two hex digits, the decoded bytes must be UTF-8, and characters that RFC 3986
// never allows unencoded in a query are refused. Any of these is a format error (10001).

import { ApiError, CODES } from './errors.mjs';

// Characters allowed unencoded: unreserved, sub-delims, ":", "@", "/", "?", and the square
// brackets, which the provider's own samples write unencoded in the `Metrics[]` key.
const ALLOWED = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?[\]]$/;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes one key or value; throws an ApiError (10001) on anything malformed. */
export function decodeComponent(text) {
  const bytes = [];
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        throw new ApiError(CODES.FORMAT, `invalid percent escape "${text.slice(i, i + 3)}"`);
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ALLOWED.test(ch)) {
      bytes.push(ch.charCodeAt(0));
    } else {
      const shown = JSON.stringify(ch);
      throw new ApiError(CODES.FORMAT, `character ${shown} must be percent-encoded`);
    }
  }

  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new ApiError(CODES.FORMAT, 'percent-encoded bytes are not valid UTF-8');
  }
}

/** Splits a raw query on `&` and `=` and decodes both halves of every pair. */
function decodePairs(rawQuery) {
  const pairs = [];
  for (const segment of rawQuery.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const rawKey = eq < 0 ? segment : segment.slice(0, eq);
    const rawValue = eq < 0 ? '' : segment.slice(eq + 1);
    pairs.push([decodeComponent(rawKey), decodeComponent(rawValue)]);
  }
  return pairs;
}

/** Keys that may repeat; every other key must appear at most once. */
const ARRAY_KEYS = new Set(['Metrics[]']);

/** The decoded parameters of one request, in the order they were sent. */
export class Params {
  constructor(pairs) {
    this.pairs = pairs;
  }

  /** Parses a raw query string (the text after `?`). */
  static parse(rawQuery) {
    const pairs = decodePairs(rawQuery);

    const seen = new Set();
    for (const [key] of pairs) {
      if (seen.has(key) && !ARRAY_KEYS.has(key)) {
        throw new ApiError(CODES.FORMAT, `parameter ${key} is given more than once`);
      }
      seen.add(key);
    }
    return new Params(pairs);
  }

  /** The value of a single-valued key, or undefined when absent. */
  one(key) {
    const pair = this.pairs.find(([k]) => k === key);
    return pair === undefined ? undefined : pair[1];
  }

  /** Every value of a repeatable key, in order. */
  all(key) {
    return this.pairs.filter(([k]) => k === key).map(([, v]) => v);
  }

  has(key) {
    return this.pairs.some(([k]) => k === key);
  }

  keys() {
    return this.pairs.map(([k]) => k);
  }
}

/**
 * Reads the common parameters without judging them, for the request log. Never throws:
 * a query that cannot be decoded yields nulls.
 */
export function peekCommon(rawQuery) {
  const out = { action: null, appId: null, nonce: null, timestamp: null, signature: null };
  let params;
  try {
    // Not Params.parse: a repeated key is still worth logging.
    params = new Params(decodePairs(rawQuery));
  } catch {
    return out;
  }
  out.action = params.one('Action') ?? null;
  out.appId = params.one('AppId') ?? null;
  out.nonce = params.one('SignatureNonce') ?? null;
  out.timestamp = params.one('Timestamp') ?? null;
  out.signature = params.one('Signature') ?? null;
  return out;
}
