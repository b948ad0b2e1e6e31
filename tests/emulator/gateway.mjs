// The gateway in front of every ZEGO server API: common parameters, signature, rate limits.

import { createHash, timingSafeEqual } from 'node:crypto';

import { ApiError, CODES } from './errors.mjs';

/** Largest clock difference the service tolerates, in seconds. */
export const MAX_SKEW_SECONDS = 600;

const UINT32_MAX = 4294967295;

/** md5 hex of AppId + SignatureNonce + ServerSecret + Timestamp, as the provider defines it. */
export function signature(appId, nonce, secret, timestamp) {
  return createHash('md5').update(`${appId}${nonce}${secret}${timestamp}`).digest('hex');
}

/** Parses an AppId in decimal; returns null unless it is a canonical uint32. */
export function parseAppId(text) {
  if (typeof text !== 'string' || !/^(0|[1-9][0-9]{0,9})$/.test(text)) return null;
  const value = Number(text);
  return value <= UINT32_MAX ? value : null;
}

function present(params, key) {
  const value = params.one(key);
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Runs the gateway checks in the order a request is taken apart: which action, which app,
 * is the signature fresh, is it present, is it right. Returns `{ action, appId }` or throws
 * an ApiError with the gateway's code.
 *
 * `apps` maps AppId to ServerSecret; `actions` is the set of supported action names;
 * `nowMs` is the emulator clock.
 */
export function checkGateway(params, { apps, actions, nowMs }) {
  const action = present(params, 'Action');
  if (action === undefined) {
    throw new ApiError(CODES.ACTION_MISSING, 'Action is missing');
  }
  if (!actions.has(action)) {
    throw new ApiError(CODES.ACTION_UNSUPPORTED, `Action ${action} is not supported`);
  }

  const appIdText = present(params, 'AppId');
  const appId = parseAppId(appIdText);
  if (appId === null) {
    const what = appIdText === undefined ? 'missing' : 'not a uint32 in decimal';
    throw new ApiError(CODES.APP_ID_FORMAT, `AppId format error: ${what}`);
  }
  const secret = apps.get(appId);
  if (secret === undefined) {
    throw new ApiError(CODES.SECRET_NOT_FOUND, `no ServerSecret for AppId ${appId}`);
  }

  const timestampText = present(params, 'Timestamp');
  if (timestampText === undefined) {
    throw new ApiError(CODES.TIMESTAMP_MISSING, 'Timestamp is missing');
  }
  checkTimestamp(timestampText, nowMs);

  const nonce = present(params, 'SignatureNonce');
  if (nonce === undefined) {
    throw new ApiError(CODES.NONCE_MISSING, 'SignatureNonce is missing');
  }
  const sent = present(params, 'Signature');
  if (sent === undefined) {
    throw new ApiError(CODES.SIGNATURE_MISSING, 'Signature is missing');
  }
  const version = present(params, 'SignatureVersion');
  if (version === undefined) {
    throw new ApiError(CODES.VERSION_MISSING, 'SignatureVersion is missing');
  }
  if (version !== '2.0') {
    throw new ApiError(CODES.VERSION_UNSUPPORTED, `SignatureVersion ${version} is not supported`);
  }

  const expected = signature(appIdText, nonce, secret, timestampText);
  if (!sameText(sent, expected)) {
    throw new ApiError(CODES.SIGNATURE_WRONG, 'Signature is wrong');
  }

  const isTest = params.one('IsTest');
  if (isTest !== undefined && !/^(true|false)$/i.test(isTest)) {
    throw new ApiError(CODES.FORMAT, 'IsTest must be true or false');
  }

  return { action, appId };
}

function checkTimestamp(text, nowMs) {
  if (!/^-?[0-9]+$/.test(text)) {
    throw new ApiError(CODES.TIMESTAMP_FORMAT, 'Timestamp must be an integer of Unix seconds');
  }
  const digits = text.replace('-', '').length;
  if (digits >= 13) {
    throw new ApiError(
      CODES.TIMESTAMP_FORMAT,
      `Timestamp has ${digits} digits and looks like milliseconds; send Unix seconds`,
    );
  }
  if (digits > 11) {
    throw new ApiError(CODES.TIMESTAMP_FORMAT, 'Timestamp is not a Unix time in seconds');
  }

  const skew = Math.abs(Number(text) * 1000 - nowMs) / 1000;
  if (skew > MAX_SKEW_SECONDS) {
    throw new ApiError(
      CODES.SIGNATURE_EXPIRED,
      `signature expired: Timestamp is ${Math.round(skew)} s off the server clock`,
    );
  }
}

// Constant time, like a real gateway should be; lowercase hex only, as documented.
function sameText(a, b) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The two kinds of limit; every action has one of them. */
export const LIMITS = Object.freeze({
  minute: { windowMs: 60_000, perWindow: 3, perDay: 480, label: '3 per minute' },
  second: { windowMs: 1_000, perWindow: 3, perDay: 10_000, label: '3 per second' },
});

const DAY_MS = 86_400_000;

/** Rolling-window and daily counters per AppId and action. */
export class RateLimiter {
  constructor() {
    this.windows = new Map();
    this.days = new Map();
  }

  /** Counts one request, or throws 30002 when it is over a limit (and then does not count). */
  take(appId, action, limit, nowMs) {
    const key = `${appId}/${action}`;

    const day = Math.floor(nowMs / DAY_MS);
    const daily = this.days.get(key);
    const usedToday = daily !== undefined && daily.day === day ? daily.count : 0;
    if (usedToday >= limit.perDay) {
      throw new ApiError(
        CODES.RATE_LIMIT,
        `daily quota of ${limit.perDay} ${action} requests used up for AppId ${appId}`,
      );
    }

    const recent = (this.windows.get(key) ?? []).filter((t) => t > nowMs - limit.windowMs);
    if (recent.length >= limit.perWindow) {
      this.windows.set(key, recent);
      throw new ApiError(
        CODES.RATE_LIMIT,
        `request rate over the limit of ${limit.label} for ${action}`,
      );
    }

    recent.push(nowMs);
    this.windows.set(key, recent);
    this.days.set(key, { day, count: usedToday + 1 });
  }

  reset() {
    this.windows.clear();
    this.days.clear();
  }
}
