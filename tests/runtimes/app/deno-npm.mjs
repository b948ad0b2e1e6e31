// Deno, with the package named by an npm: specifier. Run from this folder, Deno finds it in
// node_modules/ (as after `npm install`); run from deno-cache/, it downloads it into its own
// cache (as `deno run` does by default).
import * as zego from "npm:zego-analytics";

import { runConformance } from "./conformance.mjs";

const summary = await runConformance(zego, { emulatorUrl: Deno.args[0] });
console.log(`conformance-summary ${JSON.stringify(summary)}`);
