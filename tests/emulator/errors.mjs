// Return codes of the service and the error the emulator throws to answer with one.

/** The codes the emulator answers with, named after the provider's table. */
export const CODES = Object.freeze({
  SUCCESS: 0,
  SERVER: 500,
  FORMAT: 10001,
  INVALID: 10002,
  RATE_LIMIT: 30002,
  APP_ID_FORMAT: 100000001,
  TIMESTAMP_MISSING: 100000002,
  TIMESTAMP_FORMAT: 100000003,
  SIGNATURE_EXPIRED: 100000004,
  SIGNATURE_WRONG: 100000005,
  ACTION_MISSING: 100000006,
  ACTION_UNSUPPORTED: 100000007,
  NONCE_MISSING: 100000008,
  SIGNATURE_MISSING: 100000009,
  SECRET_NOT_FOUND: 100000010,
  VERSION_MISSING: 100000013,
  VERSION_UNSUPPORTED: 100000014,
});

/** A non-zero answer of the service: becomes the `Code` and `Message` of the envelope. */
export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}
