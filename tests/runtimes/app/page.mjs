// The browser page's script, loaded as a plain module (the page's import map names the
// package) or bundled by esbuild. The emulator's URL comes in the page's query string.
import * as zego from "zego-analytics";

import { runConformance } from "./conformance.mjs";

const emulatorUrl = new URLSearchParams(window.location.search).get("emulator");
window.conformance = await runConformance(zego, { emulatorUrl });
document.body.textContent = `${window.conformance.passed} passed`;
