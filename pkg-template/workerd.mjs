// Cloudflare Workers: wrangler bundles the .wasm import as a compiled WebAssembly.Module
// (workerd refuses to compile WebAssembly from bytes at run time), so it is only
// instantiated here.
import wasmModule from "./zego_analytics_bg.wasm";
import { actionNames, actions, initSync } from "./zego_analytics.js";

initSync({ module: wasmModule });

export {
  AnalyticsClient, generateSignature, parseResponse, redactUrl, verifySignedUrl,
} from "./zego_analytics.js";
export const ACTION_NAMES = Object.freeze(actionNames());
export const ACTIONS = actions();
