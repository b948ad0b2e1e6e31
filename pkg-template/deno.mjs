// Deno: the WebAssembly module arrives through the module graph (a source phase import,
// Deno 2.6 and newer), so loading the package needs no --allow-read.
import source wasmModule from "./zego_analytics_bg.wasm";
import { actionNames, actions, initSync } from "./zego_analytics.js";

initSync({ module: wasmModule });

export {
  AnalyticsClient, generateSignature, parseResponse, redactUrl, verifySignedUrl,
} from "./zego_analytics.js";
export const ACTION_NAMES = Object.freeze(actionNames());
export const ACTIONS = actions();
