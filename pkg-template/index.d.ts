// Types for the zego-analytics package: a client for the ZEGO Analytics Dashboard
// server API. The names follow the provider's documentation; see the README for
// examples of every export.

/** The eight actions of the Analytics Dashboard server API. */
export type ActionName =
  | "GetBizUsage"
  | "GetBizQuality"
  | "GetRealtimeUsage"
  | "GetRealtimeQuality"
  | "GetRegionQualityDetail"
  | "GetStreamBaseInfo"
  | "GetPublishQualityDetail"
  | "GetPlayQualityDetail";

/** A regional host key; without one the client uses the unified host. */
export type Region = "sha" | "hkg" | "fra" | "lax" | "bom" | "sgp";

/** Metrics of GetBizUsage (daily usage). */
export type BizUsageMetric =
  | "room_concurrent"
  | "user_concurrent"
  | "publish_concurrent"
  | "play_concurrent"
  | "publish_count"
  | "play_count";

/** Metrics of GetBizQuality (daily quality). */
export type BizQualityMetric =
  | "break_rate"
  | "fft"
  | "login_consumed"
  | "publish_success_rate_cdn"
  | "publish_success_rate_rtc"
  | "play_success_rate_cdn"
  | "play_success_rate_l3"
  | "play_success_rate_rtc"
  | "login_success_rate"
  | "login_success_5s";

/** Metrics of GetRealtimeUsage (per-second usage, last two hours). */
export type RealtimeUsageMetric =
  | "publish_concurrent"
  | "play_concurrent"
  | "room_concurrent"
  | "online_user"
  | "max_room_user"
  | "mix_concurrent";

/** Metrics of GetRealtimeQuality (per-second quality, last two hours). */
export type RealtimeQualityMetric =
  | "video_break_rate"
  | "audio_break_rate"
  | "uplink_rtt"
  | "downlink_rtt"
  | "peer_to_peer_delay"
  | "publish_success_rate"
  | "play_success_rate"
  | "login_success_rate";

/** Metrics that GetStreamBaseInfo answers with; the request takes none. */
export type StreamBaseInfoMetric =
  | "isp"
  | "net_type"
  | "os_type"
  | "device_model"
  | "sdk_version"
  | "region";

/** Metrics of GetPublishQualityDetail. */
export type PublishQualityMetric =
  | "video_bitrate"
  | "audio_bitrate"
  | "video_network_fps"
  | "audio_network_fps"
  | "video_capture_fps"
  | "uplink_delay"
  | "uplink_packet_loss_rate"
  | "captured_sound_level"
  | "encode_resolution"
  | "sys_cpu_used"
  | "app_cpu_used"
  | "sys_mem_used"
  | "app_mem_used";

/** Metrics of GetPlayQualityDetail. */
export type PlayQualityMetric =
  | "audio_bitrate"
  | "audio_network_fps"
  | "audio_break_percentage"
  | "video_bitrate"
  | "video_network_fps"
  | "video_break_percentage"
  | "decode_resolution"
  | "peer_to_peer_delay"
  | "peer_to_peer_plr"
  | "downlink_delay"
  | "downlink_packet_loss_rate"
  | "rendered_sound_level"
  | "mos"
  | "sys_cpu_used"
  | "app_cpu_used"
  | "sys_mem_used"
  | "app_mem_used";

/** Platform filter of GetRegionQualityDetail; `native` excludes web and mini-programs. */
export type Platform = "all" | "native" | "web";

/** Which side of a stream GetStreamBaseInfo describes. */
export type StreamType = "publish" | "play";

/** Options of {@link AnalyticsClient}. */
export interface AnalyticsClientOptions {
  /** The project's AppId from the ZEGO console, 1 ..= 4294967295. */
  appId: number;
  /** The project's ServerSecret; only ever hashed, never sent. */
  serverSecret: string;
  /** A regional host; ignored when `endpoint` is given. */
  region?: Region;
  /** An origin overriding the host, e.g. an emulator; plain http only for loopback hosts. */
  endpoint?: string;
  /** When given, sent as `IsTest=true` or `IsTest=false`; omitted otherwise. */
  isTest?: boolean;
  /** The longest one attempt may take, reading the body included; default 10000 ms. */
  timeoutMs?: number;
  /** Retries after a retryable failure, 0 ..= 10; default 2, 0 turns retrying off. */
  maxRetries?: number;
  /** The longest single wait, before a retry or in the rate-limit queue; default 30000 ms. */
  maxRetryDelayMs?: number;
  /**
   * The first backoff step; default 500 ms. The n-th retry waits
   * min(maxRetryDelayMs, retryBaseDelayMs * 2^(n-1)), scaled by a random factor in [0.5, 1).
   */
  retryBaseDelayMs?: number;
  /**
   * `auto` (the default) keeps every AppId and action within the service's rate limits and
   * daily quotas, process-wide, queueing calls in order; `off` sends at once.
   */
  rateLimit?: RateLimitMode;
  /** Added to the local clock when signing, in ms; default 0. */
  clockOffsetMs?: number;
  /** Used instead of the runtime's global `fetch`; must resolve to a `Response`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** The largest body read; a longer one is a `parse` error. Default 33554432 (32 MiB). */
  maxBodyBytes?: number;
}

/** Whether the client keeps calls within the service's rate limits itself. */
export type RateLimitMode = "auto" | "off";

/** Per-call options of the client's methods. */
export interface CallOptions {
  /** Cancels the call, queued or in flight; it then fails with kind `aborted`. */
  signal?: AbortSignal;
}

/** Fixed signing inputs for {@link AnalyticsClient.buildUrl}; fresh ones are drawn otherwise. */
export interface SigningInputs {
  /** The SignatureNonce to sign and send. */
  nonce?: string;
  /** The Timestamp to sign and send, in Unix seconds. */
  timestamp?: number;
}

/** Parameters of the daily actions; dates are `yyyyMMdd` or `yyyy-MM-dd`, both inclusive. */
export interface DateRangeParams<M extends string> {
  startDate: string;
  endDate: string;
  /** One or more metrics, sent in this order; duplicates are dropped. */
  metrics: readonly M[];
}

/** Parameters of GetBizUsage. */
export type BizUsageParams = DateRangeParams<BizUsageMetric>;

/** Parameters of GetBizQuality. */
export type BizQualityParams = DateRangeParams<BizQualityMetric>;

/** Parameters of the real-time actions; times are Unix milliseconds, `endTs` may be 0. */
export interface TimeRangeParams<M extends string> {
  startTs: number;
  endTs: number;
  /** One or more metrics, sent in this order; duplicates are dropped. */
  metrics: readonly M[];
}

/** Parameters of GetRealtimeUsage. */
export type RealtimeUsageParams = TimeRangeParams<RealtimeUsageMetric>;

/** Parameters of GetRealtimeQuality. */
export type RealtimeQualityParams = TimeRangeParams<RealtimeQualityMetric>;

/** Parameters of GetRegionQualityDetail; times are Unix milliseconds. */
export interface RegionQualityDetailParams {
  startTs: number;
  endTs: number;
  /** `all` (the default) or a place name as the console lists it, e.g. `中国`. */
  region?: string;
  platform?: Platform;
}

/** Parameters of GetStreamBaseInfo; ids are non-empty, times Unix milliseconds. */
export interface StreamBaseInfoParams {
  roomId: string;
  userId: string;
  streamId: string;
  streamType: StreamType;
  startTs: number;
  endTs: number;
}

/** Parameters of the per-user quality actions; ids are non-empty, times Unix milliseconds. */
export interface QualityDetailParams<M extends string> {
  roomId: string;
  userId: string;
  streamId: string;
  /** One or more metrics, sent in this order; duplicates are dropped. */
  metrics: readonly M[];
  startTs: number;
  endTs: number;
}

/** Parameters of GetPublishQualityDetail. */
export type PublishQualityDetailParams = QualityDetailParams<PublishQualityMetric>;

/** Parameters of GetPlayQualityDetail. */
export type PlayQualityDetailParams = QualityDetailParams<PlayQualityMetric>;

/** One day's figure. */
export interface DateValue {
  /** `yyyyMMdd`. */
  date: string;
  /** `null` where the service had no figure. */
  value: number | null;
}

/** One point in time and its figure. */
export interface TimedValue<V extends number | string> {
  /** Unix milliseconds. */
  timestamp: number;
  /** `null` where the service had no value. */
  value: V | null;
}

/** One metric's daily series. */
export interface DateSeries<M extends string> {
  metric: M;
  values: DateValue[];
}

/** One metric's series over time. */
export interface TimedSeries<M extends string, V extends number | string> {
  metric: M;
  values: TimedValue<V>[];
}

/** Result of the daily actions. */
export interface DateSeriesResult<M extends string> {
  /** The server's RequestId, its exact digits. */
  requestId: string;
  metrics: DateSeries<M>[];
}

/** Result of the actions answering with series over time. */
export interface TimedSeriesResult<M extends string, V extends number | string> {
  /** The server's RequestId, its exact digits. */
  requestId: string;
  metrics: TimedSeries<M, V>[];
}

/** Result of GetBizUsage. */
export type BizUsageResult = DateSeriesResult<BizUsageMetric>;

/** Result of GetBizQuality. */
export type BizQualityResult = DateSeriesResult<BizQualityMetric>;

/** Result of GetRealtimeUsage. */
export type RealtimeUsageResult = TimedSeriesResult<RealtimeUsageMetric, number>;

/** Result of GetRealtimeQuality. */
export type RealtimeQualityResult = TimedSeriesResult<RealtimeQualityMetric, number>;

/** Result of GetStreamBaseInfo; every value is text. */
export type StreamBaseInfoResult = TimedSeriesResult<StreamBaseInfoMetric, string>;

/** Result of GetPublishQualityDetail; resolutions are text (`W*H`), the rest numbers. */
export type PublishQualityDetailResult = TimedSeriesResult<PublishQualityMetric, number | string>;

/** Result of GetPlayQualityDetail; resolutions are text (`W*H`), the rest numbers. */
export type PlayQualityDetailResult = TimedSeriesResult<PlayQualityMetric, number | string>;

/** A distribution over buckets; rates are fractions (0–1) of `total`. */
export interface RateDetail {
  /** Number of minute samples. */
  total?: number;
  rate1?: number;
  rate2?: number;
  rate3?: number;
  rate4?: number;
  rate5?: number;
}

/** Room login success rates. */
export interface LoginSuccessRateDetail {
  loginSuccessRate?: number;
  loginSuccessRate5s?: number;
}

/** Quality figures of one region; details the server left out are absent. */
export interface RegionQualityInfo {
  region: string;
  /** End-to-end delay buckets: 0–400 ms, 400–600, 600–800, 800 ms and more. */
  p2pDelayDetail?: RateDetail;
  /** End-to-end packet loss buckets. */
  p2pPlrDetail?: RateDetail;
  videoBreakDetail?: RateDetail;
  audioBreakDetail?: RateDetail;
  /** First frame time buckets. */
  videoFftDetail?: RateDetail;
  audioFftDetail?: RateDetail;
  loginSuccessRateDetail?: LoginSuccessRateDetail;
}

/** The regions' figures at one point in time. */
export interface RegionQualityPoint {
  /** Unix milliseconds. */
  timestamp: number;
  qualityInfo: RegionQualityInfo[];
}

/** Result of GetRegionQualityDetail. */
export interface RegionQualityDetailResult {
  /** The server's RequestId, its exact digits. */
  requestId: string;
  list: RegionQualityPoint[];
}

/** The parameters each action takes. */
export interface ActionParamsMap {
  GetBizUsage: BizUsageParams;
  GetBizQuality: BizQualityParams;
  GetRealtimeUsage: RealtimeUsageParams;
  GetRealtimeQuality: RealtimeQualityParams;
  GetRegionQualityDetail: RegionQualityDetailParams;
  GetStreamBaseInfo: StreamBaseInfoParams;
  GetPublishQualityDetail: PublishQualityDetailParams;
  GetPlayQualityDetail: PlayQualityDetailParams;
}

/** The result each action gives. */
export interface ActionResultMap {
  GetBizUsage: BizUsageResult;
  GetBizQuality: BizQualityResult;
  GetRealtimeUsage: RealtimeUsageResult;
  GetRealtimeQuality: RealtimeQualityResult;
  GetRegionQualityDetail: RegionQualityDetailResult;
  GetStreamBaseInfo: StreamBaseInfoResult;
  GetPublishQualityDetail: PublishQualityDetailResult;
  GetPlayQualityDetail: PlayQualityDetailResult;
}

/**
 * What went wrong:
 * - `config`: bad client options;
 * - `validation`: bad parameters, found before anything was sent;
 * - `api`: the server answered with a non-zero Code, or the client refused to exceed a
 *   rate limit or daily quota (code 30002, nothing sent);
 * - `http`: the server answered with a non-2xx status;
 * - `network`: the request could not be made;
 * - `timeout`: an attempt took longer than `timeoutMs`;
 * - `aborted`: the caller's signal cancelled the call;
 * - `parse`: the body is not the documented JSON, or too large.
 */
export type ZegoErrorKind =
  | "config"
  | "validation"
  | "api"
  | "http"
  | "network"
  | "timeout"
  | "aborted"
  | "parse";

/** Every failure is an `Error` of this shape. Its message never holds the secret. */
export interface ZegoError extends Error {
  name: "ZegoError";
  kind: ZegoErrorKind;
  /** Whether the same call may succeed later (rate limit, server fault, network). */
  retryable: boolean;
  /** The server's return code (`api`). */
  code?: number;
  /** The server's Message (`api`). */
  serverMessage?: string;
  /** The server's RequestId, exact digits (`api`, and `http` when the body had one). */
  requestId?: string;
  /** The HTTP status (`http`). */
  httpStatus?: number;
  /** The start of the body, at most 200 characters (`http`). */
  bodyExcerpt?: string;
  /** The parameter or option at fault (`validation`), e.g. `startDate`. */
  param?: string;
  /** How many requests the call sent, retries included. */
  attempts?: number;
  /** How long to wait before the same call can succeed, in ms. */
  retryAfterMs?: number;
}

/**
 * The Signature of a request: lowercase hex of
 * md5(AppId + SignatureNonce + ServerSecret + Timestamp), timestamp in Unix seconds.
 */
export function generateSignature(
  appId: number,
  signatureNonce: string,
  serverSecret: string,
  timestamp: number,
): string;

/** Parses a response body of `action` into the result its method gives, or throws a ZegoError. */
export function parseResponse<A extends ActionName>(
  action: A,
  bodyText: string,
): ActionResultMap[A];

/** The URL with the values of Signature and SignatureNonce replaced by `***`, for logs. */
export function redactUrl(url: string): string;

/** The eight action names. */
export const ACTION_NAMES: readonly ActionName[];

/** The metrics each action takes; the actions without `metrics` take none. */
export interface ActionMetricMap {
  GetBizUsage: BizUsageMetric;
  GetBizQuality: BizQualityMetric;
  GetRealtimeUsage: RealtimeUsageMetric;
  GetRealtimeQuality: RealtimeQualityMetric;
  GetRegionQualityDetail: never;
  GetStreamBaseInfo: never;
  GetPublishQualityDetail: PublishQualityMetric;
  GetPlayQualityDetail: PlayQualityMetric;
}

/** The client method of each action. */
export interface ActionMethodMap {
  GetBizUsage: "getBizUsage";
  GetBizQuality: "getBizQuality";
  GetRealtimeUsage: "getRealtimeUsage";
  GetRealtimeQuality: "getRealtimeQuality";
  GetRegionQualityDetail: "getRegionQualityDetail";
  GetStreamBaseInfo: "getStreamBaseInfo";
  GetPublishQualityDetail: "getPublishQualityDetail";
  GetPlayQualityDetail: "getPlayQualityDetail";
}

/** What kind of value a business parameter takes: `ms` is Unix milliseconds. */
export type ParamType = "date" | "ms" | "string" | "metrics" | "enum";

/** One business parameter of an action. */
export interface ParamSpec {
  /** The name in the params object, e.g. `startDate`. */
  readonly name: string;
  /** The query key, e.g. `StartDate` or `Metrics[]`. */
  readonly wire: string;
  readonly type: ParamType;
  readonly required: boolean;
  /** The allowed words of an `enum` parameter. */
  readonly values?: readonly string[];
}

/** One action described for forms and tools. */
export interface ActionInfo<A extends ActionName = ActionName> {
  readonly name: A;
  readonly method: ActionMethodMap[A];
  /** The business parameters, in the order they are sent. */
  readonly params: readonly ParamSpec[];
  /** The metrics it accepts; empty for the actions that take none. */
  readonly metrics: readonly ActionMetricMap[A][];
  /** Its rate limit and daily quota, e.g. `3/minute, 480/day`. */
  readonly limit: string;
}

/** The eight actions, deeply frozen, in the order of the service's documentation. */
export const ACTIONS: readonly { [A in ActionName]: ActionInfo<A> }[ActionName][];

/** Options of {@link verifySignedUrl}. */
export interface VerifyOptions {
  /** The clock to judge the Timestamp by, in Unix seconds; now by default. */
  nowSeconds?: number;
  /** The clock difference allowed, in seconds; the service's 600 by default. */
  maxSkewSeconds?: number;
}

/** One decoded query pair of a signed URL. */
export interface QueryPair {
  name: string;
  value: string;
}

/** One thing wrong with a signed URL. */
export interface SignedUrlProblem {
  /** The query key concerned (`Signature`, `Timestamp`, `Metrics[]`, ...), or `url`. */
  param: string;
  /** What is wrong, and what the service would answer. */
  message: string;
}

/** The verdict of {@link verifySignedUrl}. */
export interface SignedUrlVerdict {
  /** True when no problem was found. */
  valid: boolean;
  /** The Action, when it names one of the eight. */
  action?: ActionName;
  /** The AppId, when it is a valid one. */
  appId?: number;
  /** Every query pair, decoded, in order. */
  params: QueryPair[];
  /** Every problem found, in query order as far as possible. */
  problems: SignedUrlProblem[];
}

/**
 * Checks a signed URL offline the way the service would, reporting every problem instead
 * of the first. Throws a ZegoError of kind `validation` when `opts` is malformed.
 */
export function verifySignedUrl(
  url: string,
  serverSecret: string,
  opts?: VerifyOptions,
): SignedUrlVerdict;

/**
 * A client for one project (AppId). Every method signs a fresh request, retries what may
 * succeed later, and throws a ZegoError on failure.
 */
export class AnalyticsClient {
  /** Throws a ZegoError of kind `config` when an option is invalid. */
  constructor(options: AnalyticsClientOptions);

  /** The AppId the client signs for. */
  readonly appId: number;

  /** The origin requests go to, ending in `/`, e.g. `https://analytics-api.zego.im/`. */
  readonly baseUrl: string;

  /** The signed URL of a request, without sending it. */
  buildUrl<A extends ActionName>(
    action: A,
    params: ActionParamsMap[A],
    at?: SigningInputs,
  ): string;

  /** Daily usage over a date range. */
  getBizUsage(params: BizUsageParams, options?: CallOptions): Promise<BizUsageResult>;

  /** Daily quality over a date range. */
  getBizQuality(params: BizQualityParams, options?: CallOptions): Promise<BizQualityResult>;

  /** Per-second usage within the last two hours. */
  getRealtimeUsage(
    params: RealtimeUsageParams,
    options?: CallOptions,
  ): Promise<RealtimeUsageResult>;

  /** Per-second quality within the last two hours. */
  getRealtimeQuality(
    params: RealtimeQualityParams,
    options?: CallOptions,
  ): Promise<RealtimeQualityResult>;

  /** Quality distribution per region, at most one hour. */
  getRegionQualityDetail(
    params: RegionQualityDetailParams,
    options?: CallOptions,
  ): Promise<RegionQualityDetailResult>;

  /** Basic facts about one user's stream. */
  getStreamBaseInfo(
    params: StreamBaseInfoParams,
    options?: CallOptions,
  ): Promise<StreamBaseInfoResult>;

  /** Publishing quality and device load of one user's stream over time. */
  getPublishQualityDetail(
    params: PublishQualityDetailParams,
    options?: CallOptions,
  ): Promise<PublishQualityDetailResult>;

  /** Playing quality and device load of one user's stream over time. */
  getPlayQualityDetail(
    params: PlayQualityDetailParams,
    options?: CallOptions,
  ): Promise<PlayQualityDetailResult>;

  /** What `JSON.stringify(client)` shows: never the secret. */
  toJSON(): { appId: number; baseUrl: string };

  /** What `String(client)` shows: never the secret. */
  toString(): string;

  /** Frees the client's WebAssembly memory at once; the client is unusable afterwards. */
  free(): void;
}
