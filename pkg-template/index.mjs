// Node.js (ES modules): load the WebAssembly module from the package folder.
import { readFileSync } from "node:fs";
import { actionNames, initSync } from "./zego_analytics.js";

initSync({ module: readFileSync(new URL("./zego_analytics_bg.wasm", import.meta.url)) });

export { AnalyticsClient, generateSignature, parseResponse } from "./zego_analytics.js";
export const ACTION_NAMES = Object.freeze(actionNames());
