// Deno, with the package copied into the project and imported by its path.
import * as zego from "./vendor/zego-analytics/deno.mjs";

import { runConformance } from "./conformance.mjs";

const summary = await runConformance(zego, { emulatorUrl: Deno.args[0] });
console.log(`conformance-summary ${JSON.stringify(summary)}`);
