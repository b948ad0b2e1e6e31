// The child process of canary.test.mjs: uses a recognisable secret, goes down every error
// path of the package, and writes every message, property and inspection it can produce to
// stdout and stderr, where the parent searches for the secret. Not a test file itself.

import { inspect } from "node:util";

import {
  AnalyticsClient,
  generateSignature,
  parseResponse,
  redactUrl,
  verifySignedUrl,
} from "../../pkg/index.mjs";
import { CANARY, CANARY_APP_ID } from "./canary-secret.mjs";
import { BIZ, startEmulator } from "./helpers.mjs";

const FULL = { showHidden: true, depth: Infinity, getters: true };

const emu = await startEmulator({
  rateLimit: false,
  apps: [{ appId: CANARY_APP_ID, serverSecret: CANARY }],
});

const base = {
  appId: CANARY_APP_ID,
  serverSecret: CANARY,
  endpoint: emu.url,
  rateLimit: "off",
  retryBaseDelayMs: 1,
  maxRetries: 0,
};
const kinds = new Set();

/** Writes out everything an error can show of itself. */
function dump(label, err) {
  kinds.add(err?.kind);
  console.log(`KIND ${err?.kind} ${label}`);
  console.log(err);
  console.error(err);
  console.log(String(err));
  console.log(err?.message);
  console.log(err?.stack);
  console.log(JSON.stringify(err));
  console.log(JSON.stringify(err, Object.getOwnPropertyNames(err ?? {})));
  console.log(inspect(err, FULL));
  for (const key of Reflect.ownKeys(err ?? {})) {
    console.log(`${String(key)}=${inspect(err[key], FULL)}`);
  }
  if (err?.cause !== undefined) console.log(inspect(err.cause, FULL));
}

/** Runs one call that must fail, and dumps its error. */
async function fails(label, fn) {
  try {
    const value = await fn();
    console.log(`UNEXPECTED success of ${label}: ${inspect(value, FULL)}`);
  } catch (err) {
    dump(label, err);
  }
}

/** Writes out everything a client can show of itself. */
function dumpClient(client) {
  console.log(client);
  console.error(client);
  console.log(inspect(client, FULL));
  console.log(String(client));
  console.log(`${client}`);
  console.log(JSON.stringify(client));
  console.log(JSON.stringify(client, null, 2));
  console.log(inspect(Object.entries(client), FULL));
  for (const key of Reflect.ownKeys(client)) console.log(`${String(key)}=${String(client[key])}`);
  for (const key of ["appId", "baseUrl"]) console.log(`${key}=${client[key]}`);
  if (typeof client.toJSON === "function") console.log(inspect(client.toJSON(), FULL));
  console.log(inspect(Object.getPrototypeOf(client), FULL));
}

// config
await fails("bad timeoutMs", () => new AnalyticsClient({ ...base, timeoutMs: -1 }));
await fails("bad rateLimit", () => new AnalyticsClient({ ...base, rateLimit: "maybe" }));
await fails("secret with spaces", () =>
  new AnalyticsClient({ ...base, serverSecret: ` ${CANARY} ` }));
await fails("credentials in the endpoint", () =>
  new AnalyticsClient({ ...base, endpoint: "http://user:password@127.0.0.1:1/" }));
await fails("plain http to another host", () =>
  new AnalyticsClient({ ...base, endpoint: "http://analytics-api.zego.im/" }));
await fails("unknown option", () => new AnalyticsClient({ ...base, secret: CANARY }));
{
  const saved = globalThis.fetch;
  delete globalThis.fetch;
  await fails("no fetch", () => new AnalyticsClient(base).getBizUsage(BIZ));
  globalThis.fetch = saved;
}

const client = new AnalyticsClient(base);
dumpClient(client);

// validation
await fails("bad date", () => client.getBizUsage({ ...BIZ, startDate: "yesterday" }));
await fails("unknown key", () => client.getBizUsage({ ...BIZ, serverSecret: CANARY }));
await fails("unknown action", () => client.buildUrl("GetEverything", {}));
await fails("bad signature input", () => generateSignature(-1, "nonce", CANARY, 1));
await fails("unknown metric", () => client.getBizUsage({ ...BIZ, metrics: ["no_such"] }));

// api
emu.state.faults.add([{ kind: "code", code: 100000005 }]);
await fails("code 100000005", () => client.getBizUsage(BIZ));
await fails("unknown AppId", () =>
  new AnalyticsClient({ ...base, appId: CANARY_APP_ID + 1 }).getBizUsage(BIZ));
emu.state.faults.add([{ kind: "code", code: 30002 }]);
await fails("30002 with a wait too long", () =>
  new AnalyticsClient({ ...base, maxRetries: 2 }).getBizUsage(BIZ));
{
  const limited = new AnalyticsClient({ ...base, rateLimit: "auto", maxRetryDelayMs: 10 });
  for (let i = 0; i < 3; i += 1) await limited.getBizQuality({ ...BIZ, metrics: ["fft"] });
  await fails("refused by the local limiter", () =>
    limited.getBizQuality({ ...BIZ, metrics: ["fft"] }));
}

// http
emu.state.faults.add([{ kind: "http", status: 502 }]);
await fails("502", () => client.getBizUsage(BIZ));
emu.state.faults.add([{ kind: "http", status: 503, body: '{"error":"busy"}' }]);
await fails("503", () => client.getBizUsage(BIZ));

// network
emu.state.faults.add([{ kind: "drop", count: 2 }]);
await fails("drop", () => new AnalyticsClient({ ...base, maxRetries: 1 }).getBizUsage(BIZ));
await fails("fetch throws", () =>
  new AnalyticsClient({ ...base, fetch: () => Promise.reject(new TypeError("offline")) })
    .getBizUsage(BIZ));

// parse
emu.state.faults.add([{ kind: "body", body: "{not json" }]);
await fails("invalid JSON", () => client.getBizUsage(BIZ));
emu.state.faults.add([{ kind: "truncate" }]);
await fails("truncated", () => client.getBizUsage(BIZ));
emu.state.faults.add([{ kind: "oversize", bytes: 4096 }]);
await fails("oversize", () =>
  new AnalyticsClient({ ...base, maxBodyBytes: 1024 }).getBizUsage(BIZ));
emu.state.faults.add([{ kind: "bytes", base64: Buffer.from([0xff, 0xfe]).toString("base64") }]);
await fails("invalid UTF-8", () => client.getBizUsage(BIZ));
await fails("parseResponse", () => parseResponse("GetBizUsage", "[".repeat(100_000)));

// timeout
emu.state.faults.add([{ kind: "hang" }]);
await fails("hang", () => new AnalyticsClient({ ...base, timeoutMs: 100 }).getBizUsage(BIZ));
emu.state.faults.add([{ kind: "slow", delayMs: 2_000 }]);
await fails("slow", () => new AnalyticsClient({ ...base, timeoutMs: 100 }).getBizUsage(BIZ));

// aborted
await fails("aborted before", () => client.getBizUsage(BIZ, { signal: AbortSignal.abort() }));
emu.state.faults.add([{ kind: "hang" }]);
await fails("aborted in flight", () =>
  client.getBizUsage(BIZ, { signal: AbortSignal.timeout(100) }));
emu.state.faults.add([{ kind: "http", status: 502 }]);
await fails("aborted in backoff", () =>
  new AnalyticsClient({ ...base, maxRetries: 2, retryBaseDelayMs: 5_000 })
    .getBizUsage(BIZ, { signal: AbortSignal.timeout(200) }));

// What the good paths show: a result, a signed URL redacted, an offline verdict.
const result = await client.getBizUsage(BIZ);
console.log(inspect(result, FULL));
const url = client.buildUrl("GetBizUsage", BIZ);
console.log(redactUrl(url));
console.log(inspect(verifySignedUrl(url, CANARY), FULL));
console.log(inspect(verifySignedUrl(`${url}&x=1`.replace(/Signature=[0-9a-f]+/, "Signature=0"),
  CANARY), FULL));
dumpClient(client);

await emu.close();
// Proves the stream is captured: the parent joins the pieces back together.
console.log(`CONTROL ${CANARY.match(/.{8}/g).join("|")}`);
console.log(`KINDS ${[...kinds].sort().join(",")}`);
