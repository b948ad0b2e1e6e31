// Node.js (ES modules): load the WebAssembly module from the package folder.
import { readFileSync } from "node:fs";
import * as glue from "./zego_analytics.js";

glue.initSync({ module: readFileSync(new URL("./zego_analytics_bg.wasm", import.meta.url)) });

export {
  AnalyticsClient, generateSignature, parseResponse, redactUrl, verifySignedUrl,
} from "./zego_analytics.js";
export const ACTION_NAMES = Object.freeze(glue.actionNames());
export const ACTIONS = glue.actions();
