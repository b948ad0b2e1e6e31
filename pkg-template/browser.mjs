// Browsers, bundled or not, and other runtimes with fetch and import.meta.url: the .wasm
// file next to this one is fetched and compiled once, when the module is first imported.
// Bundlers that understand `new URL(..., import.meta.url)` (Vite, Rollup, webpack) emit
// the file with the bundle; with esbuild, copy it next to the bundle.
import init, { actionNames, actions } from "./zego_analytics.js";

await init({ module_or_path: new URL("./zego_analytics_bg.wasm", import.meta.url) });

export {
  AnalyticsClient, generateSignature, parseResponse, redactUrl, verifySignedUrl,
} from "./zego_analytics.js";
export const ACTION_NAMES = Object.freeze(actionNames());
export const ACTIONS = actions();
