// Compile-only check of the package's types (never run). Each `@ts-expect-error`
// fails the build when the line below it starts to compile, so the types cannot
// quietly loosen. Check with:
//   npx -y -p typescript@5 tsc --noEmit --strict --target es2022 --module esnext \
//     --moduleResolution bundler tests/node/types-check.ts

import {
  ACTION_NAMES,
  ACTIONS,
  AnalyticsClient,
  generateSignature,
  parseResponse,
  redactUrl,
  verifySignedUrl,
  type ActionName,
  type AnalyticsClientOptions,
  type BizUsageMetric,
  type BizUsageResult,
  type PlayQualityDetailResult,
  type RegionQualityDetailResult,
  type StreamBaseInfoResult,
  type ZegoError,
  type ZegoErrorKind,
} from "../../pkg-template/index.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2
  ? true
  : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

const options: AnalyticsClientOptions = {
  appId: 1234567890,
  serverSecret: "5c3a9e2b7d1f40e8a6b2c9d0e1f2a3b4",
  endpoint: "http://127.0.0.1:8080/",
  isTest: true,
};
const client = new AnalyticsClient(options);
const appId: number = client.appId;
const baseUrl: string = client.baseUrl;
const shown: { appId: number; baseUrl: string } = client.toJSON();
// @ts-expect-error the client is read-only
client.appId = 2;

const careful = new AnalyticsClient({
  ...options,
  timeoutMs: 5000,
  maxRetries: 0,
  maxRetryDelayMs: 1000,
  retryBaseDelayMs: 100,
  rateLimit: "off",
  clockOffsetMs: -1500,
  fetch: (input, init) => fetch(input, init),
  maxBodyBytes: 1 << 20,
});
new AnalyticsClient({ ...options, fetch });
// @ts-expect-error rateLimit is "auto" or "off"
new AnalyticsClient({ ...options, rateLimit: true });
const redacted: string = redactUrl(careful.buildUrl("GetBizUsage", {
  startDate: "20250110",
  endDate: "20250110",
  metrics: ["play_count"],
}));

// @ts-expect-error an unknown region key
new AnalyticsClient({ appId: 1, serverSecret: "s", region: "nyc" });
// @ts-expect-error the AppId is a number
new AnalyticsClient({ appId: "1", serverSecret: "s" });
// @ts-expect-error the secret is required
new AnalyticsClient({ appId: 1 });

const signature: string = generateSignature(12345, "4fd24687296dd9f3", "secret", 1615186943);
// @ts-expect-error the timestamp is a number
generateSignature(12345, "4fd24687296dd9f3", "secret", "1615186943");

const names: readonly ActionName[] = ACTION_NAMES;
// @ts-expect-error the list is read-only
ACTION_NAMES.push("GetBizUsage");

for (const info of ACTIONS) {
  if (info.name === "GetBizUsage") {
    const metric: BizUsageMetric | undefined = info.metrics[0];
    const method: "getBizUsage" = info.method;
    void [metric, method];
  }
  const wire: string = info.params[0].wire;
  const words: readonly string[] | undefined = info.params[0].values;
  void [wire, words];
}
// @ts-expect-error the table is read-only
ACTIONS[0].metrics.push("fft");

const verdict = verifySignedUrl("https://analytics-api.zego.im/?Action=GetBizUsage", "s", {
  nowSeconds: 1615186943,
});
const valid: boolean = verdict.valid;
const problemAt: string | undefined = verdict.problems[0]?.param;
const verdictAction: ActionName | undefined = verdict.action;
// @ts-expect-error options are numbers
verifySignedUrl("u", "s", { nowSeconds: "now" });
void [valid, problemAt, verdictAction];

const url: string = client.buildUrl(
  "GetBizUsage",
  { startDate: "20250110", endDate: "20250112", metrics: ["publish_count"] },
  { nonce: "4fd24687296dd9f3", timestamp: 1615186943 },
);
client.buildUrl("GetStreamBaseInfo", {
  roomId: "r",
  userId: "u",
  streamId: "s",
  streamType: "play",
  startTs: 1,
  endTs: 0,
});
// @ts-expect-error the params must match the action
client.buildUrl("GetBizUsage", { startTs: 1, endTs: 2, metrics: ["publish_count"] });
// @ts-expect-error not an action
client.buildUrl("GetEverything", {});

async function calls(): Promise<void> {
  const usage = await client.getBizUsage({
    startDate: "20250110",
    endDate: "2025-01-12",
    metrics: ["publish_count", "play_count"],
  });
  assertType<Equal<typeof usage, BizUsageResult>>();
  const requestId: string = usage.requestId;
  const date: string = usage.metrics[0].values[0].date;
  const count: number | null = usage.metrics[0].values[0].value;
  assertType<Equal<(typeof usage.metrics)[number]["metric"], BizUsageMetric>>();

  const controller = new AbortController();
  await client.getPlayQualityDetail(
    { ...streamParams(), metrics: ["mos"] },
    { signal: controller.signal },
  );
  // @ts-expect-error the second argument holds options, not a signal
  await client.getBizUsage({ startDate: "a", endDate: "b", metrics: [] }, controller.signal);

  // @ts-expect-error a quality metric is not a usage metric
  await client.getBizUsage({ startDate: "a", endDate: "b", metrics: ["break_rate"] });
  // @ts-expect-error a misspelt metric
  await client.getBizQuality({ startDate: "a", endDate: "b", metrics: ["fft_ms"] });
  // @ts-expect-error the dates are required
  await client.getBizQuality({ metrics: ["fft"] });

  const realtime = await client.getRealtimeUsage({
    startTs: 1736467200000,
    endTs: 0,
    metrics: ["online_user", "mix_concurrent"],
  });
  const at: number = realtime.metrics[0].values[0].timestamp;
  const online: number | null = realtime.metrics[0].values[0].value;
  await client.getRealtimeQuality({ startTs: 1, endTs: 2, metrics: ["uplink_rtt"] });
  // @ts-expect-error timestamps are numbers
  await client.getRealtimeQuality({ startTs: "1", endTs: 2, metrics: ["uplink_rtt"] });
  // @ts-expect-error a usage metric is not a quality metric
  await client.getRealtimeQuality({ startTs: 1, endTs: 2, metrics: ["online_user"] });

  const region = await client.getRegionQualityDetail({
    startTs: 1,
    endTs: 2,
    region: "中国",
    platform: "web",
  });
  assertType<Equal<typeof region, RegionQualityDetailResult>>();
  const info = region.list[0].qualityInfo[0];
  const regionName: string = info.region;
  const rate: number | undefined = info.p2pDelayDetail?.rate1;
  const login: number | undefined = info.loginSuccessRateDetail?.loginSuccessRate5s;
  // @ts-expect-error a detail may be absent
  const total: number = info.videoFftDetail.total;
  // @ts-expect-error not a platform
  await client.getRegionQualityDetail({ startTs: 1, endTs: 2, platform: "ios" });

  const stream = await client.getStreamBaseInfo({
    roomId: "r",
    userId: "u",
    streamId: "s",
    streamType: "publish",
    startTs: 1,
    endTs: 2,
  });
  assertType<Equal<typeof stream, StreamBaseInfoResult>>();
  const text: string | null = stream.metrics[0].values[0].value;
  // @ts-expect-error not a stream type
  await client.getStreamBaseInfo({ ...streamParams(), streamType: "push" });

  await client.getPublishQualityDetail({
    roomId: "r",
    userId: "u",
    streamId: "s",
    metrics: ["encode_resolution", "app_cpu_used"],
    startTs: 1,
    endTs: 2,
  });
  const play = await client.getPlayQualityDetail({
    roomId: "r",
    userId: "u",
    streamId: "s",
    metrics: ["mos", "decode_resolution"],
    startTs: 1,
    endTs: 2,
  });
  const value: number | string | null = play.metrics[0].values[0].value;
  // @ts-expect-error a value may be text
  const numeric: number = play.metrics[0].values[0].value;
  await client.getPlayQualityDetail({
    ...streamParams(),
    // @ts-expect-error a publishing metric is not a playing metric
    metrics: ["encode_resolution"],
  });

  const parsed = parseResponse("GetPlayQualityDetail", "{}");
  assertType<Equal<typeof parsed, PlayQualityDetailResult>>();
  // @ts-expect-error not an action
  parseResponse("GetNothing", "{}");

  try {
    await client.getBizUsage({ startDate: "a", endDate: "b", metrics: [] });
  } catch (caught) {
    const error = caught as ZegoError;
    const kind: ZegoErrorKind = error.kind;
    const retry: boolean = error.retryable;
    const code: number | undefined = error.code;
    const id: string | undefined = error.requestId;
    const status: number | undefined = error.httpStatus;
    const excerpt: string | undefined = error.bodyExcerpt;
    const serverMessage: string | undefined = error.serverMessage;
    const attempts: number | undefined = error.attempts;
    const wait: number | undefined = error.retryAfterMs;
    const late: ZegoErrorKind = "timeout";
    const cancelled: ZegoErrorKind = "aborted";
    void [attempts, wait, late, cancelled];
    const param: string | undefined = error.param;
    const message: string = error.message;
    // @ts-expect-error not a kind
    const wrongKind: ZegoErrorKind = "deadline";
    void [kind, retry, code, id, status, excerpt, serverMessage, param, message];
    void wrongKind;
  }

  void [requestId, date, count, at, online, regionName, rate, login, total, text];
  void [value, numeric];
}

function streamParams() {
  return { roomId: "r", userId: "u", streamId: "s", startTs: 1, endTs: 2 };
}

void [appId, baseUrl, shown, redacted, signature, names, url, calls];
